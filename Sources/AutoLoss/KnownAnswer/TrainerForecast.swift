import Engine

/// What a trainer configuration achieves on a ``CalibratedRewardTask``: the share of action 1 per
/// update while it trains, and the evaluated controller's share on held-out seeds.
public struct TrainerForecast: Codable, Sendable, Equatable {
  /// Per controller seed, the mean realized share of action 1 over each update's episodes.
  public var shareByUpdate: [[Float]]
  /// Per controller seed, the evaluated controller's mean realized share on held-out seeds.
  public var finalShare: [Float]
  /// Per controller seed, the evaluated controller's mean expected score (noise-free) on them.
  public var finalScore: [Float]
  /// The untrained controller's expected score (uniform policy: share ½).
  public var untrainedScore: Float
  /// Per controller seed, the training episodes that failed (collapse).
  public var failedEpisodes: [Int]
}

extension KnownAnswer {
  /// Trains `controllerSeeds` controllers with `config` (its episode budget, algorithm and learning
  /// rate) on `makeTask` and measures where they end: the forecast of a real training run whose
  /// reward has the calibrated slope and noise. An episode with more than `collapseLength` equal
  /// actions in a row fails as in the real task (0 = never). Takes well under a second per hundred
  /// thousand episode steps in a release build. `measuredInputMoments` is handed to the trainer (used
  /// when `config.standardizeInputs` has no moments of its own).
  public static func forecast(
    config: ControllerTrainerConfig, controllerSeeds: Int, baseSeed: UInt64 = 0xF0_2ECA,
    evaluationEpisodes: Int = 8, collapseLength: Int = 0, measuredInputMoments: InputStandardization? = nil,
    makeTask: @escaping @Sendable () -> CalibratedRewardTask
  ) throws -> TrainerForecast {
    let probe = makeTask()
    var byUpdate: [[Float]] = []
    var finals: [Float] = []
    var scores: [Float] = []
    var failed: [Int] = []
    for k in 0..<max(1, controllerSeeds) {
      let trainer = try ControllerTrainer(
        config: config, featureCount: probe.featureNames.count, actionCount: 2, featureGroups: probe.featureGroups,
        seed: baseSeed &+ UInt64(k) &* 0x9E37, executor: LocalExecutor(slots: 1),
        episode: taskEpisodeFunction(collapseLength: collapseLength, recordSteps: true, makeTask: makeTask),
        measuredInputMoments: measuredInputMoments)
      var curve: [Float] = []
      while !trainer.isFinished {
        let update = try trainer.runNextUpdate()
        let shares = update.episodes.map { $0.trace.actionFractions(actionCount: 2)[1] }
        curve.append(shares.reduce(0, +) / Float(max(shares.count, 1)))
      }
      byUpdate.append(curve)
      failed.append(trainer.failedEpisodes)
      var policy = PolicySchedule(trainer.evaluatedController())
      var share: Float = 0
      var score: Float = 0
      for e in 0..<max(1, evaluationEpisodes) {
        let trace = runEpisode(task: probe, schedule: &policy, seed: 0xE7A1_0000 &+ UInt64(e))
        let r = trace.actionFractions(actionCount: 2)[1]
        share += r
        score += probe.expectedScore(share: r)
      }
      let n = Float(max(1, evaluationEpisodes))
      finals.append(share / n)
      scores.append(score / n)
    }
    return TrainerForecast(
      shareByUpdate: byUpdate, finalShare: finals, finalScore: scores, untrainedScore: probe.expectedScore(share: 0.5),
      failedEpisodes: failed)
  }
}
