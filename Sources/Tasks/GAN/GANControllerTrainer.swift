import AutoLoss
import Dispatch
import Engine
import Foundation

/// Settings of episodic REINFORCE for the GAN (official code, paper-spec 4.1).
public struct GANControllerConfig: Sendable, Codable, Equatable {
  /// The most episodes to run.
  public var episodes = 400
  /// Stop after this many episodes in a row without a new best final IS.
  public var patienceEpisodes = 50
  /// Controller Adam learning rate (0.02 in the released config).
  public var learningRate: Float = 0.02
  /// Softmax temperature c (1 for the GAN).
  public var temperature: Float = 1
  /// Hidden units (16 in the code; 0 gives the paper's linear controller).
  public var hidden = 16
  /// Baseline decay η: B ← ηB + (1 − η)R.
  public var baselineDecay: Float = 0.9
  /// |R − B| is clipped into [advantageFloor, advantageClip], keeping its sign.
  public var advantageFloor: Float = 1
  public var advantageClip: Float = 20
  /// The advantage of an episode that collapsed or produced a non-finite loss.
  public var collapseAdvantage: Float = -20
  /// Re-draw the controller's weights after a collapse (official code).
  public var reinitializeOnCollapse = true
  /// The same action more than this many times in a row is a collapse (500 in the code).
  public var collapseLength = 500
  /// Episodes run side by side on the same controller before one update (1 = the paper's S = 1).
  public var episodesPerUpdate = 1

  public init() {}
}

/// One finished episode of GAN controller training.
public struct GANControllerEpisode: Sendable {
  public var index: Int
  public var trace: EpisodeTrace
  /// The IS of the episode's best checkpoint on the final sample (0 after a collapse).
  public var finalIS: Float
  public var reward: Float
  public var baseline: Float
  public var advantage: Float
  public var isNewBest: Bool
  /// Samples from the fixed z at each check, `[checks, n, C, H, W]` flattened, in [0, 1].
  public var samples: [Float]
  public var seconds: Double
}

/// Episodic REINFORCE for the GAN controller (official `trainer.py train` with `Gan` model): each episode
/// trains a fresh DCGAN under the sampled policy until the stopping rule; R = 10·IS² of the best checkpoint;
/// the baseline is updated before the advantage is taken; |adv| ∈ [1, 20]; a collapse gives −20 and re-draws
/// the controller; one Adam step per update on −Σ_e mean_t[adv_e · log π(a_t | x_t)].
///
/// `tasks` holds one task per parallel episode (`episodesPerUpdate` of them run side by side).
public final class GANControllerTrainer: @unchecked Sendable {
  public let config: GANControllerConfig
  public let tasks: [GANTask]
  public let controller: Controller
  public let seed: UInt64
  let optimizer: Adam
  var rng: SeededRandom
  public private(set) var baseline: Float?
  public private(set) var bestIS: Float = -.infinity
  public private(set) var bestController: [String: Tensor]
  public private(set) var episodesDone = 0
  public private(set) var episodesSinceBest = 0
  /// Collapses (each re-drew the controller).
  public private(set) var collapses = 0

  public init(tasks: [GANTask], config: GANControllerConfig, seed: UInt64) {
    precondition(!tasks.isEmpty, "GAN controller training needs at least one task")
    self.tasks = tasks
    self.config = config
    self.seed = seed
    rng = SeededRandom(seed: seed)
    controller = Controller(
      featureCount: tasks[0].featureNames.count, actionCount: 2, hidden: config.hidden,
      temperature: config.temperature, rng: &rng)
    optimizer = Adam(learningRate: config.learningRate)
    bestController = controller.stateDict()
  }

  public var isFinished: Bool {
    episodesDone >= config.episodes || episodesSinceBest >= config.patienceEpisodes
  }

  /// The seed of episode `index`.
  public func episodeSeed(_ index: Int) -> UInt64 { AutoLoss.episodeSeed(trainerSeed: seed, index: index) }

