import Foundation

extension TaskRegistry {
  /// The known-answer check of the controller trainers (seconds; no config).
  static let knownAnswerFamily = TaskFamily(
    name: "known-answer", summary: "tasks whose best schedule is known: a check of the trainers", config: nil,
    stages: [
      StageEntry(
        "check", "Check that the REINFORCE and antithetic trainers learn the known-answer tasks.",
        options: [
          StageOptionSpec("seed", "seed of the controller trainers (default 11)"),
          StageOptionSpec("evaluation-episodes", "held-out episodes per trained controller, >= 2 (default 30)"),
        ]
      ) { request in
        var seed: UInt64 = 11
        if let text = request.string("seed") {
          guard let value = UInt64(text) else {
            throw PipelineError("option seed: expected an unsigned integer, found '\(text)'")
          }
          seed = value
        }
        let episodes = try request.int("evaluation-episodes", atLeast: 2) ?? 30
        let stage = KnownAnswerStage(context: request.context, seed: seed, evaluationEpisodes: episodes)
        let (artifact, rows) = try stage.run()
        guard request.context.executor.isCoordinator else { return [] }
        return rows.map { r in
          "\(r.algorithm): "
            + String(
              format: "state-dependent %.1f %% correct, margin %.4f ± %.4f (%.1f SE) over constant ratio %.1f; "
                + "ratio task %.3f (p* %.2f); %d + %d episodes, %.1f s", r.correctFraction * 100, r.margin,
              r.standardError, r.marginInStandardErrors, r.bestConstantRatio, r.realizedRatio, r.targetRatio,
              r.stateEpisodes, r.ratioEpisodes, r.seconds)
        } + ["wrote \(artifact.path): \(KnownAnswerStage.verdict(rows))"]
      }
    ])
}
