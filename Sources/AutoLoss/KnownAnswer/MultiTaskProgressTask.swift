import Engine
import Foundation

/// Known-answer task (c), for the online PPO controller: a stand-in for multi-task NMT whose right
/// answer is "always the main task", with the real task's noise and feature dynamics.
///
/// Action 0 trains the main task, actions 1…K−1 auxiliary tasks. The main task's validation loss
/// is L(m) = 2 + `span`·e^(−m/τ) at effective main progress m = n₀ + `auxiliaryTransfer`·Σ nₖ (an
/// auxiliary update helps the main task less than a main update), so every auxiliary step costs
/// progress. Past `overfitOnset` main updates the main task overfits: its validation loss rises by
/// `overfitRate` per 1000 further main updates while its training loss keeps falling. A check
/// every `checkEvery` steps measures perplexity e^(L + ε), ε ~ N(0, `checkNoise`).
/// Task t's training loss falls with its own updates only, 2 + `span`·e^(−nₜ/τ) + noise, and the
/// features are, per task, its mean training loss over its last 10 updates and its validation loss
/// at the latest check (both minus 2, divided by 3, as the NMT task's): the trained task's feature
/// moves with the action, as in the real task.
///
/// The defaults match what the long NMT meta-training measured per 50-step segment with the metric
/// reward (C = 100): a reward that rises by about 5-13 per unit of main-task share, against a
/// residual noise of about 1.5, and a reward that shrinks as training progresses.
public final class MultiTaskProgressTask: AlternatingTask {
  /// `"main"`, then `"aux1"`, `"aux2"`, ….
  public let actionNames: [String]
  /// One training loss per task.
  public let lossNames: [String]
  /// Per task: `"<task> train"` and `"<task> val"`.
  public let featureNames: [String]
  /// One group per task, its two features.
  public let featureGroups: [(name: String, indices: [Int])]
  /// Steps per training run.
  public let maxSteps: Int
  /// Steps between validation checks.
  public let checkEvery: Int
  /// The loss drop from the start to the floor.
  public let span: Float
  /// Updates over which a task's loss falls by a factor e (τ).
  public let timeScale: Float
  /// What one auxiliary update is worth to the main task, in main updates (0 … 1).
  public let auxiliaryTransfer: Float
  /// Standard deviation of the measured main log-perplexity at a check.
  public let checkNoise: Float
  /// Standard deviation of one training-loss sample.
  public let trainingNoise: Float
  /// Main-task updates after which the main task starts to overfit (∞: never).
  public let overfitOnset: Float
  /// Rise of the main validation loss per 1000 main updates past `overfitOnset`.
  public let overfitRate: Float
  /// Steps taken in this run.
  public private(set) var stepCount = 0
  /// The checks so far (step 0 included).
  public private(set) var checks: [ValidationCheck] = []
  /// The lowest perplexity checked so far.
  public private(set) var bestValidationError: Float = .infinity
  /// Updates of each task in this run.
  public private(set) var taskUpdates: [Int]
  private var recentLoss: [[Float]]
  private var validationLoss: [Float]
  private var rng = SeededRandom(seed: 0)

  /// Creates the task.
  ///
  /// - Parameters:
  ///   - auxiliaryTasks: Auxiliary tasks (K − 1).
  ///   - maxSteps: Steps per training run.
  ///   - checkEvery: Steps between checks.
  ///   - span: Loss drop from start to floor.
  ///   - timeScale: τ, in updates.
  ///   - auxiliaryTransfer: An auxiliary update's worth to the main task.
  ///   - checkNoise: SD of the checked log-perplexity.
  ///   - trainingNoise: SD of a training-loss sample.
  ///   - overfitOnset: Main updates after which the main task overfits (∞: never).
  ///   - overfitRate: Rise of the main validation loss per 1000 main updates past the onset.
  public init(
    auxiliaryTasks: Int = 2, maxSteps: Int = 3000, checkEvery: Int = 50, span: Float = 1.5, timeScale: Float = 1000,
    auxiliaryTransfer: Float = 0.2, checkNoise: Float = 0.011, trainingNoise: Float = 0.05,
    overfitOnset: Float = .infinity, overfitRate: Float = 0.3
  ) {
    let k = max(auxiliaryTasks, 0) + 1
    let names = ["main"] + (1..<k).map { "aux\($0)" }
    actionNames = names
    lossNames = names
    featureNames = names.flatMap { ["\($0) train", "\($0) val"] }
    featureGroups = names.enumerated().map { ($1, [2 * $0, 2 * $0 + 1]) }
    self.maxSteps = max(maxSteps, 1)
    self.checkEvery = max(checkEvery, 1)
    self.span = span
    self.timeScale = timeScale
    self.auxiliaryTransfer = auxiliaryTransfer
    self.checkNoise = checkNoise
    self.trainingNoise = trainingNoise
    self.overfitOnset = overfitOnset
    self.overfitRate = overfitRate
    taskUpdates = Array(repeating: 0, count: k)
    recentLoss = Array(repeating: [], count: k)
    validationLoss = Array(repeating: 2 + span, count: k)
  }

