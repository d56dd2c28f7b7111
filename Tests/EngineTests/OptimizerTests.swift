import XCTest

@testable import Engine

final class OptimizerTests: XCTestCase {
  func testAdamFirstStepMovesByLearningRate() {
    // With bias correction, the first Adam step is lr * g / (|g| + eps) = lr * sign(g).
    let w = Variable(Tensor(shape: [2], data: [1, -1]), requiresGrad: true)
    w.grad = Tensor(shape: [2], data: [0.3, -5])
    let adam = Adam(learningRate: 0.1)
    adam.step([w])
    XCTAssertEqual(w.value.data[0], 0.9, accuracy: 1e-5)
    XCTAssertEqual(w.value.data[1], -0.9, accuracy: 1e-5)
  }

  func testAdamMatchesReferenceRecurrence() {
    let w = Variable(Tensor(shape: [1], data: [0.5]), requiresGrad: true)
    let adam = Adam(learningRate: 0.01, beta1: 0.5, beta2: 0.9, epsilon: 1e-8)
    var m = 0.0
    var v = 0.0
    var x = 0.5
    for t in 1...5 {
      let g = 2 * x  // d/dx x^2
      w.grad = Tensor(shape: [1], data: [Float(g)])
      adam.step([w])
      m = 0.5 * m + 0.5 * g
      v = 0.9 * v + 0.1 * g * g
      let lr = 0.01 * (1 - pow(0.9, Double(t))).squareRoot() / (1 - pow(0.5, Double(t)))
      x -= lr * m / (v.squareRoot() + 1e-8)
      XCTAssertEqual(Double(w.value.data[0]), x, accuracy: 1e-6)
    }
  }

  func testSharedAdamStateAcrossActionsVersusSeparate() {
    let w = Variable(Tensor(shape: [1], data: [0]), requiresGrad: true)
    let shared = Adam(learningRate: 0.1)
    w.grad = Tensor(shape: [1], data: [1])
    shared.step([w])
    w.grad = Tensor(shape: [1], data: [-1])
    shared.step([w])
    XCTAssertEqual(shared.stepCount, 2)
    // The second step sees the first step's momentum: it moves less than a fresh optimizer would.
    let afterShared = w.value.data[0]
    let w2 = Variable(Tensor(shape: [1], data: [-0.1]), requiresGrad: true)
    w2.grad = Tensor(shape: [1], data: [-1])
    Adam(learningRate: 0.1).step([w2])
    XCTAssertLessThan(abs(afterShared - (-0.1)), abs(w2.value.data[0] - (-0.1)))
  }

  func testSGDMomentum() {
    let w = Variable(Tensor(shape: [1], data: [1]), requiresGrad: true)
    let sgd = SGD(learningRate: 0.1, momentum: 0.9)
    w.grad = Tensor(shape: [1], data: [1])
    sgd.step([w])
    XCTAssertEqual(w.value.data[0], 0.9, accuracy: 1e-6)
    sgd.step([w])
    XCTAssertEqual(w.value.data[0], 0.9 - 0.19, accuracy: 1e-6)
  }

  func testClippingAndNormalizedNorm() {
    let a = Variable(Tensor(shape: [2], data: [0, 0]), requiresGrad: true)
    let b = Variable(Tensor(shape: [2], data: [0, 0]), requiresGrad: true)
    a.grad = Tensor(shape: [2], data: [3, 0])
    b.grad = Tensor(shape: [2], data: [0, 4])
    XCTAssertEqual(normalizedGradientNorm([a, b]), 5 / 2, accuracy: 1e-6)
    XCTAssertEqual(clipGradients([a, b], maxNorm: 1), 5, accuracy: 1e-6)
    XCTAssertEqual(gradientNorm([a, b]), 1, accuracy: 1e-5)
  }

  func testLinearTrainsOnLinearData() {
    var rng = SeededRandom(seed: 2)
    let layer = Linear(3, 1, rng: &rng)
    let x = rng.normalTensor([64, 3])
    let trueW = Tensor(shape: [3, 1], data: [1, -2, 0.5])
    let y = BLAS.matmul(x, trueW)
    let adam = Adam(learningRate: 0.05)
    var loss: Float = 0
    for _ in 0..<300 {
      layer.zeroGrad()
      let l = mseLoss(layer(Variable(x)), y)
      l.backward()
      adam.step(layer.parameters)
      loss = l.value.scalar
    }
    XCTAssertLessThan(loss, 1e-3)
    XCTAssertEqual(layer.namedParameters.map(\.0), ["weight", "bias"])
  }
}
