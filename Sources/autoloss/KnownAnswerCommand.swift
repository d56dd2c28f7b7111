import ArgumentParser
import Foundation
import Pipeline

/// `autoloss known-answer`: the trainers on the known-answer tasks (a check of the machinery).
struct KnownAnswerCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "known-answer",
    abstract: "Check that the controller trainers learn the known-answer tasks (seconds).",
    discussion: """
      Trains a controller with REINFORCE and with the antithetic trainer on a state-dependent task (the right
      action follows a visible signal) and on a ratio-only task (the best policy is P(action 1) = p*), and checks
      >= 90 % correct choices with a margin over the best constant ratio above 3 SE, and |ratio - p*| <= 0.05.
      Writes artifacts/known-answer/suite/vNNNN.h5. It has no config file (--profile and --set do not apply).
      """)

  @Option(help: "Seed of the controller trainers.")
  var seed: UInt64 = 11

  @Option(help: "Held-out episodes on which each trained controller is measured (>= 2).")
  var evaluationEpisodes = 30

  @OptionGroup var options: StageOptions

  func validate() throws {
    guard evaluationEpisodes >= 2 else {
      throw ValidationError("--evaluation-episodes: expected an integer >= 2, found \(evaluationEpisodes)")
    }
    guard options.overrides.isEmpty else {
      throw ValidationError("--set: known-answer has no config to override, found \(options.overrides)")
    }
  }

  func run() throws {
    try runStage {
      let context = options.context
      let stage = KnownAnswerStage(context: context, seed: seed, evaluationEpisodes: evaluationEpisodes)
      let (artifact, rows) = try stage.run()
      guard context.executor.isCoordinator else { return }
      for r in rows {
        print(
          "\(r.algorithm): "
            + String(
              format: "state-dependent %.1f %% correct, margin %.4f ± %.4f (%.1f SE) over constant ratio %.1f; "
                + "ratio task %.3f (p* %.2f); %d + %d episodes, %.1f s", r.correctFraction * 100, r.margin,
              r.standardError, r.marginInStandardErrors, r.bestConstantRatio, r.realizedRatio, r.targetRatio,
              r.stateEpisodes, r.ratioEpisodes, r.seconds))
      }
      print("wrote \(artifact.path): \(KnownAnswerStage.verdict(rows))")
    }
  }
}
