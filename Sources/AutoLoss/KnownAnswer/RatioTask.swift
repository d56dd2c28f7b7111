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
  public let actionNames = ["block 0", "block 1"]
  public let lossNames = ["loss"]
  public let featureNames = ["constant"]
  public let featureGroups: [(name: String, indices: [Int])] = [("constant", [0])]
  public let steps: Int
  /// The best share of action 1.
  public let targetRatio: Float
  /// The rate k.
  public let rate: Float
  public private(set) var stepCount = 0
  public private(set) var checks: [ValidationCheck] = []
  public private(set) var bestValidationError: Float = .infinity
  private var counts = [0, 0]

  public init(steps: Int = 100, targetRatio: Float = 0.7, rate: Float = 4) {
    self.steps = max(1, steps)
    self.targetRatio = targetRatio
    self.rate = rate
  }

  /// The loss after a share `r` of action-1 steps.
  public func loss(ratio r: Float) -> Float {
    exp(-rate * (1 - r)) + exp(rate * (2 * targetRatio - 1)) * exp(-rate * r)
  }

  public func reset(seed: UInt64) {
    stepCount = 0
    counts = [0, 0]
    checks = []
    bestValidationError = .infinity
  }

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

  public func features() -> [Float] { [1] }
  public var latestLosses: [Float] { [currentLoss] }
  public var isFinished: Bool { stepCount >= steps }
  public var stopReason: String { isFinished ? "step cap" : "" }
  public func testError() -> Float { bestValidationError }

  public func reward(bestValidationError: Float) -> Float {
    -10 * log(bestValidationError / loss(ratio: targetRatio))
  }
}
