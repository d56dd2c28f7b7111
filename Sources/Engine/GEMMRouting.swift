import CBLAS
import CDNNL
import Foundation

// Which library runs each kind of matrix product and convolution pass. Debian's OpenBLAS 0.3.21 and
// oneDNN 2.6.3 (`dnnl_sgemm`, direct convolution primitives) each win on some shapes of this
// project's models; the per-shape choices below were measured on a 2-core AMD EPYC (Zen 3, AVX2), one
// thread, by paired in-process comparisons (`autoloss bench --only ab_*`). On a machine where oneDNN
// runs AVX-512 kernels and OpenBLAS does not (``GEMMMachine``), every GEMM goes through oneDNN.
// Each switch can be turned back for comparisons, in code or by an environment variable at start.

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

  /// Whether every matrix product (``BLAS/gemm(transA:transB:m:n:k:alpha:_:_:beta:_:)`` and every
  /// GEMM of the LSTM, attention and linear layers, not only the shape classes of ``sequenceGEMMs``)
  /// runs through `dnnl_sgemm`. The default follows the machine
  /// (``GEMMMachine/prefersOneDNN(isa:openBLASCore:)``); `AUTOLOSS_GEMM=onednn` or
  /// `AUTOLOSS_GEMM=openblas` forces it on or off at start.
  nonisolated(unsafe) public static var everyGEMM: Bool = {
    switch ProcessInfo.processInfo.environment["AUTOLOSS_GEMM"] {
    case "onednn": return true
    case "openblas": return false
    default: return GEMMMachine.prefersOneDNN(isa: GEMMMachine.oneDNNISA, openBLASCore: GEMMMachine.openBLASCore)
    }
  }()
}

/// The machine facts the GEMM routing reads: the instruction set oneDNN's kernels use and the kernel
/// core OpenBLAS picked when it loaded.
public enum GEMMMachine {
  /// oneDNN's effective ISA (`dnnl_get_effective_cpu_isa`, a `dnnl_cpu_isa_t` bit mask), 0 without oneDNN.
  public static var oneDNNISA: UInt32 { DNNL.available ? dnnl_get_effective_cpu_isa().rawValue : 0 }

  /// OpenBLAS's kernel core (`openblas_get_corename`), for example "Haswell" or "Cooperlake".
  public static var openBLASCore: String { openblas_get_corename().map { String(cString: $0) } ?? "unknown" }

  /// Whether oneDNN's kernels use AVX-512 (`avx512_core` or later), read once.
  public static let oneDNNHasAVX512: Bool = hasAVX512(oneDNNISA)

  /// Whether a `dnnl_cpu_isa_t` mask includes `avx512_core` (0x27).
  static func hasAVX512(_ isa: UInt32) -> Bool { isa & 0x27 == 0x27 }

  /// OpenBLAS cores whose kernels use AVX-512.
  static let avx512OpenBLASCores: Set<String> = ["skylakex", "cooperlake", "sapphirerapids"]

  /// Whether every GEMM should run through oneDNN: its kernels use AVX-512 (`avx512_core` or later)
  /// and OpenBLAS's do not. That is the case of Debian's OpenBLAS 0.3.21 with
  /// `OPENBLAS_CORETYPE=Haswell` preset (as on this project's machines) or on a CPU it does not know.
  /// Measured in C on a 2-core AMD EPYC with AVX-512, one thread, OpenBLAS on Haswell kernels:
  /// `dnnl_sgemm` took 0.48-0.59 of OpenBLAS's time on every GEMM shape of the seq2seq, LSTM,
  /// regression and classification models (about 180-210 against 90-100 GFLOP/s on the large ones),
  /// and 0.73-1.17 of it when OpenBLAS ran its own AVX-512 (Cooperlake) kernels, so those keep the
  /// per-shape routing.
  public static func prefersOneDNN(isa: UInt32, openBLASCore: String) -> Bool {
    hasAVX512(isa) && !avx512OpenBLASCores.contains(openBLASCore.lowercased())
  }
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
