/// The validation checks of one training run and the paper's stopping rule: stop after
/// `patienceChecks` checks in a row without a lower error, or at `maxSteps` steps.
public struct ValidationHistory: Sendable {
  /// Checks in a row without a lower error after which training stops.
  public let patienceChecks: Int
  /// Steps after which training stops.
  public let maxSteps: Int
  /// Every check so far.
  public private(set) var checks: [ValidationCheck] = []
  /// The lowest error so far.
  public private(set) var bestError: Float = .infinity
  /// Checks since the last new best.
  public private(set) var checksSinceBest = 0

  /// An empty history.
  ///
  /// - Parameters:
  ///   - patienceChecks: stop after this many checks in a row without a lower error.
  ///   - maxSteps: stop after this many steps.
  public init(patienceChecks: Int, maxSteps: Int) {
    self.patienceChecks = patienceChecks
    self.maxSteps = maxSteps
  }

  /// Records a check; returns whether it is a new best (the caller keeps that checkpoint).
  @discardableResult
  public mutating func record(_ check: ValidationCheck) -> Bool {
    checks.append(check)
    if check.error < bestError {
      bestError = check.error
      checksSinceBest = 0
      return true
    }
    checksSinceBest += 1
    return false
  }

  /// Why training ends after `stepCount` steps (`"patience"`, `"step cap"`), empty while it runs.
  public func stopReason(stepCount: Int) -> String {
    if checksSinceBest >= patienceChecks { return "patience" }
    if stepCount >= maxSteps { return "step cap" }
    return ""
  }
}
