import ArgumentParser
import Bench
import Engine
import Foundation
import Pipeline

/// `autoloss bench`: times one full training step of every task model and prints JSON.
struct BenchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench",
    abstract: "Time one training step (zero grad, forward, backward, Adam) of every task model.",
    discussion: """
      Prints {"model": {"ms": .., "gflops": .., "repeats": ..}, ...} on stdout: the median over the
      timed repeats of the milliseconds per step, and analytic GFLOP/s. Use a release build.
      scripts/bench.sh runs this beside scripts/bench_torch.py (PyTorch, 1 thread).
      """)

  @Option(help: "Timed repeats per model (the median is reported).")
  var repeats = 11

  @Option(help: "Untimed warm-up steps per model.")
  var warmup = 3

  @Option(
    help:
      "Comma-separated subset of: regression, mlp, dcgan_d_step, dcgan_g_step, scorer, nmt, sgemm512, d_conv2_onednn, d_conv2_im2col, d_conv2_openblas, regression_episode, classification_episode, gan_episode; and the paired engine A/B rows ab_dcgan_d_step, ab_dcgan_g_step, ab_scorer, ab_nmt, ab_d_conv2, ab_routes_* (run only when named)."
  )
  var only: String = ""

  @Option(help: "OpenBLAS threads (default 1).")
  var threads = 1

  func validate() throws {
    guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1") }
    guard warmup >= 0 else { throw ValidationError("--warmup must not be negative") }
    guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
  }

  func run() throws {
    keepLargeAllocationsResident()
    BLAS.setThreads(threads)
    let cases: [BenchCase]
    do {
      cases = try BenchHarness.select(BenchCatalog.all(), only: only.split(separator: ",").map(String.init))
    } catch let error as BenchError {
      throw ValidationError(error.description)
    }
    let results = BenchHarness.run(cases, repeats: repeats, warmup: warmup) { name, r in
      let padded = name.padding(toLength: max(name.count, 15), withPad: " ", startingAt: 0)
      let line = padded + String(format: " %9.3f ms  %7.1f GFLOP/s\n", r.ms, r.gflops)
      FileHandle.standardError.write(Data(line.utf8))
    }
    let meta = [
      "engine": "autoloss-swift", "blas_core": BenchHarness.blasCoreName, "threads": String(BLAS.threads),
      "openblas_coretype_env": ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] ?? "",
      "onednn_isa": String(format: "0x%x", GEMMMachine.oneDNNISA),
      "gemm_route": DNNL.everyGEMM ? "all through oneDNN" : "per shape class",
    ]
    print(BenchHarness.json(results, meta: meta))
  }
}
