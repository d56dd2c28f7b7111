import XCTest

@testable import Engine

/// Checks the analytic gradients of `f` with respect to every input against central finite
/// differences. The scalar checked is sum(f(inputs) * R) for a fixed random R, so every output
/// element contributes. Inputs must be leaf variables with `requiresGrad: true`.
func gradientCheck(
  _ inputs: [Variable], eps: Float = 1e-2, tolerance: Float = 2e-2, seed: UInt64 = 7,
  file: StaticString = #filePath, line: UInt = #line, _ f: ([Variable]) -> Variable
) {
  var rng = SeededRandom(seed: seed)
  let probe = f(inputs)
  let projection = rng.uniformTensor(probe.shape, -1, 1)
  func objective() -> Double {
    let out = GradMode.withoutRecording { f(inputs) }.value
    var s = 0.0
    for i in 0..<out.count { s += Double(out.data[i]) * Double(projection.data[i]) }
    return s
  }
  for x in inputs { x.zeroGrad() }
  let y = f(inputs)
  (y * Variable(projection)).sum().backward()
  for (k, x) in inputs.enumerated() {
    let analytic = x.grad ?? Tensor.zeros(x.shape)
    var numeric = [Float](repeating: 0, count: x.value.count)
    for i in 0..<x.value.count {
      let saved = x.value.data[i]
      x.value.data[i] = saved + eps
      let up = objective()
      x.value.data[i] = saved - eps
      let down = objective()
      x.value.data[i] = saved
      numeric[i] = Float((up - down) / Double(2 * eps))
    }
    var diff: Float = 0
    var scale: Float = 1e-3
    for i in 0..<numeric.count {
      diff = max(diff, abs(numeric[i] - analytic.data[i]))
      scale = max(scale, abs(numeric[i]))
    }
    XCTAssertLessThanOrEqual(
      diff / scale, tolerance,
      "input \(k) shape \(x.shape): max |numeric - analytic| = \(diff), scale \(scale)", file: file, line: line)
  }
}

/// A leaf variable with uniform random values in [low, high).
func randomVariable(_ shape: [Int], seed: UInt64, low: Float = -1, high: Float = 1) -> Variable {
  var rng = SeededRandom(seed: seed)
  return Variable(rng.uniformTensor(shape, low, high), requiresGrad: true)
}