  /// Runs the next round of episodes (up to `episodesPerUpdate`, side by side) and updates the controller.
  public func runNextRound() -> [GANControllerEpisode] {
    let count = max(1, min(config.episodesPerUpdate, tasks.count, config.episodes - episodesDone))
    let first = episodesDone
    let spec = controller.stateDict()
    let results = UnsafeResults(count)
    DispatchQueue.concurrentPerform(iterations: count) { i in
      let start = DispatchTime.now().uptimeNanoseconds
      var unused = SeededRandom(seed: 0)
      let local = Controller(
        featureCount: self.controller.featureCount, actionCount: 2, hidden: self.config.hidden,
        temperature: self.config.temperature, rng: &unused)
      try? local.load(spec)
      var schedule = PolicySchedule(local)
      let task = self.tasks[i]
      let trace = runEpisode(
        task: task, schedule: &schedule, seed: self.episodeSeed(first + i),
        options: EpisodeOptions(recordSteps: true, evaluateTest: false, collapseLength: self.config.collapseLength))
      let failed = trace.outcome == "collapse" || trace.outcome == "non-finite loss"
      let finalIS = failed ? 0 : task.finalInceptionScore()
      var samples: [Float] = []
      for s in task.checkSamples { samples += s.data }
      let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
      results.set(i, (trace, finalIS, samples, seconds))
    }
    var episodes: [GANControllerEpisode] = []
    var weighted: [(EpisodeTrace, Float)] = []
    var collapsed = false
    for i in 0..<count {
      guard let (trace, finalIS, samples, seconds) = results.values[i] else { continue }
      var t = trace
      let failed = trace.outcome == "collapse" || trace.outcome == "non-finite loss"
      t.testError = finalIS > 0 ? 1 / finalIS : .nan
      let reward = tasks[i].config.rewardScale * finalIS * finalIS
      var advantage: Float
      let b: Float
      if failed {
        b = baseline ?? reward
        advantage = config.collapseAdvantage
        collapsed = collapsed || trace.outcome == "collapse"
      } else {
        b = baseline.map { config.baselineDecay * $0 + (1 - config.baselineDecay) * reward } ?? reward
        baseline = b
        advantage = clippedAdvantage(
          reward: reward, baseline: b, clip: config.advantageClip, floor: config.advantageFloor)
      }
      let isNewBest = !failed && finalIS > bestIS
      if isNewBest {
        bestIS = finalIS
        bestController = spec
        episodesSinceBest = 0
      } else {
        episodesSinceBest += 1
      }
      weighted.append((trace, advantage))
      episodes.append(
        GANControllerEpisode(
          index: first + i, trace: t, finalIS: finalIS, reward: failed ? 0 : reward, baseline: b, advantage: advantage,
          isNewBest: isNewBest, samples: samples, seconds: seconds))
    }
    episodesDone += count
    if collapsed && config.reinitializeOnCollapse {
      collapses += 1
      controller.reinitialize(rng: &rng)
      optimizer.reset()
    } else {
      update(weighted)
    }
    return episodes
  }

  /// One Adam step on −Σ_e mean_t[adv_e · log π(a_t | x_t)] over the episodes of a round.
  func update(_ episodes: [(EpisodeTrace, Float)]) {
    controller.zeroGrad()
    var any = false
    for (trace, advantage) in episodes {
      let weights = [Float](repeating: advantage, count: trace.actions.count)
      any = controller.accumulatePolicyGradient(trace: trace, weights: weights) || any
    }
    if any { optimizer.step(controller.parameters) }
  }
}

/// Per-index results written by concurrent workers (each index by exactly one worker).
final class UnsafeResults: @unchecked Sendable {
  var values: [(EpisodeTrace, Float, [Float], Double)?]
  let lock = NSLock()
  init(_ n: Int) { values = Array(repeating: nil, count: n) }
  func set(_ i: Int, _ v: (EpisodeTrace, Float, [Float], Double)) {
    lock.withLock { values[i] = v }
  }
}
