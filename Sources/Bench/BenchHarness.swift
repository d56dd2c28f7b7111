import Engine
import Foundation

/// The timing of one benchmarked training step.
public struct BenchResult: Sendable, Equatable {
  /// Median milliseconds per step over the timed repeats.
  public var ms: Double
  /// Analytic floating-point operations per step divided by the median time.
  public var gflops: Double
  /// The number of timed repeats the median is taken over.
  public var repeats: Int
  /// Steps averaged inside one repeat (small models run many steps per repeat).
  public var stepsPerRepeat: Int

  public init(ms: Double, gflops: Double, repeats: Int, stepsPerRepeat: Int) {
    self.ms = ms
    self.gflops = gflops
    self.repeats = repeats
    self.stepsPerRepeat = stepsPerRepeat
  }
}

/// One benchmarked workload: a name, its analytic FLOP count per step and a factory that builds the
/// model and returns a closure running one full step (built lazily, so `--only` skips the others).
public struct BenchCase {
  /// The JSON key, for example `"dcgan_d_step"`.
  public var name: String
  /// Floating-point operations of one step (2 per multiply-add of the GEMM/convolution work, forward
  /// and backward; elementwise work is not counted).
  public var flops: Double
  /// Builds the workload and returns one step.
  public var make: () -> () -> Void
  /// For composite workloads (whole episodes): named parts of the time, read after the timing and
  /// reported as extra results `name:part` (milliseconds per task step).
  public var parts: (() -> [(String, Double)])?

  public init(name: String, flops: Double, make: @escaping () -> () -> Void) {
    self.name = name
    self.flops = flops
    self.make = make
  }
}

/// Times ``BenchCase`` steps: medians over repeats, each repeat long enough to be measurable.
public enum BenchHarness {
  /// Minimum wall time of one repeat; short steps are run several times per repeat.
  public static let minimumRepeatSeconds = 0.02

  /// Runs `warmup` untimed steps, picks how many steps make one repeat, then times `repeats` repeats
  /// and returns the median milliseconds per step.
  public static func measure(_ benchCase: BenchCase, repeats: Int, warmup: Int) -> BenchResult {
    let step = benchCase.make()
    for _ in 0..<max(warmup, 0) { step() }
    // Calibrate: steps per repeat so that one repeat lasts at least minimumRepeatSeconds.
    var probe = seconds { step() }
    if probe < minimumRepeatSeconds / 4 { probe = seconds { for _ in 0..<3 { step() } } / 3 }
    let inner =
      probe >= minimumRepeatSeconds ? 1 : min(10_000, Int((minimumRepeatSeconds / max(probe, 1e-7)).rounded(.up)))
    var times: [Double] = []
    for _ in 0..<max(repeats, 1) {
      let t = seconds { for _ in 0..<inner { step() } }
      times.append(t / Double(inner))
    }
    let ms = median(times) * 1000
    return BenchResult(
      ms: ms, gflops: ms > 0 ? benchCase.flops / (ms * 1e6) : 0, repeats: times.count, stepsPerRepeat: inner)
  }

  /// The wall time of `body` in seconds.
  public static func seconds(_ body: () -> Void) -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
  }

  /// The median of a non-empty list (the mean of the middle pair for even counts).
  public static func median(_ values: [Double]) -> Double {
    guard !values.isEmpty else { return 0 }
    let s = values.sorted()
    let mid = s.count / 2
    return s.count % 2 == 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2
  }

  /// The results as one JSON object in case order:
  /// `{"model": {"ms": .., "gflops": .., "repeats": ..}, ...}` plus a `"_meta"` entry.
  public static func json(_ results: [(String, BenchResult)], meta: [String: String] = [:]) -> String {
    func number(_ x: Double) -> String { String(format: "%.4f", x) }
    var lines: [String] = []
    for (name, r) in results {
      lines.append(
        "  \"\(name)\": {\"ms\": \(number(r.ms)), \"gflops\": \(number(r.gflops)), \"repeats\": \(r.repeats), "
          + "\"steps_per_repeat\": \(r.stepsPerRepeat)}")
    }
    if !meta.isEmpty {
      let fields = meta.keys.sorted().map { "\"\($0)\": \"\(escape(meta[$0]!))\"" }.joined(separator: ", ")
      lines.append("  \"_meta\": {\(fields)}")
    }
    return "{\n" + lines.joined(separator: ",\n") + "\n}"
  }

  static func escape(_ s: String) -> String {
    s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
  }
}

/// Errors of the benchmark command that come from user input.
public enum BenchError: Error, CustomStringConvertible, Equatable {
  case unknownCase(String, known: [String])

  public var description: String {
    switch self {
    case .unknownCase(let name, let known):
      return "unknown benchmark '\(name)'; known: \(known.joined(separator: ", "))"
    }
  }
}

extension BenchHarness {
  /// The cases named in `only` (all when empty), in catalog order; unknown names are an error.
  public static func select(_ cases: [BenchCase], only: [String]) throws -> [BenchCase] {
    let wanted = only.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    if wanted.isEmpty { return cases }
    // the paired comparisons (`ab_*`) run only when named
    let extra = BenchCatalog.comparisons()
    let known = cases.map(\.name) + extra.map(\.name)
    for name in wanted where !known.contains(name) { throw BenchError.unknownCase(name, known: known) }
    return (cases + extra).filter { wanted.contains($0.name) }
  }

  /// The OpenBLAS kernel in use (`openblas_get_corename`), or "unknown" when it cannot be looked up.
  public static var blasCoreName: String {
    guard let symbol = dlsym(nil, "openblas_get_corename") else { return "unknown" }
    let fn = unsafeBitCast(symbol, to: (@convention(c) () -> UnsafePointer<CChar>?).self)
    return fn().map { String(cString: $0) } ?? "unknown"
  }

  /// Runs the selected cases one after another; `progress` receives each result as it is measured.
  public static func run(
    _ cases: [BenchCase], repeats: Int, warmup: Int, progress: (String, BenchResult) -> Void = { _, _ in }
  ) -> [(String, BenchResult)] {
    cases.flatMap { c in
      let r = measure(c, repeats: repeats, warmup: warmup)
      progress(c.name, r)
      let parts = (c.parts?() ?? []).map { part, ms in
        ("\(c.name):\(part)", BenchResult(ms: ms, gflops: 0, repeats: r.repeats, stepsPerRepeat: r.stepsPerRepeat))
      }
      for (name, result) in parts { progress(name, result) }
      return [(c.name, r)] + parts
    }
  }
}
