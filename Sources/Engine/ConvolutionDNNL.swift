import CDNNL

// The oneDNN path of conv2d and convTranspose2d: whole-batch forward, backward-data and
// backward-weights primitives on the Engine's NCHW buffers (see DNNL.swift). Each function returns
// nil when oneDNN cannot run the shape, and the caller falls back to im2col + OpenBLAS.

/// oneDNN convolution calls on plain Swift arrays.
enum DNNLConv {
  /// Whether `kind` of `shape` should run through oneDNN's direct primitive (otherwise im2col + GEMM):
  /// convolutions are enabled, oneDNN is available, and ``DNNL/convolutionRoute`` picks it.
  static func preferred(_ shape: DNNLConvShape, _ kind: DNNLConvKind) -> Bool {
    guard DNNL.convolutions && DNNL.available else { return false }
    // with one input channel (the first layer of D and of the scorer) oneDNN's weight gradient runs
    // at a fraction of the GEMM's speed: 8 against ~50 GFLOP/s
    let oneChannel = shape.transposed ? shape.o == 1 : shape.c == 1
    switch DNNL.convolutionRoute {
    case .im2col: return false
    case .directFirst: return kind != .backwardWeights || !oneChannel
    case .direct(let forward, let backwardData, let backwardWeights):
      switch kind {
      case .forward: return forward
      case .backwardData: return backwardData
      case .backwardWeights: return backwardWeights && !oneChannel
      }
    case .measured: return measuredDirect(shape, kind, oneChannel: oneChannel)
    }
  }

  /// The measured choice of ``ConvRoute/measured``: direct primitives for stride-1 convolutions (the
  /// scorer: im2col + `dnnl_sgemm` made its step 1.15× slower), im2col + `dnnl_sgemm` for transposed
  /// convolutions, and for strided ones on AVX2 (the DCGAN's 5×5 stride-2 layers on Zen 3: D step
  /// 0.91×, G step 0.88× of the direct primitives' time, paired in one process on a loaded machine).
  /// Where oneDNN runs AVX-512 kernels (`avx512`) strided convolutions take the direct primitives
  /// too: on a 2-core AVX-512 EPYC, quiet, the im2col route made the D step 1.10× slower.
  static func measuredDirect(
    _ shape: DNNLConvShape, _ kind: DNNLConvKind, oneChannel: Bool, avx512: Bool = GEMMMachine.oneDNNHasAVX512
  ) -> Bool {
    !shape.transposed && (shape.stride == 1 || avx512) && (kind != .backwardWeights || !oneChannel)
  }

  /// The forward output `[n, o, oh, ow]`, or nil.
  static func forward(_ s: DNNLConvShape, x: [Float], weight: [Float], bias: [Float]?) -> [Float]? {
    guard let plan = DNNLConvPlan.plan(s, .forward) else { return nil }
    var ok = false
    let out = [Float](unsafeUninitializedCapacity: s.n * s.o * s.oh * s.ow) { dst, count in
      x.withUnsafeBufferPointer { px in
        weight.withUnsafeBufferPointer { pw in
          (bias ?? []).withUnsafeBufferPointer { pb in
            var buffers: [Int32: UnsafeMutableRawPointer] = [
              DNNL_ARG_SRC: UnsafeMutableRawPointer(mutating: px.baseAddress!),
              DNNL_ARG_WEIGHTS: UnsafeMutableRawPointer(mutating: pw.baseAddress!),
              DNNL_ARG_DST: UnsafeMutableRawPointer(dst.baseAddress!),
            ]
            if s.bias { buffers[DNNL_ARG_BIAS] = UnsafeMutableRawPointer(mutating: pb.baseAddress!) }
            ok = plan.run(buffers)
          }
        }
      }
      count = ok ? s.n * s.o * s.oh * s.ow : 0
    }
    return ok ? out : nil
  }

