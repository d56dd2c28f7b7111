import Engine

extension KnownAnswer {
  /// The outcome of training a controller on both known-answer tasks (the report's "known-answer" row).
  public struct SuiteResult: Codable, Sendable, Equatable {
    /// The training algorithm.
    public var algorithm: ControllerAlgorithm
    /// The controller trained on ``SignalFollowingTask``.
    public var stateDependent: StateDependentResult
    /// The controller trained on ``RatioTask``.
    public var ratio: RatioResult
    /// ≥ 90 % correct choices and a margin over the best constant ratio above 3 standard errors.
    public var stateDependentPassed: Bool {
      stateDependent.correctFraction >= 0.9 && stateDependent.margin > 3 * stateDependent.standardError
    }
    /// The realized share of action 1 within ±0.05 of p*.
    public var ratioPassed: Bool { abs(ratio.realizedRatio - ratio.targetRatio) <= 0.05 }
  }

  /// Trainer settings that learn both tasks in about a second (a small controller at c = 1, zero
  /// initial output, 4 episodes per update).
  public static func suiteConfig(_ algorithm: ControllerAlgorithm, ratioTask: Bool) -> ControllerTrainerConfig {
    var c = ControllerTrainerConfig()
    c.algorithm = algorithm
    c.temperature = 1
    c.hidden = ratioTask ? 0 : 16
    c.zeroInitialOutput = true
    c.episodesPerUpdate = 4
    c.evaluated = ratioTask ? .average : .final
    switch algorithm {
    case .reinforce:
      c.episodes = ratioTask ? 400 : 300
      c.learningRate = 0.02
    case .antithetic:
      c.episodes = 400
      c.learningRate = 0.05
      c.antitheticSigma = 0.1
    }
    return c
  }

  /// Trains a controller with `algorithm` on each known-answer task and measures it on
  /// `evaluationEpisodes` held-out seeds (actions sampled).
  public static func runSuite(
    algorithm: ControllerAlgorithm, seed: UInt64 = 11, executor: JobExecutor = LocalExecutor(slots: 1),
    evaluationEpisodes: Int = 30
  ) throws -> SuiteResult {
    let seeds = (0..<evaluationEpisodes).map { UInt64(1_000_000 + $0) }
    func train(_ config: ControllerTrainerConfig, _ make: @escaping @Sendable () -> AlternatingTask) throws
      -> Controller
    {
      let probe = make()
      let trainer = try ControllerTrainer(
        config: config, featureCount: probe.featureNames.count, actionCount: probe.actionNames.count,
        featureGroups: probe.featureGroups, seed: seed, executor: executor,
        episode: taskEpisodeFunction(makeTask: make))
      while !trainer.isFinished { try trainer.runNextUpdate() }
      return trainer.evaluatedController()
    }
    let signal = try train(suiteConfig(algorithm, ratioTask: false)) { SignalFollowingTask() }
    let ratio = try train(suiteConfig(algorithm, ratioTask: true)) { RatioTask() }
    return SuiteResult(
      algorithm: algorithm, stateDependent: evaluateStateDependent(controller: signal, seeds: seeds),
      ratio: evaluateRatio(controller: ratio, seeds: seeds))
  }
}
