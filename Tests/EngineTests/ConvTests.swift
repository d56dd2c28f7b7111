import Foundation
import Store
import XCTest

@testable import Engine

/// Reads `group/name` from a fixture file in Tests/EngineTests/Fixtures as a tensor.
func loadConvFixture(_ file: String, _ path: String) throws -> Tensor {
  let url = try XCTUnwrap(
    Bundle.module.url(forResource: file, withExtension: "h5", subdirectory: "Fixtures"), "missing fixture \(file).h5")
  let f = try HDF5File.open(url.path)
  defer { f.close() }
  let a = try f.root.read(path, as: Float.self)
  return Tensor(shape: a.shape, data: a.values)
}

/// Asserts max |a − b| ≤ tol · max(1, max |b|).
func assertConvClose(
  _ a: Tensor, _ b: Tensor, tol: Float = 1e-4, _ what: String = "", file: StaticString = #filePath, line: UInt = #line
) {
  XCTAssertEqual(a.shape, b.shape, "\(what) shape", file: file, line: line)
  guard a.count == b.count else { return }
  var diff: Float = 0
  var scale: Float = 1
  for i in 0..<a.count {
    diff = max(diff, abs(a.data[i] - b.data[i]))
    scale = max(scale, abs(b.data[i]))
  }
  XCTAssertLessThanOrEqual(diff, tol * scale, "\(what): max diff \(diff), scale \(scale)", file: file, line: line)
}

