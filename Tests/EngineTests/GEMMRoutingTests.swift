import XCTest

@testable import Engine

/// The GEMM routing switches (``DNNL/convolutionGEMMs``, ``DNNL/sequenceGEMMs``, ``DNNL/everyGEMM``,
/// ``DNNL/convolutionRoute``): every routed path agrees with the OpenBLAS path, forward and every
/// gradient, to 1e-4 relative. The PyTorch fixtures and gradient checks run with the defaults.
final class GEMMRoutingTests: XCTestCase {
  /// One combination of the switches.
  private struct Setting {
    var route: ConvRoute = .measured
    var convGEMMs = true
    var seqGEMMs = true
    var everyGEMM = false
  }

  /// im2col with OpenBLAS: the reference of the convolution paths.
  private let im2colBLAS = Setting(route: .im2col, convGEMMs: false)

  /// The output and the gradients of sum(out · r) under `setting`, with the switches restored after.
  private func run(_ setting: Setting, _ inputs: [Variable], _ body: ([Variable]) -> Variable) -> [Tensor] {
    let saved = (
      DNNL.convolutions, DNNL.convolutionRoute, DNNL.convolutionGEMMs, DNNL.sequenceGEMMs, DNNL.everyGEMM
    )
    defer {
      (DNNL.convolutions, DNNL.convolutionRoute, DNNL.convolutionGEMMs, DNNL.sequenceGEMMs, DNNL.everyGEMM) = saved
    }
    DNNL.convolutions = true
    (DNNL.convolutionRoute, DNNL.convolutionGEMMs, DNNL.sequenceGEMMs, DNNL.everyGEMM) =
      (setting.route, setting.convGEMMs, setting.seqGEMMs, setting.everyGEMM)
    for v in inputs { v.zeroGrad() }
    let y = body(inputs)
    let r = randomVariable(y.shape, seed: 98)
    (y * r).sum().backward()
    return [y.value] + inputs.map { $0.grad ?? Tensor.zeros($0.shape) }
  }

  private func assertAgree(
    _ what: String, _ inputs: [Variable], reference: Setting, routed: Setting,
    file: StaticString = #filePath, line: UInt = #line, _ body: ([Variable]) -> Variable
  ) {
    let a = run(routed, inputs, body)
    let b = run(reference, inputs, body)
    for (i, (x, y)) in zip(a, b).enumerated() {
      assertConvClose(x, y, tol: 1e-4, "\(what) tensor \(i)", file: file, line: line)
    }
  }

  func testIm2colWithOneDNNGemmMatchesOpenBLAS() {
    for (c, o, h, stride, padding) in [
      (1, 8, 28, 2, ConvPadding.same), (16, 32, 14, 2, .same), (4, 6, 14, 1, .valid), (3, 5, 9, 2, .explicit(2)),
    ] {
      let inputs = [
        randomVariable([5, c, h, h], seed: 1), randomVariable([o, c, 5, 5], seed: 2), randomVariable([o], seed: 3),
      ]
      assertAgree(
        "conv2d c\(c) o\(o) h\(h) s\(stride)", inputs, reference: im2colBLAS,
        routed: Setting(route: .im2col)
      ) { conv2d($0[0], $0[1], bias: $0[2], stride: stride, padding: padding) }
    }
    for (c, o, h) in [(32, 16, 7), (16, 1, 14)] {
      let inputs = [
        randomVariable([5, c, h, h], seed: 4), randomVariable([c, o, 5, 5], seed: 5), randomVariable([o], seed: 6),
      ]
      assertAgree(
        "convTranspose2d c\(c) o\(o) h\(h)", inputs, reference: im2colBLAS,
        routed: Setting(route: .im2col)
      ) { convTranspose2d($0[0], $0[1], bias: $0[2], stride: 2, padding: .same) }
    }
  }

  func testEveryConvolutionRouteMatchesOpenBLAS() {
    let routes: [ConvRoute] = [
      .measured, .directFirst, .direct(forward: true, backwardData: false, backwardWeights: true),
      .direct(forward: false, backwardData: true, backwardWeights: false),
    ]
    let conv = [
      randomVariable([3, 8, 14, 14], seed: 7), randomVariable([16, 8, 5, 5], seed: 8), randomVariable([16], seed: 9),
    ]
    let deconv = [
      randomVariable([3, 16, 7, 7], seed: 10), randomVariable([16, 8, 5, 5], seed: 11), randomVariable([8], seed: 12),
    ]
    for route in routes {
      for stride in [1, 2] {
        assertAgree(
          "conv2d \(route) s\(stride)", conv, reference: im2colBLAS, routed: Setting(route: route)
        ) { conv2d($0[0], $0[1], bias: $0[2], stride: stride, padding: .same) }
      }
      assertAgree("convTranspose2d \(route)", deconv, reference: im2colBLAS, routed: Setting(route: route)) {
        convTranspose2d($0[0], $0[1], bias: $0[2], stride: 2, padding: .same)
      }
    }
  }

