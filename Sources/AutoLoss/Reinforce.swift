import Engine
import Foundation

/// Settings of offline REINFORCE controller training (paper section 1, official-code constants).
public struct ReinforceConfig: Sendable, Codable, Equatable {
  /// The most episodes to run.
  public var episodes = 400
  /// Stop after this many episodes in a row without a new best validation error.
  public var patienceEpisodes = 50
  /// Controller Adam learning rate.
  public var learningRate: Float = 1e-3
  /// Softmax temperature c.
  public var temperature: Float = 2
  /// Hidden units of the controller (0 = linear controller).
  public var hidden = 16
  /// Moving-average decay η of the reward baseline: B ← ηB + (1 − η)R.
  public var baselineDecay: Float = 0.8
  /// R − B is clipped into [−clip, clip].
  public var advantageClip: Float = 20
  /// Lower bound on |R − B| (the GAN code's [1, 20] clipping); 0 for none.
  public var advantageFloor: Float = 0
  /// Add the official code's dense step reward to the final advantage (not in the paper).
  public var denseStepReward = false
  /// Cap and scale of the dense step reward.
  public var stepRewardCap: Float = 20
  public var stepRewardScale: Float = 1
  /// Feature groups the controller may not see (the ablation of Table 3).
  public var droppedFeatureGroups: [String] = []

  public init() {}
}

/// One finished controller-training episode.
public struct ControllerEpisode: Sendable {
  public var index: Int
  public var trace: EpisodeTrace
  public var reward: Float
  public var baseline: Float
  public var advantage: Float
  /// Whether this episode set a new best validation error (and its controller was kept).
  public var isNewBest: Bool

  public init(index: Int, trace: EpisodeTrace, reward: Float, baseline: Float, advantage: Float, isNewBest: Bool) {
    self.index = index
    self.trace = trace
    self.reward = reward
    self.baseline = baseline
    self.advantage = advantage
    self.isNewBest = isNewBest
  }
}

/// Offline REINFORCE (paper Algorithm 1): each episode trains a fresh task model under the sampled
/// policy; its reward, minus a moving-average baseline and clipped, weights Σ_t ∇ log π(a_t | x_t);
/// one Adam step of the controller per episode. The controller of the best episode is kept.
public final class ReinforceTrainer {
  public let config: ReinforceConfig
  public let task: AlternatingTask
  public let controller: Controller
  public let seed: UInt64
  let optimizer: Adam
  /// The moving-average baseline (nil before the first episode).
  public private(set) var baseline: Float?
  /// The best validation error seen in any episode.
  public private(set) var bestError: Float = .infinity
  /// The controller parameters of the best episode.
  public private(set) var bestController: [String: Tensor]
  /// Finished episodes.
  public private(set) var episodesDone = 0
  /// Episodes since the last new best.
  public private(set) var episodesSinceBest = 0

  public init(task: AlternatingTask, config: ReinforceConfig, seed: UInt64) {
    self.task = task
    self.config = config
    self.seed = seed
    var rng = SeededRandom(seed: seed)
    var mask = Array(repeating: true, count: task.featureNames.count)
    for group in task.featureGroups where config.droppedFeatureGroups.contains(group.name) {
      for i in group.indices { mask[i] = false }
    }
    controller = Controller(
      featureCount: task.featureNames.count, actionCount: task.actionNames.count, hidden: config.hidden,
      temperature: config.temperature, featureMask: mask, rng: &rng)
    optimizer = Adam(learningRate: config.learningRate)
    bestController = controller.stateDict()
  }

  /// Whether training should stop (episode budget or patience exhausted).
  public var isFinished: Bool {
    episodesDone >= config.episodes || episodesSinceBest >= config.patienceEpisodes
  }

  /// The seed of episode `index`: fixed by the trainer seed, so a resumed run repeats it exactly.
  public func episodeSeed(_ index: Int) -> UInt64 { AutoLoss.episodeSeed(trainerSeed: seed, index: index) }

