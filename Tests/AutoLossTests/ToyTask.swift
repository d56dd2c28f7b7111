import AutoLoss
import Engine

/// A toy alternating task for tests: an error that action 1 lowers and action 0 barely changes,
/// with one feature (progress). The best schedule always takes action 1.
final class ToyTask: JointObjectiveTask, ThresholdSignalTask {
  let actionNames = ["slow", "fast"]
  let lossNames = ["error"]
  let featureNames = ["progress", "bias"]
  let featureGroups: [(name: String, indices: [Int])] = [("progress", [0]), ("bias", [1])]
  let maxSteps: Int
  private(set) var stepCount = 0
  private(set) var checks: [ValidationCheck] = []
  private(set) var bestValidationError: Float = .infinity
  private var error: Float = 1

  init(maxSteps: Int = 20) { self.maxSteps = maxSteps }

  func reset(seed: UInt64) {
    stepCount = 0
    error = 1
    checks = [ValidationCheck(step: 0, error: 1)]
    bestValidationError = 1
  }

  func step(_ action: Int) {
    error *= action == 1 ? 0.9 : 0.99
    stepCount += 1
    checks.append(ValidationCheck(step: stepCount, error: error))
    bestValidationError = min(bestValidationError, error)
  }

  func stepJoint(weights: [Float]) { step(weights[1] > weights[0] ? 1 : 0) }
  func features() -> [Float] { [Float(stepCount) / Float(maxSteps), 1] }
  var latestLosses: [Float] { [error] }
  var thresholdSignals: ThresholdSignals {
    ThresholdSignals(
      validationTaskLoss: error, trainingTaskLoss: 1, regularizationLoss: 0.5, regularizationGradientNorm: 2,
      taskGradientNorm: 1)
  }
  var isFinished: Bool { stepCount >= maxSteps }
  var stopReason: String { isFinished ? "step cap" : "" }
  func testError() -> Float { bestValidationError }
  func reward(bestValidationError: Float) -> Float { 1 / bestValidationError }
}
