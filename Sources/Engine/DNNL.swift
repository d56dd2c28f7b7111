import CDNNL
import Foundation

// oneDNN (Debian's libdnnl) direct-convolution primitives for the Engine's convolutions: forward,
// backward-data and backward-weights of conv2d and of convTranspose2d (oneDNN's deconvolution), fp32,
// NCHW tensors as the Engine stores them. Primitives are created once per shape and cached; each
// call wraps the caller's buffers in memory objects, reorders into the primitive's preferred
// (blocked) layouts where it chose one, and runs with its own scratchpad, so calls from several
// threads do not share state.

/// The oneDNN side of the Engine: its CPU engine, the thread count its primitives run with, and
/// whether convolutions go through it.
public enum DNNL {
  /// The CPU engine, or nil when oneDNN cannot create one (the im2col path is used then).
  nonisolated(unsafe) static let engine: dnnl_engine_t? = {
    var e: dnnl_engine_t?
    return dnnl_engine_create(&e, dnnl_cpu, 0) == dnnl_success ? e : nil
  }()

  /// OpenMP threads each oneDNN primitive runs with (the project default is 1, like OpenBLAS);
  /// set by ``BLAS/setThreads(_:)``.
  nonisolated(unsafe) public static var threads = 1

  /// Whether conv2d and convTranspose2d use oneDNN's primitives where they are faster than
  /// im2col + OpenBLAS (`true`, the default) or always the im2col path (`false`, for comparisons).
  /// The environment variable `AUTOLOSS_CONV=im2col` sets it to `false` at start.
  nonisolated(unsafe) public static var convolutions: Bool =
    ProcessInfo.processInfo.environment["AUTOLOSS_CONV"] != "im2col"

  /// Whether oneDNN is usable in this process.
  public static var available: Bool { engine != nil }
}

/// Which primitive a ``DNNLConvPlan`` runs.
enum DNNLConvKind: Hashable, Sendable {
  case forward, backwardData, backwardWeights
}

/// The shape of one convolution as oneDNN sees it: source `[n, c, h, w]`, destination `[n, o, oh, ow]`,
/// weights `[o, c, kh, kw]` (conv) or `[c, o, kh, kw]` (deconvolution, PyTorch layout), padding
/// before and after along each axis (oneDNN allows unequal pads, as TensorFlow 'SAME' needs).
struct DNNLConvShape: Hashable, Sendable {
  var transposed: Bool
  var n: Int, c: Int, h: Int, w: Int
  var o: Int, oh: Int, ow: Int
  var kh: Int, kw: Int, stride: Int
  var padTop: Int, padLeft: Int, padBottom: Int, padRight: Int
  var bias: Bool

  /// A conv2d (`transposed` false) or convTranspose2d (true) between `[n, c, h, w]` and `[n, o, g.outH, g.outW]`
  /// (conv) or `[n, o, g.inH, g.inW]` (transposed). For a transposed convolution `g` is the geometry of
  /// the forward convolution it is the adjoint of (its input plane is the output).
  init(transposed: Bool, n: Int, c: Int, h: Int, w: Int, o: Int, _ g: ConvGeometry, bias: Bool) {
    self.transposed = transposed
    (self.n, self.c, self.h, self.w, self.o) = (n, c, h, w, o)
    (kh, kw, stride) = (g.kh, g.kw, g.stride)
    (padTop, padLeft) = (g.padTop, g.padLeft)
    // the big plane is the conv's input, the small one its output
    let (bigH, bigW, smallH, smallW) = transposed ? (g.inH, g.inW, h, w) : (h, w, g.outH, g.outW)
    (oh, ow) = transposed ? (bigH, bigW) : (smallH, smallW)
    padBottom = (smallH - 1) * g.stride + g.kh - bigH - g.padTop
    padRight = (smallW - 1) * g.stride + g.kw - bigW - g.padLeft
    self.bias = bias
  }
}

/// One cached oneDNN convolution primitive with the layouts it wants for each argument.
final class DNNLConvPlan: @unchecked Sendable {
  /// One argument: its oneDNN id, the plain (NCHW / OIHW / IOHW / x) layout of the caller's buffer, the
  /// primitive's layout, and whether the primitive reads it (input) or writes it (output).
  struct Argument {
    var id: Int32
    var plain: dnnl_memory_desc_t
    var wanted: dnnl_memory_desc_t
    var isInput: Bool
    /// Reorder plain → wanted (inputs) or wanted → plain (outputs); nil when the layouts agree.
    var reorder: dnnl_primitive_t?
  }

  let primitive: dnnl_primitive_t
  let arguments: [Argument]
  let scratchpad: dnnl_memory_desc_t
  let scratchpadBytes: Int
  /// oneDNN's name of the implementation it chose (for example `jit:avx2`).
  let implementation: String

