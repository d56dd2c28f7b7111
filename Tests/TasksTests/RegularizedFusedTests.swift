import AutoLoss
import Engine
import XCTest

@testable import Tasks

/// The models' tape-free step (`taskLossAndGradient`, `evaluate`) against the tape on small random
/// problems, and whole task trajectories of both paths.
final class RegularizedFusedTests: XCTestCase {
  /// |a − b| ≤ tolerance · max(1, |b|) elementwise.
  func assertClose(_ a: [Float], _ b: [Float], _ tolerance: Float, _ what: String, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, what, line: line)
    for (i, (x, y)) in zip(a, b).enumerated() where !(abs(x - y) <= tolerance * max(1, abs(y))) {
      XCTFail("\(what)[\(i)]: fused \(x), tape \(y)", line: line)
      return
    }
  }

  func tapeGradients(_ model: RegularizedModel, _ split: SupervisedSplit, scale: Float) -> (Float, [[Float]]) {
    model.zeroGrad()
    let loss = model.taskLoss(split)
    (loss * scale).backward()
    return (loss.value.scalar, model.parameters.map { $0.grad?.data ?? [] })
  }

  func fusedGradients(_ model: RegularizedModel, _ split: SupervisedSplit, scale: Float) -> (Float, [[Float]]) {
    model.zeroGrad()
    let loss = model.taskLossAndGradient(split, scale: scale)
    return (loss, model.parameters.map { $0.grad?.data ?? [] })
  }

  func regressionSplit(n: Int, d: Int, rng: inout SeededRandom) -> SupervisedSplit {
    SupervisedSplit(x: rng.normalTensor([n, d]), y: rng.normalTensor([n], std: 3))
  }

  func classificationSplit(n: Int, d: Int, classes: Int, rng: inout SeededRandom) -> SupervisedSplit {
    SupervisedSplit(x: rng.normalTensor([n, d]), labels: (0..<n).map { _ in rng.int(below: classes) })
  }

  func testQuadraticRegressorGradientMatchesTape() {
    var rng = SeededRandom(seed: 11)
    for (n, d) in [(13, 5), (7, 1), (40, 9)] {
      let model = QuadraticRegressor(inputSize: d, rng: &rng)
      let split = regressionSplit(n: n, d: d, rng: &rng)
      let scale: Float = n == 7 ? 0.25 : 1
      let tape = tapeGradients(model, split, scale: scale)
      let fused = fusedGradients(model, split, scale: scale)
      XCTAssertEqual(fused.0, tape.0, accuracy: 1e-5 * max(1, tape.0))
      for (k, (f, t)) in zip(fused.1, tape.1).enumerated() { assertClose(f, t, 1e-5, "n \(n) d \(d) grad \(k)") }
      let mse = GradMode.withoutRecording { model.taskLoss(split).value.scalar }
      XCTAssertEqual(model.evaluate(split).loss, mse, accuracy: 1e-5 * max(1, mse))
    }
  }

  func testMLPGradientMatchesTape() {
    var rng = SeededRandom(seed: 12)
    for (n, d, hidden, classes) in [(11, 6, 4, 3), (20, 3, 8, 2), (5, 4, 3, 5)] {
      let model = MLPClassifier(inputSize: d, hidden: hidden, classes: classes, rng: &rng)
      let split = classificationSplit(n: n, d: d, classes: classes, rng: &rng)
      let tape = tapeGradients(model, split, scale: 1)
      let fused = fusedGradients(model, split, scale: 1)
      XCTAssertEqual(fused.0, tape.0, accuracy: 1e-5 * max(1, tape.0))
      for (k, (f, t)) in zip(fused.1, tape.1).enumerated() { assertClose(f, t, 1e-5, "n \(n) grad \(k)") }
      // Some hidden units must be cut by the ReLU for the mask to be exercised.
      let preactivation = matmul(Variable(split.x), model.hiddenLayer.weight).value.data
      XCTAssertTrue(preactivation.contains { $0 < -0.1 })
      let reference = model.tapeEvaluate(split)
      let evaluated = model.evaluate(split)
      XCTAssertEqual(evaluated.loss, reference.loss, accuracy: 1e-5 * max(1, reference.loss))
      XCTAssertEqual(evaluated.error, reference.error)
    }
  }

  /// Both paths through whole task steps (task, L1 and joint, each followed by Adam) stay together.
  func assertTrajectoriesAgree(kind: RegularizedTaskKind, data: TaskData, tolerance: Float) {
    var config = kind == .regression ? RegularizedTaskConfig.regression : RegularizedTaskConfig.classification
    config.learningRate = 1e-2
    let fused = RegularizedTask(kind: kind, data: data, config: config)
    let tape = RegularizedTask(kind: kind, data: data, config: config)
    tape.usesTape = true
    fused.reset(seed: 5)
    tape.reset(seed: 5)
    var rng = SeededRandom(seed: 6)
    for step in 0..<40 {
      if step % 9 == 8 {
        fused.stepJoint(weights: [0.7, 0.3])
        tape.stepJoint(weights: [0.7, 0.3])
      } else {
        let action = rng.int(below: 2)
        fused.step(action)
        tape.step(action)
      }
      assertClose(fused.features(), tape.features(), tolerance, "features after step \(step)")
      assertClose(fused.latestLosses, tape.latestLosses, tolerance, "losses after step \(step)")
    }
    XCTAssertEqual(fused.checks.count, tape.checks.count)
    XCTAssertGreaterThan(fused.checks.count, 2)
  }

  func testRegressionTaskPathsAgree() {
    let (data, _) = TaskFixtures.regression(n: 30, d: 6)
    assertTrajectoriesAgree(kind: .regression, data: data, tolerance: 1e-4)
  }

  func testClassificationTaskPathsAgree() {
    assertTrajectoriesAgree(kind: .classification, data: TaskFixtures.classification(n: 40, d: 8), tolerance: 1e-4)
  }
}