  /// The noise-free validation loss of task `t` after the updates so far.
  public func expectedValidationLoss(_ t: Int) -> Float {
    let progress =
      t == 0
      ? Float(taskUpdates[0]) + auxiliaryTransfer * Float(taskUpdates.dropFirst().reduce(0, +))
      : Float(taskUpdates[t])
    return 2 + span * exp(-progress / timeScale) + (t == 0 ? mainOverfit : 0)
  }

  /// The rise of the main validation loss from overfitting (0 before `overfitOnset` main updates).
  private var mainOverfit: Float { overfitRate * max(0, Float(taskUpdates[0]) - overfitOnset) / 1000 }

  /// Starts a run: no updates, the check of the untrained model at step 0.
  public func reset(seed: UInt64) {
    rng = SeededRandom(seed: seed ^ 0x4D_7A5C)
    stepCount = 0
    for t in taskUpdates.indices {
      taskUpdates[t] = 0
      recentLoss[t] = []
    }
    checks = []
    bestValidationError = .infinity
    check()
  }

  /// One update of task `action`; a check every `checkEvery` steps.
  public func step(_ action: Int) {
    let t = min(max(action, 0), taskUpdates.count - 1)
    taskUpdates[t] += 1
    let fit = t == 0 ? mainOverfit : 0
    recentLoss[t].append(expectedValidationLoss(t) - 0.1 - 2 * fit + rng.normal(std: trainingNoise))
    if recentLoss[t].count > 10 { recentLoss[t].removeFirst() }
    stepCount += 1
    if stepCount % checkEvery == 0 { check() }
  }

  private func check() {
    for t in validationLoss.indices { validationLoss[t] = expectedValidationLoss(t) }
    let perplexity = exp(validationLoss[0] + rng.normal(std: checkNoise))
    checks.append(ValidationCheck(step: stepCount, error: perplexity, extra: validationLoss[0]))
    bestValidationError = min(bestValidationError, perplexity)
  }

  /// Per task: (mean recent training loss − 2)/3 (0 before its first update) and (validation loss − 2)/3.
  public func features() -> [Float] {
    taskUpdates.indices.flatMap { t -> [Float] in
      let train = recentLoss[t].isEmpty ? 0 : (recentLoss[t].reduce(0, +) / Float(recentLoss[t].count) - 2) / 3
      return [train, (validationLoss[t] - 2) / 3]
    }
  }

  /// The latest training loss of each task (its validation loss before its first update).
  public var latestLosses: [Float] { taskUpdates.indices.map { recentLoss[$0].last ?? validationLoss[$0] } }
  /// Whether `maxSteps` steps have been taken.
  public var isFinished: Bool { stepCount >= maxSteps }
  /// `"step cap"` once finished, empty before.
  public var stopReason: String { isFinished ? "step cap" : "" }
  /// The same as ``bestValidationError``.
  public func testError() -> Float { bestValidationError }
  /// −log of the best perplexity.
  public func reward(bestValidationError: Float) -> Float { -log(bestValidationError) }
  /// The share of main-task updates so far.
  public var mainShare: Float { Float(taskUpdates[0]) / Float(max(stepCount, 1)) }
}
