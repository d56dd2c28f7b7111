import CDNNL

// The oneDNN path of conv2d and convTranspose2d: whole-batch forward, backward-data and
// backward-weights primitives on the Engine's NCHW buffers (see DNNL.swift). Each function returns
// nil when oneDNN cannot run the shape, and the caller falls back to im2col + OpenBLAS.

/// oneDNN convolution calls on plain Swift arrays.
enum DNNLConv {
  /// Whether `shape` should run through oneDNN: it is enabled, available, and the shape is one where
  /// oneDNN's primitives beat im2col + OpenBLAS (measured per layer of the DCGAN and the scorer).
  static func preferred(_ shape: DNNLConvShape) -> Bool {
    DNNL.convolutions && DNNL.available
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
  /// The backward pass of a convolution whose forward ran through oneDNN: backward-data for the input
  /// gradient, backward-weights for the weight and bias gradients; `fallback` (the im2col backward)
  /// runs instead if oneDNN fails on either.
  static func backward(
    _ s: DNNLConvShape, x: Variable, weight: Variable, bias: Variable?, grad: Tensor, fallback: (Tensor) -> Void
  ) {
    let needX = x.requiresGrad
    let needW = weight.requiresGrad || (bias?.requiresGrad ?? false)
    var dx: [Float]?
    var dwb: (dw: [Float], db: [Float])?
    if needX {
      dx = backwardData(s, grad: grad.data, weight: weight.value.data)
      if dx == nil { return fallback(grad) }
    }
    if needW {
      dwb = backwardWeights(s, x: x.value.data, grad: grad.data)
      if dwb == nil { return fallback(grad) }
    }
    if let dx { x.accumulate(Tensor(shape: x.shape, data: dx)) }
    if let dwb {
      weight.accumulate(Tensor(shape: weight.shape, data: dwb.dw))
      if let bias { bias.accumulate(Tensor(shape: bias.shape, data: dwb.db)) }
    }
  }
}
