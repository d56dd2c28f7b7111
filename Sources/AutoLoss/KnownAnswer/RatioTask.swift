import Engine
import Foundation

/// Known-answer task (b), ratio-only: two parameter blocks, action m trains block m; after n0 and
/// n1 steps the loss is L = e^(−k·n0/T) + w·e^(−k·n1/T) with w = e^(k(2p* − 1)), so the best split
/// is n1/T = p* whatever the order. The controller sees only a constant feature: the best policy is
/// the fixed ratio P(action 1) = p*.
///
/// Reward = −10·log(L_T / L*) (0 at the optimum, L* = the loss at n1/T = p*); one validation
/// check at the end.
public final class RatioTask: AlternatingTask {
  /// Action m trains block m.
  public let actionNames = ["block 0", "block 1"]
  /// The one loss L.
  public let lossNames = ["loss"]
  /// A single constant feature (1).
  public let featureNames = ["constant"]
  /// One group, `"constant"`.
  public let featureGroups: [(name: String, indices: [Int])] = [("constant", [0])]
  /// Steps per episode T.
  public let steps: Int
  /// The best share of action 1.
  public let targetRatio: Float
  /// The rate k.
  public let rate: Float
  /// Steps taken in this episode.
  public private(set) var stepCount = 0
  /// The single check after step T (empty before).
  public private(set) var checks: [ValidationCheck] = []
  /// L_T once the episode is over, ∞ before.
  public private(set) var bestValidationError: Float = .infinity
  private var counts = [0, 0]

  /// Creates the task.
  ///
  /// - Parameters:
  ///   - steps: Steps per episode T (at least 1).
  ///   - targetRatio: The optimal share p* of action 1.
  ///   - rate: The rate k.
  public init(steps: Int = 100, targetRatio: Float = 0.7, rate: Float = 4) {
    self.steps = max(1, steps)
    self.targetRatio = targetRatio
    self.rate = rate
  }

  /// The loss after a share `r` of action-1 steps.
  public func loss(ratio r: Float) -> Float {
    exp(-rate * (1 - r)) + exp(rate * (2 * targetRatio - 1)) * exp(-rate * r)
  }

  /// Starts a new episode with no steps taken (the task has no randomness).
  public func reset(seed: UInt64) {
    stepCount = 0
    counts = [0, 0]
    checks = []
    bestValidationError = .infinity
  }

  /// Counts one step of `action` (any action other than 1 counts as 0); records the check after step T.
  public func step(_ action: Int) {
    counts[action == 1 ? 1 : 0] += 1
    stepCount += 1
    if stepCount == steps {
      let l = currentLoss
      checks.append(ValidationCheck(step: stepCount, error: l))
      bestValidationError = l
    }
  }

  var currentLoss: Float {
    let t = Float(steps)
    return exp(-rate * Float(counts[0]) / t) + exp(rate * (2 * targetRatio - 1)) * exp(-rate * Float(counts[1]) / t)
  }

  /// Always `[1]`.
  public func features() -> [Float] { [1] }
  /// The loss L for the steps taken so far.
  public var latestLosses: [Float] { [currentLoss] }
  /// Whether T steps have been taken.
  public var isFinished: Bool { stepCount >= steps }
  /// `"step cap"` once finished, empty before.
  public var stopReason: String { isFinished ? "step cap" : "" }
  /// The same as ``bestValidationError``.
  public func testError() -> Float { bestValidationError }

  /// −10·log(L_T / L*): 0 at the optimum, negative elsewhere.
  public func reward(bestValidationError: Float) -> Float {
    -10 * log(bestValidationError / loss(ratio: targetRatio))
  }
}
