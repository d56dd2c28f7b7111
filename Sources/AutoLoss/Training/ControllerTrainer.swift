import Engine

/// Trains an AutoLoss controller from episodes, for every task family.
///
/// Each call of ``runNextUpdate()`` runs the update's episodes through the executor (`executor.map`,
/// one job per episode, seeds fixed by the global episode index), then takes ONE controller step
/// computed from the gathered results in job order. The step is therefore bit-identical for any
/// executor, rank count or slot count, and a run restored from ``snapshot()`` continues exactly as
/// an uninterrupted one.
///
/// - REINFORCE (paper Algorithm 1, official code): B ← ηB + (1 − η)R before A = clip(R − B),
///   optionally |A| ≥ floor and the dense step reward; the policy gradients of an update's episodes
///   are averaged; one Adam step.
/// - Antithetic: per pair, ε ~ N(0, I) from the trainer's stream; θ + σε and θ − σε run on the same
///   episode seed; one Adam ascent step along mean[(R+ − R−)/(2σ)·ε].
/// - A collapsed or non-finite episode gets the penalty advantage `collapseAdvantage`; with
///   `reinitializeOnCollapse` the controller is re-drawn (and Adam reset) instead of stepping.
///
/// The trainer's own random draws (ε, re-initialisations) come from a stream fixed by the trainer
/// seed and the update index, so its random state is the update counter.
public final class ControllerTrainer: @unchecked Sendable {
  /// The settings (validated by the initializer).
  public let config: ControllerTrainerConfig
  /// The task's feature groups: name and the feature indices it covers (for `droppedFeatureGroups`).
  public let featureGroups: [(name: String, indices: [Int])]
  /// The trainer seed: fixes the initial controller, the episode seeds and the trainer's own draws.
  public let seed: UInt64
  /// Runs the episodes of each update.
  public let executor: JobExecutor
  /// Runs one episode of the task family under a controller.
  public let episode: EpisodeFunction
  /// The controller being trained.
  public let controller: Controller
  let optimizer: Adam
  /// The weights before any update (reported as "untrained controller", never as AutoLoss).
  public let untrainedWeights: [String: Tensor]

  /// The moving-average reward baseline (nil before the first successful episode).
  public internal(set) var baseline: Float?
  /// Episodes run so far (both episodes of an antithetic pair count).
  public internal(set) var episodesDone = 0
  /// Controller updates finished so far.
  public internal(set) var updatesDone = 0
  /// Episodes in a row without a new best reward.
  public internal(set) var episodesSinceBest = 0
  /// How often the controller was re-drawn after a failed episode.
  public internal(set) var reinitializations = 0
  /// Failed (collapsed or non-finite) episodes so far.
  public internal(set) var failedEpisodes = 0
  /// The best reward of a successful episode, its index (−1 before one) and its controller's weights.
  public internal(set) var bestReward: Float = -.infinity
  /// The index of the best successful episode (−1 before one).
  public internal(set) var bestEpisode = -1
  /// The controller weights that produced ``bestReward`` (the untrained ones before one).
  public internal(set) var bestWeights: [String: Tensor]
  /// The weights after each of the last `averageLast` updates, oldest first.
  public internal(set) var recentWeights: [[String: Tensor]] = []

  /// Creates a trainer with a fresh controller drawn from `seed` (nothing runs yet).
  ///
  /// - Parameters:
  ///   - config: The settings; validated here.
  ///   - featureCount: The length F of the task's feature vector (at least 1).
  ///   - actionCount: The number K of actions (at least 2).
  ///   - featureGroups: The task's feature groups, for `config.droppedFeatureGroups`.
  ///   - seed: The trainer seed.
  ///   - executor: Runs the episodes of each update.
  ///   - episode: Runs one episode under a controller, e.g. one made by
  ///     ``taskEpisodeFunction(collapseLength:recordSteps:makeTask:)``.
  ///   - measuredInputMoments: Feature means and SDs measured by the caller, used when
  ///     `config.standardizeInputs` gives none of its own.
  /// - Throws: ``ControllerConfigError`` for an out-of-range setting, an unknown dropped group or a
  ///   standardisation without moments.
  public init(
    config: ControllerTrainerConfig, featureCount: Int, actionCount: Int,
    featureGroups: [(name: String, indices: [Int])], seed: UInt64, executor: JobExecutor,
    episode: @escaping EpisodeFunction, measuredInputMoments: InputStandardization? = nil
  ) throws {
    try config.validate()
    guard featureCount >= 1, actionCount >= 2 else {
      throw ControllerConfigError(
        message: "controller: expected >= 1 feature and >= 2 actions, found \(featureCount) and \(actionCount)")
    }
    self.config = config
    self.featureGroups = featureGroups
    self.seed = seed
    self.executor = executor
    self.episode = episode
    let mask = try featureMask(
      featureCount: featureCount, featureGroups: featureGroups, dropped: config.droppedFeatureGroups)
    let shape = ControllerShape(
      featureCount: featureCount, actionCount: actionCount, hidden: config.hidden,
      temperature: config.temperature, featureMask: mask,
      standardization: try config.inputStandardization(featureCount: featureCount, measured: measuredInputMoments))
    var rng = SeededRandom(seed: seed)
    controller = shape.make(rng: &rng, zeroOutput: config.zeroInitialOutput)
    optimizer = Adam(learningRate: config.learningRate)
    untrainedWeights = controller.stateDict()
    bestWeights = untrainedWeights
  }

