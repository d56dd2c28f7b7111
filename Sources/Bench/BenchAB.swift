import Engine
import Foundation

// Paired comparisons of engine settings inside one process: every step of an `ab_*` case runs the
// same workload once per setting (the order rotates from step to step) and times each run in CPU
// time of the calling thread, so a machine shared with other work (which steals wall time, not
// thread CPU time) still gives a fair ratio. These cases run only when named (`--only ab_...`).

/// One setting of a paired comparison: a name and what it switches on before its run.
public struct BenchSetting {
  /// Short label, used in the part names.
  public var name: String
  /// Applies the setting (global engine switches).
  public var apply: () -> Void

  public init(_ name: String, _ apply: @escaping () -> Void) {
    self.name = name
    self.apply = apply
  }
}

/// The engine's global switches that the comparisons change, saved and restored around each step.
struct BenchEngineSwitches {
  var convolutions = DNNL.convolutions
  var route = DNNL.convolutionRoute
  var convGEMMs = DNNL.convolutionGEMMs
  var seqGEMMs = DNNL.sequenceGEMMs
  var everyGEMM = DNNL.everyGEMM
  var fusedLinear = Fusion.linear
  var convColumns = Fusion.convColumns
  var chunkFloats = ConvChunking.floats

  func restore() {
    DNNL.convolutions = convolutions
    DNNL.convolutionRoute = route
    DNNL.convolutionGEMMs = convGEMMs
    DNNL.sequenceGEMMs = seqGEMMs
    DNNL.everyGEMM = everyGEMM
    Fusion.linear = fusedLinear
    Fusion.convColumns = convColumns
    ConvChunking.floats = chunkFloats
  }
}