/// Direct (loop) convolution for checking the im2col path: x [N,C,H,W], w [O,C,kh,kw].
private func directConv(_ x: Tensor, _ w: Tensor, _ b: Tensor?, stride: Int, padding: ConvPadding) -> Tensor {
  let (n, c, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
  let (o, kh, kw) = (w.shape[0], w.shape[2], w.shape[3])
  let g = ConvGeometry.conv(inH: h, inW: wd, kh: kh, kw: kw, stride: stride, padding: padding)
  var out = Tensor.zeros([n, o, g.outH, g.outW])
  for img in 0..<n {
    for oc in 0..<o {
      for oh in 0..<g.outH {
        for ow in 0..<g.outW {
          var s = b?.data[oc] ?? 0
          for ic in 0..<c {
            for i in 0..<kh {
              for j in 0..<kw {
                let ih = oh * stride - g.padTop + i
                let iw = ow * stride - g.padLeft + j
                if ih < 0 || ih >= h || iw < 0 || iw >= wd { continue }
                s += w.data[((oc * c + ic) * kh + i) * kw + j] * x.data[((img * c + ic) * h + ih) * wd + iw]
              }
            }
          }
          out.data[((img * o + oc) * g.outH + oh) * g.outW + ow] = s
        }
      }
    }
  }
  return out
}

final class ConvTests: XCTestCase {
  func testSameOutputSizes() {
    // TF SAME: out = ceil(in / s); pads split with the extra on the bottom/right
    XCTAssertEqual(ConvGeometry.convAxis(28, kernel: 5, stride: 2, padding: .same).out, 14)
    XCTAssertEqual(ConvGeometry.convAxis(28, kernel: 5, stride: 2, padding: .same).padBefore, 1)
    XCTAssertEqual(ConvGeometry.convAxis(14, kernel: 5, stride: 2, padding: .same).out, 7)
    XCTAssertEqual(ConvGeometry.convAxis(7, kernel: 5, stride: 2, padding: .same).out, 4)
    XCTAssertEqual(ConvGeometry.convAxis(7, kernel: 5, stride: 2, padding: .same).padBefore, 2)
    XCTAssertEqual(ConvGeometry.convAxis(7, kernel: 3, stride: 1, padding: .same).out, 7)
    XCTAssertEqual(ConvGeometry.convAxis(7, kernel: 3, stride: 1, padding: .valid).out, 5)
    XCTAssertEqual(ConvGeometry.convAxis(8, kernel: 3, stride: 2, padding: .valid).out, 3)
    XCTAssertEqual(ConvGeometry.convAxis(8, kernel: 3, stride: 2, padding: .explicit(1)).out, 4)
    XCTAssertEqual(ConvGeometry.transposedAxis(7, kernel: 5, stride: 2, padding: .same, outputPadding: 0).out, 14)
    XCTAssertEqual(ConvGeometry.transposedAxis(7, kernel: 5, stride: 2, padding: .same, outputPadding: 0).padBefore, 1)
    XCTAssertEqual(ConvGeometry.transposedAxis(14, kernel: 5, stride: 2, padding: .same, outputPadding: 0).out, 28)
    XCTAssertEqual(
      ConvGeometry.transposedAxis(7, kernel: 5, stride: 2, padding: .explicit(2), outputPadding: 1).out, 14)
    XCTAssertEqual(ConvGeometry.transposedAxis(7, kernel: 5, stride: 2, padding: .valid, outputPadding: 0).out, 17)

    var rng = SeededRandom(seed: 1)
    let x = Variable(rng.normalTensor([2, 1, 28, 28]))
    let c1 = Conv2d(1, 4, kernelSize: 5, stride: 2, padding: .same, rng: &rng)
    let c2 = Conv2d(4, 8, kernelSize: 5, stride: 2, padding: .same, rng: &rng)
    XCTAssertEqual(c2(c1(x)).shape, [2, 8, 7, 7])
    let t1 = ConvTranspose2d(8, 4, kernelSize: 5, stride: 2, padding: .same, rng: &rng)
    let t2 = ConvTranspose2d(4, 1, kernelSize: 5, stride: 2, padding: .same, rng: &rng)
    XCTAssertEqual(t2(t1(c2(c1(x)))).shape, [2, 1, 28, 28])
    let odd = Conv2d(1, 2, kernelSize: 3, stride: 2, padding: .same, rng: &rng)
    XCTAssertEqual(odd(Variable(rng.normalTensor([1, 1, 9, 6]))).shape, [1, 2, 5, 3])
  }

  func testMatchesDirectConvolution() {
    var rng = SeededRandom(seed: 2)
    for (stride, padding, h, w, k) in [
      (1, ConvPadding.valid, 6, 5, 3), (2, .same, 7, 8, 5), (2, .same, 9, 9, 3), (3, .explicit(2), 8, 7, 4),
      (1, .same, 5, 6, 4),
    ] {
      let x = rng.normalTensor([2, 3, h, w])
      let wt = rng.normalTensor([4, 3, k, k])
      let b = rng.normalTensor([4])
      let y = conv2d(Variable(x), Variable(wt), bias: Variable(b), stride: stride, padding: padding).value
      assertConvClose(y, directConv(x, wt, b, stride: stride, padding: padding), "s\(stride) \(padding)")
    }
  }

  func testTransposeIsAdjointOfConv() {
    // <conv(x, W), y> == <x, convT(y, W)> for matching geometry
    var rng = SeededRandom(seed: 3)
    for (stride, padding, outPad, h) in [
      (2, ConvPadding.same, 0, 7), (1, .valid, 0, 5), (2, .explicit(2), 1, 7), (3, .explicit(1), 2, 4),
    ] {
      let w = rng.normalTensor([3, 2, 5, 5])  // convT: C=3 -> O=2; conv: 2 -> 3
      let y = rng.normalTensor([2, 3, h, h])
      let t = convTranspose2d(Variable(y), Variable(w), stride: stride, padding: padding, outputPadding: outPad).value
      let x = rng.normalTensor(t.shape)
      let g = ConvGeometry.transposed(
        inH: h, inW: h, kh: 5, kw: 5, stride: stride, padding: padding, outputPadding: outPad)
      let convPadding: ConvPadding = padding == .same ? .same : .explicit(g.padTop)
      let c = conv2d(Variable(x), Variable(w), stride: stride, padding: convPadding).value
      XCTAssertEqual(c.shape, y.shape, "\(padding)")
      guard c.shape == y.shape else { continue }
      let lhs = zip(c.data, y.data).reduce(0.0) { $0 + Double($1.0 * $1.1) }
      let rhs = zip(x.data, t.data).reduce(0.0) { $0 + Double($1.0 * $1.1) }
      XCTAssertEqual(lhs, rhs, accuracy: 1e-3 * max(1, abs(lhs)), "\(padding) stride \(stride)")
    }
  }

  func testConv2dGradients() {
    for (stride, padding, h, w) in [
      (1, ConvPadding.valid, 5, 4), (2, .same, 7, 6), (2, .same, 6, 5), (1, .explicit(1), 4, 5),
      (2, .explicit(2), 5, 5),
    ] {
      let x = randomVariable([2, 2, h, w], seed: 11)
      let wt = randomVariable([3, 2, 3, 3], seed: 12)
      let b = randomVariable([3], seed: 13)
      gradientCheck([x, wt, b]) { v in conv2d(v[0], v[1], bias: v[2], stride: stride, padding: padding) }
    }
    // non-square kernel, no bias
    let x = randomVariable([1, 2, 6, 5], seed: 14)
    let wt = randomVariable([2, 2, 3, 2], seed: 15)
    gradientCheck([x, wt]) { v in conv2d(v[0], v[1], stride: 2, padding: .same) }
  }

  func testConvTranspose2dGradients() {
    for (stride, padding, outPad, h) in [
      (2, ConvPadding.same, 0, 3), (2, .same, 0, 4), (1, .valid, 0, 3), (2, .explicit(2), 1, 3),
      (3, .explicit(1), 1, 2),
    ] {
      let x = randomVariable([2, 3, h, h + 1], seed: 21)
      let wt = randomVariable([3, 2, 5, 5], seed: 22)
      let b = randomVariable([2], seed: 23)
      gradientCheck([x, wt, b]) { v in
        convTranspose2d(v[0], v[1], bias: v[2], stride: stride, padding: padding, outputPadding: outPad)
      }
    }
  }

  func testLayerInitAndParameters() {
    var rng = SeededRandom(seed: 4)
    let conv = Conv2d(3, 8, kernelSize: 5, stride: 2, padding: .same, rng: &rng)
    XCTAssertEqual(conv.namedParameters.map(\.0), ["weight", "bias"])
    XCTAssertEqual(conv.weight.shape, [8, 3, 5, 5])
    let bound = 1 / Float(75).squareRoot()  // PyTorch default: U(±1/√fanIn), fanIn = 3·5·5
    XCTAssertLessThanOrEqual(conv.weight.value.data.map(abs).max()!, bound)
    XCTAssertGreaterThan(conv.weight.value.data.map(abs).max()!, 0.8 * bound)
    let convT = ConvTranspose2d(
      8, 4, kernelSize: 5, stride: 2, padding: .same, bias: false,
      weightInit: .normal(0.02), rng: &rng)
    XCTAssertEqual(convT.weight.shape, [8, 4, 5, 5])
    XCTAssertNil(convT.bias)
    XCTAssertEqual(convT.namedParameters.map(\.0), ["weight"])
    let std = (convT.weight.value.squaredNorm() / Float(convT.weight.value.count)).squareRoot()
    XCTAssertEqual(std, 0.02, accuracy: 0.003)
  }

  func testKeepLargeAllocationsResident() {
    #if os(Linux)
      XCTAssertTrue(keepLargeAllocationsResident())
    #endif
  }

  func testNoGradientNodeWithoutRecording() {
    var rng = SeededRandom(seed: 5)
    let conv = Conv2d(1, 2, kernelSize: 3, rng: &rng)
    let y = GradMode.withoutRecording { conv(Variable(rng.normalTensor([1, 1, 5, 5]))) }
    XCTAssertTrue(y.parents.isEmpty)
  }

  func testConv2dMatchesPyTorch() throws {
    for (name, stride, padding) in [("conv2d_same", 2, ConvPadding.same), ("conv2d_explicit", 1, .explicit(1))] {
      let x = Variable(try loadConvFixture("conv_fixtures", "\(name)/input"), requiresGrad: true)
      let w = Variable(try loadConvFixture("conv_fixtures", "\(name)/weight"), requiresGrad: true)
      let b = Variable(try loadConvFixture("conv_fixtures", "\(name)/bias"), requiresGrad: true)
      let r = try loadConvFixture("conv_fixtures", "\(name)/projection")
      let y = conv2d(x, w, bias: b, stride: stride, padding: padding)
      assertConvClose(y.value, try loadConvFixture("conv_fixtures", "\(name)/output"), "\(name) output")
      (y * Variable(r)).sum().backward()
      assertConvClose(x.grad!, try loadConvFixture("conv_fixtures", "\(name)/grad_input"), "\(name) dx")
      assertConvClose(w.grad!, try loadConvFixture("conv_fixtures", "\(name)/grad_weight"), "\(name) dw")
      assertConvClose(b.grad!, try loadConvFixture("conv_fixtures", "\(name)/grad_bias"), "\(name) db")
    }
  }

  func testConvTranspose2dMatchesPyTorch() throws {
    for (name, padding, outPad) in [("convt_same", ConvPadding.same, 0), ("convt_explicit", .explicit(2), 1)] {
      let x = Variable(try loadConvFixture("conv_fixtures", "\(name)/input"), requiresGrad: true)
      let w = Variable(try loadConvFixture("conv_fixtures", "\(name)/weight"), requiresGrad: true)
      let b = Variable(try loadConvFixture("conv_fixtures", "\(name)/bias"), requiresGrad: true)
      let r = try loadConvFixture("conv_fixtures", "\(name)/projection")
      let y = convTranspose2d(x, w, bias: b, stride: 2, padding: padding, outputPadding: outPad)
      assertConvClose(y.value, try loadConvFixture("conv_fixtures", "\(name)/output"), "\(name) output")
      (y * Variable(r)).sum().backward()
      assertConvClose(x.grad!, try loadConvFixture("conv_fixtures", "\(name)/grad_input"), "\(name) dx")
      assertConvClose(w.grad!, try loadConvFixture("conv_fixtures", "\(name)/grad_weight"), "\(name) dw")
      assertConvClose(b.grad!, try loadConvFixture("conv_fixtures", "\(name)/grad_bias"), "\(name) db")
    }
  }
}
