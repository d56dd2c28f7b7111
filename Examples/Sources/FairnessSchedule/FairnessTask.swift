import AutoLoss
import Engine

/// Synthetic loans: features 0 and 1 are shifted by a group attribute s ∈ {0, 1}, so a classifier
/// trained for accuracy alone approves the two groups at different rates. `x` is `[n, 5]` (a bias
/// column last).
struct FairnessData {
  let x: Variable, y: Tensor, labels: [Float]
  /// `[n, 1]`: 1/n₁ for group 1, −1/n₀ for group 0, so Σ pᵢ·parityᵢ is the demographic-parity gap.
  let parity: Variable

  init(count n: Int, seed: UInt64) {
    var rng = SeededRandom(seed: seed)
    let groups: [Float] = (0..<n).map { _ in rng.uniform() < 0.5 ? 1 : 0 }
    let f = groups.map { s in (0..<4).map { j in rng.normal() + (j < 2 ? 1.2 * s : 0) } }
    labels = f.map { $0[0] + $0[1] + $0[2] - $0[3] + rng.normal() > 1 ? 1 : 0 }
    x = Variable(Tensor(shape: [n, 5], data: f.flatMap { $0 + [1] }))
    y = Tensor(shape: [n, 1], data: labels)
    let n1 = groups.reduce(0, +)
    parity = Variable(Tensor(shape: [n, 1], data: groups.map { $0 / n1 - (1 - $0) / (Float(n) - n1) }))
  }
}

/// Logistic regression with a demographic-parity penalty: action 0 is an Adam step on the
/// cross-entropy, action 1 an Adam step on λ·gap². The validation error is (1 − accuracy) + |gap|
/// of the hard decisions, so a schedule has to trade accuracy for fairness. Adopting
/// `JointObjectiveTask` (optional) lets the joint-objective baseline run on it too.
final class FairnessTask: AlternatingTask, JointObjectiveTask {
  let actionNames = ["task step", "fairness step"]
  let lossNames = ["cross-entropy", "lambda*gap^2"]
  let featureNames = ["progress", "cross-entropy", "lambda*gap^2", "last validation error", "best validation error"]
  let featureGroups: [(name: String, indices: [Int])] = [("progress", [0]), ("loss", [1, 2]), ("validation", [3, 4])]
  let train = FairnessData(count: 400, seed: 1), validation = FairnessData(count: 400, seed: 2)
  let test = FairnessData(count: 400, seed: 3)
  let lambda: Float = 4, validateEvery = 10, maxSteps = 300
  var w = Variable(Tensor(shape: [5, 1], repeating: 0)), best = Tensor(shape: [5, 1], repeating: 0)
  var adam = Adam(learningRate: 0.05), history = ValidationHistory(patienceChecks: 5, maxSteps: 300)
  private(set) var stepCount = 0, latestLosses: [Float] = [0, 0]

  func reset(seed: UInt64) {
    var rng = SeededRandom(seed: seed)
    w = Variable(rng.normalTensor([5, 1], std: 0.1), requiresGrad: true)
    (adam, history, stepCount, best) = (Adam(learningRate: 0.05), .init(patienceChecks: 5, maxSteps: 300), 0, w.value)
  }

  func step(_ action: Int) { stepJoint(weights: action == 0 ? [1, 0] : [0, 1]) }

  /// One Adam step on weights[0]·cross-entropy + weights[1]·λ·gap², then a validation check when due.
  func stepJoint(weights: [Float]) {
    w.zeroGrad()
    let logits = matmul(train.x, w)
    let ce = bceWithLogits(logits, targets: train.y)
    let fair = (logits.sigmoid() * train.parity).sum().square() * lambda
    latestLosses = [ce.value.scalar, fair.value.scalar]
    (ce * weights[0] + fair * weights[1]).backward()
    adam.step([w])
    stepCount += 1
    guard stepCount % validateEvery == 0 else { return }
    if history.record(ValidationCheck(step: stepCount, error: error(validation, w.value))) { best = w.value }
  }

  /// (1 − accuracy) + |parity gap| of the decisions σ(x·w) > ½ on `d`.
  func error(_ d: FairnessData, _ weights: Tensor) -> Float {
    let decisions = matmul(d.x, Variable(weights)).value.data.map { Float($0 > 0 ? 1 : 0) }
    let wrong = zip(decisions, d.labels).filter { $0 != $1 }.count
    let gap = zip(decisions, d.parity.value.data).map(*).reduce(0, +)
    return Float(wrong) / Float(decisions.count) + Swift.abs(gap)
  }

  func features() -> [Float] {
    let (progress, last) = (Float(stepCount) / Float(maxSteps), checks.last?.error ?? 1)
    return [progress, latestLosses[0], latestLosses[1], last, min(bestValidationError, 1)]
  }

  var checks: [ValidationCheck] { history.checks }
  var bestValidationError: Float { history.bestError }
  var isFinished: Bool { !stopReason.isEmpty }
  var stopReason: String { history.stopReason(stepCount: stepCount) }
  func testError() -> Float { error(test, best) }
  func reward(bestValidationError: Float) -> Float { 10 * (1 - bestValidationError) }
}