  private init(
    primitive: dnnl_primitive_t, arguments: [Argument], scratchpad: dnnl_memory_desc_t, implementation: String
  ) {
    self.primitive = primitive
    self.arguments = arguments
    self.scratchpad = scratchpad
    var md = scratchpad
    scratchpadBytes = dnnl_memory_desc_get_size(&md)
    self.implementation = implementation
  }

  // MARK: cache

  private struct Key: Hashable {
    var shape: DNNLConvShape
    var kind: DNNLConvKind
  }
  nonisolated(unsafe) private static var cache: [Key: DNNLConvPlan?] = [:]
  private static let lock = NSLock()

  /// The cached plan for `shape` and `kind`, created on first use; nil when oneDNN is unavailable or
  /// rejects the shape (the caller then takes the im2col path).
  static func plan(_ shape: DNNLConvShape, _ kind: DNNLConvKind) -> DNNLConvPlan? {
    let key = Key(shape: shape, kind: kind)
    lock.lock()
    defer { lock.unlock() }
    if let cached = cache[key] { return cached }
    let made = DNNL.engine.flatMap { make(shape, kind, $0) }
    cache[key] = made
    return made
  }

  // MARK: creation

  private static func desc(_ dims: [Int], _ tag: dnnl_format_tag_t) -> dnnl_memory_desc_t? {
    var md = dnnl_memory_desc_t()
    let d = dims.map { Int64($0) }
    return dnnl_memory_desc_init_by_tag(&md, Int32(d.count), d, dnnl_f32, tag) == dnnl_success ? md : nil
  }

  private static func make(_ s: DNNLConvShape, _ kind: DNNLConvKind, _ engine: dnnl_engine_t) -> DNNLConvPlan? {
    // oneDNN's logical weight dims are [out, in, kh, kw] for both; the deconvolution's buffer is
    // [in, out, kh, kw] (PyTorch), that is layout iohw
    let weightDims = [s.o, s.c, s.kh, s.kw]
    let weightTag = s.transposed ? dnnl_iohw : dnnl_oihw
    guard let srcPlain = desc([s.n, s.c, s.h, s.w], dnnl_nchw), let dstPlain = desc([s.n, s.o, s.oh, s.ow], dnnl_nchw),
      let wPlain = desc(weightDims, weightTag), let bPlain = desc([s.o], dnnl_x),
      var srcAny = desc([s.n, s.c, s.h, s.w], dnnl_format_tag_any),
      var dstAny = desc([s.n, s.o, s.oh, s.ow], dnnl_format_tag_any),
      var wAny = desc(weightDims, dnnl_format_tag_any)
    else { return nil }
    var bAny = bPlain
    let strides: [Int64] = [Int64(s.stride), Int64(s.stride)]
    let padL: [Int64] = [Int64(s.padTop), Int64(s.padLeft)]
    let padR: [Int64] = [Int64(s.padBottom), Int64(s.padRight)]
    guard padR.allSatisfy({ $0 >= 0 }) else { return nil }

    // the forward descriptor (also the hint of the backward ones)
    var forward = dnnl_convolution_desc_t()
    let biasPointer: (UnsafePointer<dnnl_memory_desc_t>) -> UnsafePointer<dnnl_memory_desc_t>? = {
      s.bias ? $0 : nil
    }
    let status = withUnsafePointer(to: &bAny) { pb in
      s.transposed
        ? dnnl_deconvolution_forward_desc_init(
          &forward, dnnl_forward_training, dnnl_deconvolution_direct, &srcAny, &wAny, biasPointer(pb), &dstAny,
          strides, padL, padR)
        : dnnl_convolution_forward_desc_init(
          &forward, dnnl_forward_training, dnnl_convolution_direct, &srcAny, &wAny, biasPointer(pb), &dstAny,
          strides, padL, padR)
    }
    guard status == dnnl_success else { return nil }
    var attr: dnnl_primitive_attr_t?
    guard dnnl_primitive_attr_create(&attr) == dnnl_success, let attr else { return nil }
    defer { dnnl_primitive_attr_destroy(attr) }
    guard dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user) == dnnl_success else { return nil }
    var forwardPD: dnnl_primitive_desc_t?
    guard dnnl_primitive_desc_create(&forwardPD, &forward, attr, engine, nil) == dnnl_success, let forwardPD else {
      return nil
    }
    defer { if kind != .forward { dnnl_primitive_desc_destroy(forwardPD) } }

