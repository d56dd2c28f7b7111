import XCTest

@testable import Engine

final class DropoutTests: XCTestCase {
  func testInvertedScalingAndRate() {
    var rng = SeededRandom(seed: 1)
    let x = Variable(Tensor.ones([100, 100]), requiresGrad: true)
    let y = dropout(x, p: 0.3, rng: &rng)
    let kept = y.value.data.filter { $0 != 0 }
    XCTAssertTrue(kept.allSatisfy { abs($0 - 1 / 0.7) < 1e-6 })
    XCTAssertEqual(Float(kept.count) / 10_000, 0.7, accuracy: 0.02)
    XCTAssertEqual(y.value.mean(), 1, accuracy: 0.03)
    // gradient uses the same mask and scale
    y.sum().backward()
    XCTAssertEqual(x.grad!.data, y.value.data)
  }

  func testIdentityInEvaluationAndSeeded() {
    var rng = SeededRandom(seed: 2)
    let x = Variable(rng.normalTensor([4, 5]))
    let layer = Dropout(0.5)
    layer.training = false
    XCTAssertTrue(layer(x, rng: &rng) === x)
    XCTAssertTrue(dropout(x, p: 0, rng: &rng) === x)
    layer.training = true
    var a = SeededRandom(seed: 9)
    var b = SeededRandom(seed: 9)
    XCTAssertEqual(layer(x, rng: &a).value, layer(x, rng: &b).value)
    XCTAssertEqual(dropout(x, p: 1, rng: &a).value, Tensor.zeros([4, 5]))
  }

  func testGradientCheck() {
    let x = randomVariable([3, 4], seed: 5)
    gradientCheck([x]) { v in
      var rng = SeededRandom(seed: 77)  // the same mask on every call
      return dropout(v[0], p: 0.4, rng: &rng)
    }
  }
}