  func testMeasuredRouteChoices() {
    let g1 = ConvGeometry.conv(inH: 14, inW: 14, kh: 5, kw: 5, stride: 1, padding: .same)
    let g2 = ConvGeometry.conv(inH: 14, inW: 14, kh: 5, kw: 5, stride: 2, padding: .same)
    let strideOne = DNNLConvShape(transposed: false, n: 4, c: 8, h: 14, w: 14, o: 16, g1, bias: true)
    let firstLayer = DNNLConvShape(transposed: false, n: 4, c: 1, h: 14, w: 14, o: 16, g1, bias: true)
    let strided = DNNLConvShape(transposed: false, n: 4, c: 8, h: 14, w: 14, o: 16, g2, bias: true)
    let kinds: [DNNLConvKind] = [.forward, .backwardData, .backwardWeights]
    for avx512 in [false, true] {
      func direct(_ s: DNNLConvShape, oneChannel: Bool) -> [Bool] {
        kinds.map { DNNLConv.measuredDirect(s, $0, oneChannel: oneChannel, avx512: avx512) }
      }
      XCTAssertEqual(direct(strideOne, oneChannel: false), [true, true, true])
      XCTAssertEqual(direct(firstLayer, oneChannel: true), [true, true, false])
      // strided convolutions: im2col on AVX2, direct primitives on AVX-512
      XCTAssertEqual(direct(strided, oneChannel: false), [avx512, avx512, avx512])
    }
    let gt = ConvGeometry.conv(inH: 14, inW: 14, kh: 5, kw: 5, stride: 2, padding: .same)
    let transposed = DNNLConvShape(transposed: true, n: 4, c: 16, h: 7, w: 7, o: 8, gt, bias: true)
    XCTAssertEqual(
      kinds.map { DNNLConv.measuredDirect(transposed, $0, oneChannel: false, avx512: true) }, [false, false, false])
  }

  func testLSTMSequenceGEMMsMatchOpenBLAS() {
    let (t, b, i, h) = (5, 6, 7, 12)
    let inputs = [
      randomVariable([t, b, i], seed: 31), randomVariable([b, h], seed: 32, low: -0.5, high: 0.5),
      randomVariable([b, h], seed: 33), randomVariable([i, 4 * h], seed: 34, low: -0.5, high: 0.5),
      randomVariable([h, 4 * h], seed: 35, low: -0.5, high: 0.5), randomVariable([4 * h], seed: 36),
    ]
    for lengths in [nil, [5, 3, 0, 2, 5, 1]] as [[Int]?] {
      assertAgree(
        "lstmSequence lengths \(lengths ?? [])", inputs, reference: Setting(seqGEMMs: false),
        routed: Setting()
      ) { v in
        let r = lstmSequence(
          v[0], initial: LSTMState(h: v[1], c: v[2]), wIH: v[3], wHH: v[4], bias: v[5], lengths: lengths)
        return concat([r.output.reshaped([t * b, h]), r.state.h, r.state.c], axis: 0)
      }
    }
  }

  func testAttentionGEMMsMatchOpenBLAS() {
    let (td, te, b, h) = (4, 6, 5, 9)
    let mask = Tensor(shape: [b, te], data: (0..<(b * te)).map { $0 % te < te - $0 / te ? 1 : 0 })
    let inputs = [
      randomVariable([td, b, h], seed: 41), randomVariable([te, b, h], seed: 42),
      randomVariable([2 * h, h], seed: 43, low: -0.5, high: 0.5),
      randomVariable([h, h], seed: 44, low: -0.5, high: 0.5),
    ]
    for m in [nil, mask] {
      assertAgree(
        "luongAttention mask \(m != nil)", inputs, reference: Setting(seqGEMMs: false),
        routed: Setting()
      ) { v in luongAttention(query: v[0], memory: v[1], wA: v[3], wC: v[2], sourceMask: m).output }
    }
  }

  func testEveryGEMMThroughOneDNNMatchesOpenBLAS() {
    let lstm = [
      randomVariable([5, 6, 7], seed: 51), randomVariable([6, 12], seed: 52, low: -0.5, high: 0.5),
      randomVariable([6, 12], seed: 53), randomVariable([7, 48], seed: 54, low: -0.5, high: 0.5),
      randomVariable([12, 48], seed: 55, low: -0.5, high: 0.5), randomVariable([48], seed: 56),
    ]
    assertAgree("lstmSequence", lstm, reference: Setting(seqGEMMs: false), routed: Setting(everyGEMM: true)) { v in
      let r = lstmSequence(v[0], initial: LSTMState(h: v[1], c: v[2]), wIH: v[3], wHH: v[4], bias: v[5])
      return concat([r.output.reshaped([30, 12]), r.state.h, r.state.c], axis: 0)
    }
    let dense = [
      randomVariable([9, 13], seed: 57), randomVariable([13, 11], seed: 58), randomVariable([11], seed: 59),
    ]
    assertAgree("linear", dense, reference: Setting(seqGEMMs: false), routed: Setting(everyGEMM: true)) { v in
      linear(v[0], v[1], bias: v[2])
    }
    assertAgree("matmul", dense, reference: Setting(seqGEMMs: false), routed: Setting(everyGEMM: true)) { v in
      matmul(v[0], v[1])
    }
  }

  func testEveryGEMMFollowsTheMachine() {
    // oneDNN on AVX-512 (avx512_core 0x27 and its extensions) while OpenBLAS runs AVX2 kernels
    XCTAssertTrue(GEMMMachine.prefersOneDNN(isa: 0x27, openBLASCore: "Haswell"))
    XCTAssertTrue(GEMMMachine.prefersOneDNN(isa: 0xe7, openBLASCore: "Zen"))
    // OpenBLAS with its own AVX-512 kernels, or oneDNN without AVX-512: per shape class
    XCTAssertFalse(GEMMMachine.prefersOneDNN(isa: 0xe7, openBLASCore: "Cooperlake"))
    XCTAssertFalse(GEMMMachine.prefersOneDNN(isa: 0x27, openBLASCore: "SkylakeX"))
    XCTAssertFalse(GEMMMachine.prefersOneDNN(isa: 0x7, openBLASCore: "Haswell"))
    XCTAssertFalse(GEMMMachine.prefersOneDNN(isa: 0x407, openBLASCore: "Haswell"))  // avx2_vnni
    XCTAssertFalse(GEMMMachine.prefersOneDNN(isa: 0, openBLASCore: "Haswell"))  // no oneDNN
  }
}
