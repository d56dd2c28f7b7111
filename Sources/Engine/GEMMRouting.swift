import Foundation

// Which library runs each kind of matrix product and convolution pass. Debian's OpenBLAS 0.3.21 and
// oneDNN 2.6.3 (`dnnl_sgemm`, direct convolution primitives) each win on some shapes of this
// project's models; the choices below were measured per shape class on a 2-core AMD EPYC (Zen 3,
// AVX2), one thread, by paired in-process comparisons (`autoloss bench --only ab_*`). Each switch
// can be turned back for comparisons, in code or by an environment variable at start.

/// How a convolution pass (forward, input gradient, weight gradient) is computed.
public enum ConvRoute: Sendable, Equatable {
  /// im2col + GEMM for every pass.
  case im2col
  /// oneDNN's direct primitives for every pass except the weight gradient of a one-channel
  /// convolution (im2col there): the routing before per-pass measurements (git c80e59e).
  case directFirst
  /// The measured choice per pass and shape class (see `DNNLConv.preferred` in ConvolutionDNNL.swift).
  case measured
  /// Direct primitives for exactly these passes (still im2col for one-channel weight gradients);
  /// for benchmarks.
  case direct(forward: Bool, backwardData: Bool, backwardWeights: Bool)
}

extension DNNL {
  /// How conv2d and convTranspose2d compute each pass. `AUTOLOSS_CONV=im2col` selects ``ConvRoute/im2col``,
  /// `AUTOLOSS_CONV=direct` ``ConvRoute/directFirst``; the default is ``ConvRoute/measured``.
  /// ``convolutions`` `false` overrides it with im2col everywhere.
  nonisolated(unsafe) public static var convolutionRoute: ConvRoute = {
    switch ProcessInfo.processInfo.environment["AUTOLOSS_CONV"] {
    case "im2col": return .im2col
    case "direct": return .directFirst
    default: return .measured
    }
  }()

  /// Whether the GEMMs of the im2col convolutions run through `dnnl_sgemm` (`true`, the default) or
  /// OpenBLAS. `AUTOLOSS_CONV_GEMM=openblas` sets it to `false` at start.
  nonisolated(unsafe) public static var convolutionGEMMs: Bool =
    ProcessInfo.processInfo.environment["AUTOLOSS_CONV_GEMM"] != "openblas"

  /// Whether the LSTM, attention and linear layers run their GEMMs through `dnnl_sgemm` on the shape
  /// classes where it measured faster (`true`, the default) or all through OpenBLAS.
  /// `AUTOLOSS_SEQ_GEMM=openblas` sets it to `false` at start.
  nonisolated(unsafe) public static var sequenceGEMMs: Bool =
    ProcessInfo.processInfo.environment["AUTOLOSS_SEQ_GEMM"] != "openblas"
}

extension ConvKernels {
  /// The GEMM of an im2col convolution: `dnnl_sgemm` when ``DNNL/convolutionGEMMs`` (it beat OpenBLAS
  /// on every conv shape of the DCGAN and the scorer), otherwise OpenBLAS.
  @inline(__always)
  static func gemm(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
    beta: Float = 0, _ c: UnsafeMutablePointer<Float>
  ) {
    if DNNL.convolutionGEMMs {
      DNNL.gemm(transA: transA, transB: transB, m: m, n: n, k: k, a, b, beta: beta, c)
    } else {
      BLAS.gemm(transA: transA, transB: transB, m: m, n: n, k: k, a, b, beta: beta, c)
    }
  }
}
