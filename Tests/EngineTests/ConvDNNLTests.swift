import XCTest

@testable import Engine

/// The oneDNN convolution path against the im2col + OpenBLAS path on the layer shapes of the DCGAN
/// and the scorer (small batch and widths): outputs and every gradient agree. The PyTorch fixtures
/// and gradient checks in ConvTests run through whichever path ``DNNLConv/preferred(_:)`` picks.
final class ConvDNNLTests: XCTestCase {
  /// The output and the gradients of sum(out · r) of one convolution with convolutions through
  /// oneDNN on or off.
  private func run(_ dnnl: Bool, _ body: ([Variable]) -> Variable, _ inputs: [Variable]) -> [Tensor] {
    let saved = (DNNL.convolutions, DNNL.convolutionRoute)
    DNNL.convolutions = dnnl
    // the direct primitives wherever they run (the measured route takes im2col for strided convolutions)
    DNNL.convolutionRoute = .directFirst
    defer { (DNNL.convolutions, DNNL.convolutionRoute) = saved }
    for v in inputs { v.zeroGrad() }
    let y = body(inputs)
    let r = randomVariable(y.shape, seed: 99)
    (y * r).sum().backward()
    return [y.value] + inputs.map { $0.grad ?? Tensor.zeros($0.shape) }
  }

  private func assertPathsAgree(
    _ inputs: [Variable], _ what: String, file: StaticString = #filePath, line: UInt = #line,
    _ body: @escaping ([Variable]) -> Variable
  ) {
    let a = run(true, body, inputs)
    let b = run(false, body, inputs)
    for (i, (x, y)) in zip(a, b).enumerated() {
      assertConvClose(x, y, tol: 1e-4, "\(what) tensor \(i)", file: file, line: line)
    }
  }

  func testOneDNNIsAvailableForTheGANShapes() throws {
    try XCTSkipUnless(DNNL.available, "oneDNN engine not available")
    let g = ConvGeometry.conv(inH: 14, inW: 14, kh: 5, kw: 5, stride: 2, padding: .same)
    let shape = DNNLConvShape(transposed: false, n: 4, c: 8, h: 14, w: 14, o: 16, g, bias: true)
    for kind in [DNNLConvKind.forward, .backwardData, .backwardWeights] {
      XCTAssertNotNil(DNNLConvPlan.plan(shape, kind), "\(kind)")
    }
  }

  func testConv2dPathsAgree() {
    for (c, o, h, stride, padding) in [
      (1, 8, 28, 2, ConvPadding.same), (8, 16, 14, 2, .same), (1, 4, 28, 1, .same), (4, 6, 14, 1, .valid),
      (3, 5, 9, 2, .explicit(2)),
    ] {
      let x = randomVariable([3, c, h, h], seed: 1)
      let w = randomVariable([o, c, 5, 5], seed: 2)
      let b = randomVariable([o], seed: 3)
      assertPathsAgree([x, w, b], "conv2d c\(c) o\(o) h\(h) s\(stride)") {
        conv2d($0[0], $0[1], bias: $0[2], stride: stride, padding: padding)
      }
    }
  }

  func testConvTranspose2dPathsAgree() {
    for (c, o, h, padding, outPad) in [
      (16, 8, 7, ConvPadding.same, 0), (8, 1, 14, .same, 0), (4, 3, 7, .explicit(2), 1), (3, 2, 4, .valid, 0),
    ] {
      let x = randomVariable([3, c, h, h], seed: 4)
      let w = randomVariable([c, o, 5, 5], seed: 5)
      let b = randomVariable([o], seed: 6)
      assertPathsAgree([x, w, b], "convTranspose2d c\(c) o\(o) h\(h)") {
        convTranspose2d($0[0], $0[1], bias: $0[2], stride: 2, padding: padding, outputPadding: outPad)
      }
    }
  }

  func testInputWithoutGradientAndNoBias() {
    let x = Variable(randomVariable([2, 4, 14, 14], seed: 7).value)
    let w = randomVariable([8, 4, 5, 5], seed: 8)
    assertPathsAgree([x, w], "conv2d no input gradient") { conv2d($0[0], $0[1], stride: 2, padding: .same) }
  }
}
