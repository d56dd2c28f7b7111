import Foundation
import Statistics
import Store

/// The NMT regime calibration: constant mixes P(MT) against MT only (P(MT) = 1) on shared seeds.
/// Before any claim of a multi-task gain: does any constant mix beat MT only at all here? Where
/// none does, a schedule over tasks (AutoLoss) can at best match MT only.
struct NMTCalibration {
  /// P(MT) of each candidate, MT only (1) last.
  var grid: [Float]
  /// Per candidate, per seed: MT validation perplexity (whole split, best checkpoint) and test.
  var validation: [[Float]]
  var test: [[Float]]

  /// The row label of a candidate mix.
  static func label(_ p: Float) -> String { String(format: "mix-%.2f", p) }

  init(grid: [Float], results: [NMTRunResult]) {
    self.grid = grid
    let runs = grid.map { p in results.filter { $0.spec.label == Self.label(p) } }
    validation = runs.map { $0.map(\.validationPerplexity) }
    test = runs.map { $0.map(\.testPerplexity) }
  }

  var reference: Int { grid.count - 1 }

  /// Mean and sample standard deviation of candidate i's validation perplexity.
  func meanSD(_ i: Int) -> (mean: Double, sd: Double, n: Int) {
    let x = validation[i].map(Double.init).filter(\.isFinite)
    guard !x.isEmpty else { return (.nan, .nan, 0) }
    let m = x.reduce(0, +) / Double(x.count)
    let sd = x.count > 1 ? (x.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(x.count - 1)).squareRoot() : .nan
    return (m, sd, x.count)
  }

  /// Candidate i − MT only, paired by seed (validation perplexity).
  func paired(_ i: Int) -> NMTPairedDifference { NMTPairedDifference(validation[i], validation[reference]) }

  /// P(MT) of the lowest mean validation perplexity (MT only included).
  var bestMix: Float {
    let i = grid.indices.min { (meanSD($0).mean.isNaN ? .infinity : meanSD($0).mean) < meanSD($1).mean } ?? reference
    return grid[i]
  }

  /// Mixes whose paired interval against MT only lies below zero.
  var mixesBeatingMTOnly: [Float] { grid.indices.dropLast().filter { paired($0).isBelowZero }.map { grid[$0] } }

  /// One line per candidate and the verdict.
  var text: String {
    var lines = [
      "calibration (MT validation perplexity, whole split, best checkpoint; mean ± SD, paired with MT only):"
    ]
    for i in grid.indices {
      let s = meanSD(i)
      var line = String(format: "  P(MT) = %.2f: %.2f ± %.2f (n = %d)", grid[i], s.mean, s.sd, s.n)
      if i != reference { line += "; − MT only: " + paired(i).formatted() }
      lines.append(line)
    }
    lines.append("  " + verdict)
    return lines.joined(separator: "\n")
  }

  var verdict: String {
    let beats = mixesBeatingMTOnly
    if beats.isEmpty {
      let n = validation.map(\.count).min() ?? 0
      return "No constant mix beats MT only here (no paired 95 % interval below zero, \(n) seeds): "
        + "AutoLoss can at best match MT only here."
    }
    return "Constant mixes that beat MT only (paired 95 % interval below zero): P(MT) = "
      + beats.map { String(format: "%.2f", $0) }.joined(separator: ", ") + "; a schedule over tasks has room here."
  }

  /// `/calibration`: grid, per-seed perplexities [G, n], paired differences against MT only.
  func write(to root: HDF5Group) throws {
    let g = try root.createGroup("calibration")
    let n = validation.map(\.count).min() ?? 0
    try g.write("mt_probability", grid, shape: [grid.count])
    try g.write("val_ppl", validation.flatMap { $0.prefix(n) }, shape: [grid.count, n])
    try g.write("test_ppl", test.flatMap { $0.prefix(n) }, shape: [grid.count, n])
    let d = grid.indices.map(paired)
    try g.write("paired_mean", d.map { Float($0.mean) }, shape: [grid.count])
    try g.write("paired_low", d.map { Float($0.low) }, shape: [grid.count])
    try g.write("paired_high", d.map { Float($0.high) }, shape: [grid.count])
    try g.setAttribute("best_mt_probability", Double(bestMix))
    try g.setAttribute("any_mix_beats_mt_only", Int64(mixesBeatingMTOnly.isEmpty ? 0 : 1))
    try g.setAttribute("verdict", verdict)
    try g.setAttribute(
      "note",
      "val_ppl: MT validation perplexity of the best checkpoint on the whole split; seeds shared across mixes; paired_*: mix − MT only, mean and 95 % t interval"
    )
  }
}