    var pd: dnnl_primitive_desc_t = forwardPD
    switch kind {
    case .forward:
      break
    case .backwardData:
      var d = dnnl_convolution_desc_t()
      let st =
        s.transposed
        ? dnnl_deconvolution_backward_data_desc_init(
          &d, dnnl_deconvolution_direct, &srcAny, &wAny, &dstAny, strides, padL, padR)
        : dnnl_convolution_backward_data_desc_init(
          &d, dnnl_convolution_direct, &srcAny, &wAny, &dstAny, strides, padL, padR)
      var made: dnnl_primitive_desc_t?
      guard st == dnnl_success, dnnl_primitive_desc_create(&made, &d, attr, engine, forwardPD) == dnnl_success,
        let made
      else { return nil }
      pd = made
    case .backwardWeights:
      var d = dnnl_convolution_desc_t()
      let st = withUnsafePointer(to: &bAny) { pb in
        s.transposed
          ? dnnl_deconvolution_backward_weights_desc_init(
            &d, dnnl_deconvolution_direct, &srcAny, &wAny, biasPointer(pb), &dstAny, strides, padL, padR)
          : dnnl_convolution_backward_weights_desc_init(
            &d, dnnl_convolution_direct, &srcAny, &wAny, biasPointer(pb), &dstAny, strides, padL, padR)
      }
      var made: dnnl_primitive_desc_t?
      guard st == dnnl_success, dnnl_primitive_desc_create(&made, &d, attr, engine, forwardPD) == dnnl_success,
        let made
      else { return nil }
      pd = made
    }
    defer { dnnl_primitive_desc_destroy(pd) }

    // the arguments of this primitive: (id, plain layout, which query gives the wanted one, input?)
    var specs: [(Int32, dnnl_memory_desc_t, dnnl_query_t, Bool)]
    switch kind {
    case .forward:
      specs = [
        (DNNL_ARG_SRC, srcPlain, dnnl_query_src_md, true), (DNNL_ARG_WEIGHTS, wPlain, dnnl_query_weights_md, true),
        (DNNL_ARG_DST, dstPlain, dnnl_query_dst_md, false),
      ]
      if s.bias { specs.append((DNNL_ARG_BIAS, bPlain, dnnl_query_weights_md, true)) }
    case .backwardData:
      specs = [
        (DNNL_ARG_DIFF_DST, dstPlain, dnnl_query_diff_dst_md, true),
        (DNNL_ARG_WEIGHTS, wPlain, dnnl_query_weights_md, true),
        (DNNL_ARG_DIFF_SRC, srcPlain, dnnl_query_diff_src_md, false),
      ]
    case .backwardWeights:
      specs = [
        (DNNL_ARG_SRC, srcPlain, dnnl_query_src_md, true), (DNNL_ARG_DIFF_DST, dstPlain, dnnl_query_diff_dst_md, true),
        (DNNL_ARG_DIFF_WEIGHTS, wPlain, dnnl_query_diff_weights_md, false),
      ]
      if s.bias { specs.append((DNNL_ARG_DIFF_BIAS, bPlain, dnnl_query_diff_weights_md, false)) }
    }
    var arguments: [Argument] = []
    for (id, plain, query, isInput) in specs {
      // the bias is the second weights-type argument of its primitive
      let index: Int32 = (id == DNNL_ARG_BIAS || id == DNNL_ARG_DIFF_BIAS) ? 1 : 0
      guard let wantedPointer = dnnl_primitive_desc_query_md(pd, query, index) else { return nil }
      var wanted = wantedPointer.pointee
      var plainCopy = plain
      var reorder: dnnl_primitive_t?
      if dnnl_memory_desc_equal(&plainCopy, &wanted) == 0 {
        var rpd: dnnl_primitive_desc_t?
        let ok =
          isInput
          ? dnnl_reorder_primitive_desc_create(&rpd, &plainCopy, engine, &wanted, engine, nil)
          : dnnl_reorder_primitive_desc_create(&rpd, &wanted, engine, &plainCopy, engine, nil)
        guard ok == dnnl_success, let rpd else { return nil }
        defer { dnnl_primitive_desc_destroy(rpd) }
        guard dnnl_primitive_create(&reorder, rpd) == dnnl_success else { return nil }
      }
      arguments.append(Argument(id: id, plain: plain, wanted: wanted, isInput: isInput, reorder: reorder))
    }
    guard let scratch = dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0) else { return nil }
    var name: UnsafePointer<CChar>?
    dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &name)
    var primitive: dnnl_primitive_t?
    guard dnnl_primitive_create(&primitive, pd) == dnnl_success, let primitive else { return nil }
    return DNNLConvPlan(
      primitive: primitive, arguments: arguments, scratchpad: scratch.pointee,
      implementation: name.map { String(cString: $0) } ?? "?")
  }

  // MARK: execution

  /// Runs the primitive on the caller's plain-layout buffers, given by oneDNN argument id (every
  /// argument of the plan must be present). Returns false if oneDNN reported an error.
  @discardableResult
  func run(_ buffers: [Int32: UnsafeMutableRawPointer]) -> Bool {
    guard let engine = DNNL.engine else { return false }
    cdnnl_set_threads(Int32(DNNL.threads))
    var stream: dnnl_stream_t?
    guard dnnl_stream_create(&stream, engine, dnnl_stream_default_flags.rawValue) == dnnl_success, let stream else {
      return false
    }
    var created: [dnnl_memory_t] = []
    defer {
      for m in created { dnnl_memory_destroy(m) }
      dnnl_stream_destroy(stream)
    }
    func memory(_ md: dnnl_memory_desc_t, _ handle: UnsafeMutableRawPointer?) -> dnnl_memory_t? {
      var md = md
      var m: dnnl_memory_t?
      let h = handle ?? UnsafeMutableRawPointer(bitPattern: -1)  // DNNL_MEMORY_ALLOCATE
      guard dnnl_memory_create(&m, &md, engine, h) == dnnl_success, let m else { return nil }
      created.append(m)
      return m
    }
    var execArgs: [dnnl_exec_arg_t] = []
    var afterwards: [(dnnl_primitive_t, dnnl_memory_t, dnnl_memory_t)] = []
    for a in arguments {
      guard let user = buffers[a.id], let plain = memory(a.plain, user) else { return false }
      guard let reorder = a.reorder else {
        execArgs.append(dnnl_exec_arg_t(arg: a.id, memory: plain))
        continue
      }
      guard let inner = memory(a.wanted, nil) else { return false }
      execArgs.append(dnnl_exec_arg_t(arg: a.id, memory: inner))
      if a.isInput {
        var args = [
          dnnl_exec_arg_t(arg: DNNL_ARG_FROM, memory: plain), dnnl_exec_arg_t(arg: DNNL_ARG_TO, memory: inner),
        ]
        guard dnnl_primitive_execute(reorder, stream, 2, &args) == dnnl_success else { return false }
      } else {
        afterwards.append((reorder, inner, plain))
      }
    }
    if scratchpadBytes > 0 {
      guard let pad = memory(scratchpad, nil) else { return false }
      execArgs.append(dnnl_exec_arg_t(arg: DNNL_ARG_SCRATCHPAD, memory: pad))
    }
    guard dnnl_primitive_execute(primitive, stream, Int32(execArgs.count), &execArgs) == dnnl_success else {
      return false
    }
    for (reorder, from, to) in afterwards {
      var args = [dnnl_exec_arg_t(arg: DNNL_ARG_FROM, memory: from), dnnl_exec_arg_t(arg: DNNL_ARG_TO, memory: to)]
      guard dnnl_primitive_execute(reorder, stream, 2, &args) == dnnl_success else { return false }
    }
    return dnnl_stream_wait(stream) == dnnl_success
  }
}