/// Thread CPU time in seconds.
func threadCPUSeconds() -> Double {
  var t = timespec()
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
  return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

/// Per-setting CPU times of a comparison's rounds.
final class BenchABRecord: @unchecked Sendable {
  var times: [[Double]]
  init(_ count: Int) { times = Array(repeating: [], count: count) }
}

extension BenchCatalog {
  /// The cases that run only when named: paired comparisons of engine settings.
  public static func comparisons() -> [BenchCase] {
    [
      abDConv2(), abSteps("ab_dcgan_d_step", dcganDStep()), abSteps("ab_dcgan_g_step", dcganGStep()),
      abSteps("ab_scorer", scorer()), abSteps("ab_nmt", nmt()),
      abConvRoutes("ab_routes_d_step", dcganDStep()), abConvRoutes("ab_routes_g_step", dcganGStep()),
      abConvRoutes("ab_routes_scorer", scorer()),
      abFusion("ab_fused_nmt", nmt()), abFusion("ab_fused_d_step", dcganDStep()),
      abChunks("ab_chunks_d_conv2", dConv2(nil)), abChunks("ab_chunks_d_step", dcganDStep()),
      abColumns("ab_columns_d_conv2", dConv2(nil)), abColumns("ab_columns_d_step", dcganDStep()),
      abEveryGEMM("ab_gemm_nmt", nmt()), abEveryGEMM("ab_gemm_d_step", dcganDStep()),
      abEveryGEMM("ab_gemm_g_step", dcganGStep()), abEveryGEMM("ab_gemm_scorer", scorer()),
      abEveryGEMM("ab_gemm_mlp", mlp()),
    ]
  }

  /// The routing of git c80e59e (direct convolutions first, every GEMM through OpenBLAS) against the
  /// current defaults.
  static var oldAndNew: [BenchSetting] {
    [
      BenchSetting("old") {
        DNNL.convolutions = true
        DNNL.convolutionRoute = .directFirst
        DNNL.convolutionGEMMs = false
        DNNL.sequenceGEMMs = false
      },
      BenchSetting("new") {
        DNNL.convolutions = true
        DNNL.convolutionRoute = .measured
        DNNL.convolutionGEMMs = true
        DNNL.sequenceGEMMs = true
      },
    ]
  }

  /// A comparison of `settings` on `workload`: each step runs the workload once per setting. Its
  /// parts are per setting the median CPU ms of one run (`name`), and against the first setting the
  /// ratio of those medians (`name/first`) and the median of the per-step ratios (`name/first:paired`).
  public static func comparison(_ name: String, _ workload: BenchCase, settings: [BenchSetting]) -> BenchCase {
    let record = BenchABRecord(settings.count)
    var c = BenchCase(name: name, flops: workload.flops * Double(settings.count)) {
      let step = workload.make()
      var turn = 0
      return {
        let saved = BenchEngineSwitches()
        defer { saved.restore() }
        for i in 0..<settings.count {
          let s = (turn + i) % settings.count
          settings[s].apply()
          let t0 = threadCPUSeconds()
          step()
          record.times[s].append(threadCPUSeconds() - t0)
        }
        turn += 1
      }
    }
    c.parts = {
      // drop the first four rounds (the default 3 warm-up steps and the harness's calibration probe)
      let count = record.times.map(\.count).min() ?? 0
      let times = record.times.map { Array($0.prefix(count).dropFirst(min(4, max(count - 1, 0)))) }
      let medians = times.map { BenchHarness.median($0) * 1000 }
      var parts: [(String, Double)] = zip(settings, medians).map { ($0.name, $1) }
      for i in 1..<max(settings.count, 1) {
        let label = "\(settings[i].name)/\(settings[0].name)"
        parts.append((label, medians[0] > 0 ? medians[i] / medians[0] : 0))
        let paired = zip(times[i], times[0]).map { $1 > 0 ? $0 / $1 : 0 }
        parts.append(("\(label):paired", BenchHarness.median(paired)))
      }
      return parts
    }
    return c
  }

  /// The unfused ops (`matmul(x, W) + b` for ``Linear``) against the fused kernels, on one model's step.
  static func abFusion(_ name: String, _ workload: BenchCase) -> BenchCase {
    comparison(
      name, workload,
      settings: [BenchSetting("unfused") { Fusion.linear = false }, BenchSetting("fused") { Fusion.linear = true }])
  }

  /// The per-shape GEMM routing (OpenBLAS except the shape classes measured faster on oneDNN) against
  /// every GEMM through `dnnl_sgemm` (``DNNL/everyGEMM``), on one model's step.
  static func abEveryGEMM(_ name: String, _ workload: BenchCase) -> BenchCase {
    comparison(
      name, workload,
      settings: [
        BenchSetting("shaped") { DNNL.everyGEMM = false }, BenchSetting("onednn") { DNNL.everyGEMM = true },
      ])
  }

  /// conv2d's weight gradient from the forward pass's kept columns (``Fusion/convColumns``) against a
  /// second im2col.
  static func abColumns(_ name: String, _ workload: BenchCase) -> BenchCase {
    comparison(
      name, workload,
      settings: [
        BenchSetting("unfold") { Fusion.convColumns = false }, BenchSetting("kept") { Fusion.convColumns = true },
      ])
  }

  /// The im2col chunk size (``ConvChunking/floats``): the default 2²¹ floats against 2²⁰, 2²² and 2²³.
  static func abChunks(_ name: String, _ workload: BenchCase) -> BenchCase {
    let sizes = [21, 20, 22, 23]
    return comparison(
      name, workload, settings: sizes.map { e in BenchSetting("c\(e)") { ConvChunking.floats = 1 << e } })
  }

  /// The old routing against the new one on one model's training step.
  static func abSteps(_ name: String, _ workload: BenchCase) -> BenchCase {
    comparison(name, workload, settings: oldAndNew)
  }

  /// The old routing against convolution routings with `dnnl_sgemm` for the im2col GEMMs: im2col
  /// everywhere (`im2col`), direct first (`direct`), direct forward only (`df`), direct forward and
  /// backward-data (`dfb`), direct backward-data only (`db`), direct backward-weights only (`dw`).
  static func abConvRoutes(_ name: String, _ workload: BenchCase) -> BenchCase {
    let routes: [(String, ConvRoute)] = [
      ("im2col", .im2col), ("direct", .directFirst),
      ("df", .direct(forward: true, backwardData: false, backwardWeights: false)),
      ("dfb", .direct(forward: true, backwardData: true, backwardWeights: false)),
      ("db", .direct(forward: false, backwardData: true, backwardWeights: false)),
      ("dw", .direct(forward: false, backwardData: false, backwardWeights: true)),
    ]
    let settings =
      [oldAndNew[0]]
      + routes.map { label, route in
        BenchSetting(label) {
          DNNL.convolutions = true
          DNNL.convolutionRoute = route
          DNNL.convolutionGEMMs = true
        }
      }
    return comparison(name, workload, settings: settings)
  }

  /// The D step's second convolution (forward and both backward passes) through every routing:
  /// im2col with OpenBLAS (`blas`) or `dnnl_sgemm` (`dgemm`), and each combination of direct
  /// primitives (`d` + the direct passes: f forward, b backward-data, w backward-weights).
  static func abDConv2() -> BenchCase {
    var settings = [
      BenchSetting("blas") {
        DNNL.convolutionRoute = .im2col
        DNNL.convolutionGEMMs = false
      }
    ]
    for mask in 0..<8 {
      let (f, b, w) = (mask & 1 != 0, mask & 2 != 0, mask & 4 != 0)
      let label = mask == 0 ? "dgemm" : "d" + (f ? "f" : "") + (b ? "b" : "") + (w ? "w" : "")
      settings.append(
        BenchSetting(label) {
          DNNL.convolutionRoute = .direct(forward: f, backwardData: b, backwardWeights: w)
          DNNL.convolutionGEMMs = true
        })
    }
    return comparison("ab_d_conv2", dConv2(nil), settings: settings)
  }
}
