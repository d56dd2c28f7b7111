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
  public let actionNames = ["when negative", "when positive"]
  public let lossNames = ["loss"]
  public let featureNames = ["signal", "progress"]
  public let featureGroups: [(name: String, indices: [Int])] = [("signal", [0]), ("progress", [1])]
  /// Steps per episode T.
  public let steps: Int
  /// Probability that the signal flips after a step.
  public let flipProbability: Float
  /// Log-loss change per step δ.
  public let delta: Float
  public private(set) var stepCount = 0
  public private(set) var checks: [ValidationCheck] = []
  public private(set) var bestValidationError: Float = .infinity
  /// The signal the next step is judged by.
  public private(set) var signal: Float = 1
  private var logLoss: Float = 0
  private var rng = SeededRandom(seed: 0)

  public init(steps: Int = 50, flipProbability: Float = 0.1, delta: Float = 0.02) {
    self.steps = max(1, steps)
    self.flipProbability = flipProbability
    self.delta = delta
  }

  /// The action that lowers the loss under `signal`.
  public static func correctAction(signal: Float) -> Int { signal > 0 ? 1 : 0 }

  public func reset(seed: UInt64) {
    rng = SeededRandom(seed: seed ^ 0x516_4A1)
    stepCount = 0
    logLoss = 0
    checks = []
    bestValidationError = .infinity
    signal = rng.uniformDouble() < 0.5 ? -1 : 1
  }

  public func step(_ action: Int) {
    logLoss += action == Self.correctAction(signal: signal) ? -delta : delta
    stepCount += 1
    if rng.uniform() < flipProbability { signal = -signal }
    if stepCount == steps {
      checks.append(ValidationCheck(step: stepCount, error: exp(logLoss)))
      bestValidationError = exp(logLoss)
    }
  }

  public func features() -> [Float] { [signal, Float(stepCount) / Float(steps)] }
  public var latestLosses: [Float] { [exp(logLoss)] }
  public var isFinished: Bool { stepCount >= steps }
  public var stopReason: String { isFinished ? "step cap" : "" }
  public func testError() -> Float { bestValidationError }

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