  /// The input gradient `[n, c, h, w]` from the output gradient, or nil.
  static func backwardData(_ s: DNNLConvShape, grad: [Float], weight: [Float]) -> [Float]? {
    guard let plan = DNNLConvPlan.plan(s, .backwardData) else { return nil }
    var ok = false
    let dx = [Float](unsafeUninitializedCapacity: s.n * s.c * s.h * s.w) { dst, count in
      grad.withUnsafeBufferPointer { pg in
        weight.withUnsafeBufferPointer { pw in
          ok = plan.run([
            DNNL_ARG_DIFF_DST: UnsafeMutableRawPointer(mutating: pg.baseAddress!),
            DNNL_ARG_WEIGHTS: UnsafeMutableRawPointer(mutating: pw.baseAddress!),
            DNNL_ARG_DIFF_SRC: UnsafeMutableRawPointer(dst.baseAddress!),
          ])
        }
      }
      count = ok ? s.n * s.c * s.h * s.w : 0
    }
    return ok ? dx : nil
  }

  /// The weight gradient (the weight's own layout) and, when the shape has a bias, the bias gradient `[o]`; or nil.
  static func backwardWeights(_ s: DNNLConvShape, x: [Float], grad: [Float]) -> (dw: [Float], db: [Float])? {
    guard let plan = DNNLConvPlan.plan(s, .backwardWeights) else { return nil }
    var dw = [Float](repeating: 0, count: s.o * s.c * s.kh * s.kw)
    var db = [Float](repeating: 0, count: s.bias ? s.o : 0)
    var ok = false
    x.withUnsafeBufferPointer { px in
      grad.withUnsafeBufferPointer { pg in
        dw.withUnsafeMutableBufferPointer { pdw in
          db.withUnsafeMutableBufferPointer { pdb in
            var buffers: [Int32: UnsafeMutableRawPointer] = [
              DNNL_ARG_SRC: UnsafeMutableRawPointer(mutating: px.baseAddress!),
              DNNL_ARG_DIFF_DST: UnsafeMutableRawPointer(mutating: pg.baseAddress!),
              DNNL_ARG_DIFF_WEIGHTS: UnsafeMutableRawPointer(pdw.baseAddress!),
            ]
            if s.bias { buffers[DNNL_ARG_DIFF_BIAS] = UnsafeMutableRawPointer(pdb.baseAddress!) }
            ok = plan.run(buffers)
          }
        }
      }
    }
    return ok ? (dw, db) : nil
  }
}

extension DNNLConv {
  /// The backward pass of a convolution (whichever path its forward took): backward-data for the input
  /// gradient and backward-weights for the weight and bias gradients, each through oneDNN where
  /// ``preferred(_:_:)`` says so and otherwise through `im2col(grad, input, parameters)`, which also
  /// takes over a part that oneDNN fails on.
  static func backward(
    _ s: DNNLConvShape, x: Variable, weight: Variable, bias: Variable?, grad: Tensor,
    im2col: (Tensor, _ input: Bool, _ parameters: Bool) -> Void
  ) {
    var im2colInput = x.requiresGrad
    var im2colParameters = weight.requiresGrad || (bias?.requiresGrad ?? false)
    if im2colInput && preferred(s, .backwardData),
      let dx = backwardData(s, grad: grad.data, weight: weight.value.data)
    {
      x.accumulate(Tensor(shape: x.shape, data: dx))
      im2colInput = false
    }
    if im2colParameters && preferred(s, .backwardWeights),
      let (dw, db) = backwardWeights(s, x: x.value.data, grad: grad.data)
    {
      weight.accumulate(Tensor(shape: weight.shape, data: dw))
      if let bias { bias.accumulate(Tensor(shape: bias.shape, data: db)) }
      im2colParameters = false
    }
    // the passes left to im2col run in one sweep over the chunks (the output gradient is transposed once)
    if im2colInput || im2colParameters { im2col(grad, im2colInput, im2colParameters) }
  }
}
