import XCTest

@testable import Engine

/// The fused dense layer (`linear(_:_:bias:)`) against finite differences and against the unfused
/// `matmul(x, W) + b` it replaces (values and gradients must be identical: same operations, same order).
final class LinearFusionTests: XCTestCase {
  func testGradients() {
    // 11 outputs: one 8-lane block and a scalar tail in the bias kernels
    let x = randomVariable([5, 4], seed: 1)
    let w = randomVariable([4, 11], seed: 2)
    let b = randomVariable([11], seed: 3)
    gradientCheck([x, w, b]) { linear($0[0], $0[1], bias: $0[2]) }
    gradientCheck([x, w]) { linear($0[0], $0[1], bias: nil) }
  }

  func testMatchesUnfusedOps() {
    for (rows, inputs, outputs) in [(7, 5, 19), (3, 16, 8), (1, 3, 1)] {
      let x = randomVariable([rows, inputs], seed: 4)
      let w = randomVariable([inputs, outputs], seed: 5)
      let b = randomVariable([outputs], seed: 6)
      var rng = SeededRandom(seed: 9)
      let seed = rng.normalTensor([rows, outputs])
      let fused = linear(x, w, bias: b)
      fused.backward(seed: seed)
      let fusedGrads = [x, w, b].map { $0.grad }
      for v in [x, w, b] { v.zeroGrad() }
      let plain = matmul(x, w) + b
      plain.backward(seed: seed)
      XCTAssertEqual(fused.value, plain.value)
      for (k, v) in [x, w, b].enumerated() {
        XCTAssertEqual(fusedGrads[k], v.grad, "input \(k), shape \(rows)x\(outputs)")
      }
    }
  }

  func testLayerUsesTheSwitch() {
    var rng = SeededRandom(seed: 11)
    let layer = Linear(6, 10, rng: &rng)
    let x = Variable(rng.normalTensor([4, 6]))
    let saved = Fusion.linear
    defer { Fusion.linear = saved }
    Fusion.linear = true
    let fused = layer(x).value
    Fusion.linear = false
    XCTAssertEqual(fused, layer(x).value)
  }
}