  /// Runs the next episode and updates the controller.
  public func runNextEpisode(recordSteps: Bool = true) -> ControllerEpisode {
    let index = episodesDone
    var schedule = PolicySchedule(controller, name: "AutoLoss")
    let trace = runEpisode(
      task: task, schedule: &schedule, seed: episodeSeed(index),
      options: EpisodeOptions(recordSteps: true, evaluateTest: false))
    let reward =
      trace.outcome == "non-finite loss"
      ? -abs(config.advantageClip) : task.reward(bestValidationError: trace.bestValidationError)
    // The official code updates the baseline before taking the advantage.
    let b = baseline.map { config.baselineDecay * $0 + (1 - config.baselineDecay) * reward } ?? reward
    baseline = b
    let advantage = clippedAdvantage(
      reward: reward, baseline: b, clip: config.advantageClip, floor: config.advantageFloor)
    update(trace: trace, advantage: advantage)
    let isNewBest = trace.bestValidationError < bestError
    if isNewBest {
      bestError = trace.bestValidationError
      bestController = controller.stateDict()
      episodesSinceBest = 0
    } else {
      episodesSinceBest += 1
    }
    episodesDone += 1
    var kept = trace
    if !recordSteps {
      kept.features = []
      kept.probabilities = []
      kept.losses = []
    }
    return ControllerEpisode(
      index: index, trace: kept, reward: reward, baseline: b, advantage: advantage, isNewBest: isNewBest)
  }

  /// Per-step REINFORCE weights: the advantage, plus the dense step reward when enabled.
  func stepWeights(trace: EpisodeTrace, advantage: Float) -> [Float] {
    var weights = [Float](repeating: advantage, count: trace.actions.count)
    guard config.denseStepReward, trace.checks.count > 1 else { return weights }
    // Step reward of the official code, computed at validation checks and given to the steps of the
    // segment that led to the check: sign(Δ)·min(√(|Δ| / (|EMA Δ| + 1e-5)), cap)·scale.
    var ema: Float = 0
    var previous = trace.checks[0]
    for check in trace.checks.dropFirst() {
      let delta = previous.error - check.error
      ema = 0.8 * ema + 0.2 * delta
      let r =
        (delta >= 0 ? 1 : -1) * min((abs(delta) / (abs(ema) + 1e-5)).squareRoot(), config.stepRewardCap)
        * config.stepRewardScale
      for t in previous.step..<min(check.step, weights.count) { weights[t] += r }
      previous = check
    }
    return weights
  }

  /// One Adam step on −mean_t[w_t · log π(a_t | x_t)].
  func update(trace: EpisodeTrace, advantage: Float) {
    controller.zeroGrad()
    if controller.accumulatePolicyGradient(trace: trace, weights: stepWeights(trace: trace, advantage: advantage)) {
      optimizer.step(controller.parameters)
    }
  }

  /// Restores the state saved by ``snapshot()`` (resuming an interrupted run).
  public func restore(_ s: ReinforceSnapshot) throws {
    try controller.load(s.controller)
    bestController = s.bestController
    baseline = s.baseline
    bestError = s.bestError
    episodesDone = s.episodesDone
    episodesSinceBest = s.episodesSinceBest
    optimizer.importState(s.optimizerState, parameters: controller.parameters)
  }

  /// The state needed to resume after the last finished episode.
  public func snapshot() -> ReinforceSnapshot {
    ReinforceSnapshot(
      controller: controller.stateDict(), bestController: bestController, baseline: baseline, bestError: bestError,
      episodesDone: episodesDone, episodesSinceBest: episodesSinceBest,
      optimizerState: optimizer.exportState(parameters: controller.parameters))
  }
}

/// A resumable snapshot of ``ReinforceTrainer``.
public struct ReinforceSnapshot: Sendable {
  public var controller: [String: Tensor]
  public var bestController: [String: Tensor]
  public var baseline: Float?
  public var bestError: Float
  public var episodesDone: Int
  public var episodesSinceBest: Int
  public var optimizerState: AdamState

  public init(
    controller: [String: Tensor], bestController: [String: Tensor], baseline: Float?, bestError: Float,
    episodesDone: Int, episodesSinceBest: Int, optimizerState: AdamState
  ) {
    self.controller = controller
    self.bestController = bestController
    self.baseline = baseline
    self.bestError = bestError
    self.episodesDone = episodesDone
    self.episodesSinceBest = episodesSinceBest
    self.optimizerState = optimizerState
  }
}