  /// The architecture of the trained controller.
  public var shape: ControllerShape { controller.shape }

  /// Episodes one update needs at least (2 for an antithetic pair).
  var episodesPerJob: Int { config.algorithm == .antithetic ? 2 : 1 }

  /// Whether the episode budget (or the patience) is used up.
  public var isFinished: Bool {
    config.episodes - episodesDone < episodesPerJob
      || (config.patienceEpisodes > 0 && episodesSinceBest >= config.patienceEpisodes)
  }

  /// The seed of global episode `index`.
  public func episodeSeed(_ index: Int) -> UInt64 { AutoLoss.episodeSeed(trainerSeed: seed, index: index) }

  /// The trainer's random stream of the current update.
  func updateRandom() -> SeededRandom {
    SeededRandom(seed: AutoLoss.episodeSeed(trainerSeed: seed ^ 0xC0_47_11E5, index: updatesDone))
  }

  /// Runs the next update's episodes and takes one controller step.
  /// - Throws: an episode's error, or ``ControllerConfigError`` when the run is already finished.
  @discardableResult
  public func runNextUpdate() throws -> ControllerUpdate {
    guard !isFinished else {
      throw ControllerConfigError(message: "controller training is finished (\(episodesDone) episodes)")
    }
    let update: ControllerUpdate
    switch config.algorithm {
    case .reinforce: update = try reinforceUpdate()
    case .antithetic: update = try antitheticUpdate()
    }
    updatesDone += 1
    guard controller.parameters.allSatisfy({ $0.value.data.allSatisfy(\.isFinite) }) else {
      throw ControllerConfigError(
        message:
          "controller weights became non-finite in update \(updatesDone - 1); lower controller.learningRate "
          + "(\(config.learningRate)) or controller.advantageClip (\(config.advantageClip))")
    }
    recentWeights.append(controller.stateDict())
    if recentWeights.count > config.averageLast { recentWeights.removeFirst(recentWeights.count - config.averageLast) }
    return update
  }

  /// Runs `weights[j]` on episode seed `seeds[j]` for every job j through the executor.
  func runEpisodes(weights: [[String: Tensor]], seeds: [UInt64], first: Int) throws -> [EpisodeResult] {
    let shape = self.shape
    let episode = self.episode
    var results = try executor.map(count: seeds.count) { job, slot in
      let controller = try shape.make(weights: weights[job])
      return try episode(controller, seeds[job], slot)
    }
    for j in results.indices {
      results[j].index = first + j
      results[j].seed = seeds[j]
    }
    return results
  }

  /// Records episode `result` (run with `weights`) for the best-episode choice and the patience.
  func noteBest(_ result: EpisodeResult, weights: [String: Tensor]) -> Bool {
    if result.failed { failedEpisodes += 1 }
    let isNew = !result.failed && result.reward > bestReward
    if isNew {
      bestReward = result.reward
      bestEpisode = result.index
      bestWeights = weights
      episodesSinceBest = 0
    } else {
      episodesSinceBest += 1
    }
    return isNew
  }

  /// Updates the moving-average baseline with a successful episode's reward; returns it.
  func updateBaseline(with reward: Float) -> Float {
    let b = baseline.map { config.baselineDecay * $0 + (1 - config.baselineDecay) * reward } ?? reward
    baseline = b
    return b
  }

  /// Re-draws the controller from the update's stream and forgets Adam's moments.
  func reinitialize() {
    var rng = updateRandom()
    _ = rng.next()
    controller.reinitialize(rng: &rng)
    if config.zeroInitialOutput { controller.zeroOutputLayer() }
    optimizer.reset()
    reinitializations += 1
  }

  // MARK: Evaluated controllers

  /// The weights chosen by `config.evaluated` (final, Polyak average or best episode).
  public func evaluatedWeights() -> [String: Tensor] {
    switch config.evaluated {
    case .final: return controller.stateDict()
    case .average: return averageWeights()
    case .bestEpisode: return bestEpisode >= 0 ? bestWeights : controller.stateDict()
    }
  }

  /// The Polyak mean of the weights after the last `averageLast` updates (the current weights
  /// before the first update).
  public func averageWeights() -> [String: Tensor] {
    // the buffer holds one controller's weights, so names and shapes always agree
    WeightAverage.mean(recentWeights) ?? controller.stateDict()
  }

  /// A controller holding the evaluated weights.
  public func evaluatedController() -> Controller { controllerCopy(evaluatedWeights()) }
  /// A controller holding the weights before training.
  public var untrainedController: Controller { controllerCopy(untrainedWeights) }
  /// A controller holding the weights that produced the best episode.
  public var bestController: Controller { controllerCopy(bestWeights) }

  func controllerCopy(_ weights: [String: Tensor]) -> Controller {
    var rng = SeededRandom(seed: 0)
    let c = shape.make(rng: &rng)
    for (name, p) in c.namedParameters { if let t = weights[name], t.shape == p.value.shape { p.value = t } }
    return c
  }
}
