import XCTest

@testable import Engine

/// A leaf `[shape]` of distinct values (a shuffled ramp with gaps of 0.05) so that max pooling has no ties.
private func distinctVariable(_ shape: [Int], seed: UInt64) -> Variable {
  var rng = SeededRandom(seed: seed)
  let n = shape.reduce(1, *)
  let values = rng.permutation(n).map { Float($0) * 0.05 - 1 }
  return Variable(Tensor(shape: shape, data: values), requiresGrad: true)
}

final class PoolTests: XCTestCase {
  func testMaxPoolValues() {
    let x = Variable(Tensor(shape: [1, 1, 4, 4], data: (0..<16).map(Float.init)), requiresGrad: true)
    let y = maxPool2d(x)
    XCTAssertEqual(y.value, Tensor(shape: [1, 1, 2, 2], data: [5, 7, 13, 15]))
    y.sum().backward()
    var expected = [Float](repeating: 0, count: 16)
    for i in [5, 7, 13, 15] { expected[i] = 1 }
    XCTAssertEqual(x.grad?.data, expected)
  }

  func testMaxPoolShapes() {
    let x = Variable(Tensor.zeros([2, 3, 7, 5]))
    XCTAssertEqual(maxPool2d(x).shape, [2, 3, 3, 2])
    XCTAssertEqual(maxPool2d(x, padding: .same).shape, [2, 3, 4, 3])
    XCTAssertEqual(maxPool2d(x, kernelSize: 3, stride: 1).shape, [2, 3, 5, 3])
    XCTAssertEqual(maxPool2d(x, kernelSize: 3, stride: 2, padding: .explicit(1)).shape, [2, 3, 4, 3])
    XCTAssertEqual(MaxPool2d()(Variable(Tensor.zeros([1, 1, 28, 28]))).shape, [1, 1, 14, 14])
  }

  func testSamePaddingIgnoresPadding() {
    // all-negative input: padded cells must not win
    let x = Variable(Tensor(shape: [1, 1, 3, 3], data: (1...9).map { -Float($0) }))
    XCTAssertEqual(maxPool2d(x, padding: .same).value.data, [-1, -3, -7, -9])
  }

  func testMaxPoolGradients() {
    for (k, s, padding, h, w) in [
      (2, 2, ConvPadding.valid, 4, 6), (2, 2, .valid, 5, 7), (2, 2, .same, 5, 3), (3, 2, .explicit(1), 5, 6),
      (3, 1, .valid, 4, 4),
    ] {
      let x = distinctVariable([2, 2, h, w], seed: UInt64(h * 10 + w))
      gradientCheck([x], eps: 1e-3) { v in maxPool2d(v[0], kernelSize: k, stride: s, padding: padding) }
    }
  }

  func testMaxPoolMatchesPyTorch() throws {
    let x = Variable(try loadConvFixture("conv_norm_fixtures", "maxpool/input"), requiresGrad: true)
    let r = try loadConvFixture("conv_norm_fixtures", "maxpool/projection")
    let y = maxPool2d(x, kernelSize: 2, stride: 2)
    assertConvClose(y.value, try loadConvFixture("conv_norm_fixtures", "maxpool/output"), "maxpool output")
    (y * Variable(r)).sum().backward()
    assertConvClose(x.grad!, try loadConvFixture("conv_norm_fixtures", "maxpool/grad_input"), "maxpool dx")
  }
}
