import Engine
import Foundation

/// Known-answer task (a), state-dependent: a visible signal s_t ∈ {−1, +1} flips with probability
/// `flipProbability` at every step; action 1 lowers the loss while s_t > 0 and action 0 while
/// s_t < 0 (factor e^−δ), the other action raises it (factor e^+δ).
///
/// The right policy (a_t = 1 exactly when s_t > 0) earns reward 10; every constant ratio earns 0 in
/// expectation (s is symmetric), so a controller that beats the best constant ratio must read s.
/// Reward = 10·(2c − 1) for the fraction c of correct choices: −log(L_T)·10/(δT). One validation
/// check at the end (the loss L_T); features: `[signal, progress]`.
public final class SignalFollowingTask: AlternatingTask {
  /// Action 0 is right while s < 0, action 1 while s > 0.
  public let actionNames = ["when negative", "when positive"]
  /// The one loss L.
  public let lossNames = ["loss"]
  /// The signal s_t and the progress t/T.
  public let featureNames = ["signal", "progress"]
  /// Two groups, `"signal"` and `"progress"`, one feature each.
  public let featureGroups: [(name: String, indices: [Int])] = [("signal", [0]), ("progress", [1])]
  /// Steps per episode T.
  public let steps: Int
  /// Probability that the signal flips after a step.
  public let flipProbability: Float
  /// Log-loss change per step δ.
  public let delta: Float
  /// Steps taken in this episode.
  public private(set) var stepCount = 0
  /// The single check after step T (empty before).
  public private(set) var checks: [ValidationCheck] = []
  /// L_T once the episode is over, ∞ before.
  public private(set) var bestValidationError: Float = .infinity
  /// The signal the next step is judged by.
  public private(set) var signal: Float = 1
  private var logLoss: Float = 0
  private var rng = SeededRandom(seed: 0)

  /// Creates the task.
  ///
  /// - Parameters:
  ///   - steps: Steps per episode T (at least 1).
  ///   - flipProbability: Probability that the signal flips after a step.
  ///   - delta: Log-loss change per step δ.
  public init(steps: Int = 50, flipProbability: Float = 0.1, delta: Float = 0.02) {
    self.steps = max(1, steps)
    self.flipProbability = flipProbability
    self.delta = delta
  }

  /// The action that lowers the loss under `signal`.
  public static func correctAction(signal: Float) -> Int { signal > 0 ? 1 : 0 }

  /// Starts a new episode: L = 1 and a signal drawn from `seed` (±1 with equal probability).
  public func reset(seed: UInt64) {
    rng = SeededRandom(seed: seed ^ 0x516_4A1)
    stepCount = 0
    logLoss = 0
    checks = []
    bestValidationError = .infinity
    signal = rng.uniformDouble() < 0.5 ? -1 : 1
  }

  /// Multiplies L by e^−δ when `action` is right for the current signal and by e^+δ otherwise, then flips the signal with probability `flipProbability`; records the check after step T.
  public func step(_ action: Int) {
    logLoss += action == Self.correctAction(signal: signal) ? -delta : delta
    stepCount += 1
    if rng.uniform() < flipProbability { signal = -signal }
    if stepCount == steps {
      checks.append(ValidationCheck(step: stepCount, error: exp(logLoss)))
      bestValidationError = exp(logLoss)
    }
  }

  /// `[s_t, t/T]`.
  public func features() -> [Float] { [signal, Float(stepCount) / Float(steps)] }
  /// The current loss L.
  public var latestLosses: [Float] { [exp(logLoss)] }
  /// Whether T steps have been taken.
  public var isFinished: Bool { stepCount >= steps }
  /// `"step cap"` once finished, empty before.
  public var stopReason: String { isFinished ? "step cap" : "" }
  /// The same as ``bestValidationError``.
  public func testError() -> Float { bestValidationError }

  /// −log(L_T)·10/(δT) = 10·(2c − 1) for the fraction c of correct choices.
  public func reward(bestValidationError: Float) -> Float {
    -log(bestValidationError) * 10 / (delta * Float(steps))
  }

  /// The fraction of steps of `trace` whose action matched the signal the controller saw
  /// (needs recorded features).
  public static func correctFraction(_ trace: EpisodeTrace) -> Float {
    let n = trace.actions.count
    guard n > 0, trace.features.count == 2 * n else { return .nan }
    var correct = 0
    for t in 0..<n where Int(trace.actions[t]) == correctAction(signal: trace.features[2 * t]) { correct += 1 }
    return Float(correct) / Float(n)
  }
}