extension DNNL {
  /// C[m,n] = alpha · op(A)[m,k] · op(B)[k,n] + beta · C (row-major, contiguous) through oneDNN's
  /// `dnnl_sgemm`, falling back to OpenBLAS when oneDNN is unavailable or refuses the call. On the
  /// small shapes of the regression and classification models (for example 200×32·32×32) it ran at
  /// 1.5-2.5× OpenBLAS 0.3.21's speed on this machine (a C loop, one thread).
  public static func gemm(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
    _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, beta: Float = 0,
    _ c: UnsafeMutablePointer<Float>
  ) {
    let done = gemm(
      transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a, lda: transA ? m : k, b, ldb: transB ? k : n,
      beta: beta, c, ldc: n)
    if !done { BLAS.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a, b, beta: beta, c) }
  }

  /// `dnnl_sgemm` with explicit leading dimensions (row-major); false, with `c` untouched, when oneDNN
  /// is unavailable, refuses the call or a dimension is zero (the caller then takes OpenBLAS).
  static func gemm(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float, _ a: UnsafePointer<Float>, lda: Int,
    _ b: UnsafePointer<Float>, ldb: Int, beta: Float, _ c: UnsafeMutablePointer<Float>, ldc: Int
  ) -> Bool {
    guard available && m > 0 && n > 0 && k > 0 else { return false }
    cdnnl_set_threads(Int32(threads))
    return dnnl_sgemm(
      transA ? 84 : 78, transB ? 84 : 78, Int64(m), Int64(n), Int64(k), alpha, a, Int64(lda), b, Int64(ldb), beta,
      c, Int64(ldc)) == dnnl_success
  }
}
