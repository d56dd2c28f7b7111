import AutoLoss
import Engine
import Foundation
import Store
import Tasks

/// Mean and (population) standard deviation, NaN-free inputs assumed.
func nmtMeanStd(_ xs: [Float]) -> (mean: Float, std: Float) {
  guard !xs.isEmpty else { return (.nan, .nan) }
  let m = xs.reduce(0, +) / Float(xs.count)
  let v = xs.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Float(xs.count)
  return (m, v.squareRoot())
}

/// One row of an NMT results table: a schedule's runs.
struct NMTSummaryRow: Sendable {
  var label: String
  var runs: [NMTRunResult]

  var validation: (mean: Float, std: Float) { nmtMeanStd(runs.map(\.validationPerplexity)) }
  var test: (mean: Float, std: Float) { nmtMeanStd(runs.map(\.testPerplexity)) }
  var bleu: (mean: Float, std: Float) { nmtMeanStd(runs.compactMap { $0.bleu.map { Float($0.score * 100) } }) }
  func accuracy(_ t: Int) -> (mean: Float, std: Float) { nmtMeanStd(runs.map { $0.testAccuracy[t] }) }
  var mtShare: Float {
    nmtMeanStd(runs.map { r in r.trace.actionFractions(actionCount: r.checks.first?.taskSteps.count ?? 1).first ?? 0 })
      .mean
  }
  var seconds: Float { nmtMeanStd(runs.map { Float($0.seconds) }).mean }
  var cpu: (total: Float, validation: Float, final: Float) {
    (
      nmtMeanStd(runs.map { Float($0.cpuSeconds) }).mean, nmtMeanStd(runs.map { Float($0.validationSeconds) }).mean,
      nmtMeanStd(runs.map { Float($0.finalEvaluationSeconds) }).mean
    )
  }

  /// MT validation perplexity (check subset) at each check step: mean and std over runs.
  var curve: (steps: [Int], mean: [Float], std: [Float]) {
    let n = runs.map(\.checks.count).min() ?? 0
    guard n > 0 else { return ([], [], []) }
    let steps = runs[0].checks.prefix(n).map(\.step)
    var mean: [Float] = []
    var std: [Float] = []
    for i in 0..<n {
      let s = nmtMeanStd(runs.map { $0.checks[i].perplexity })
      mean.append(s.mean)
      std.append(s.std)
    }
    return (steps, mean, std)
  }
}

enum NMTArtifactWriter {
  /// Writes one run: its episode trace (TraceIO layout) plus the NMT checks, the final metrics and,
  /// for AutoLoss, the controller, the segment rewards and the policy over time.
  static func writeRun(_ r: NMTRunResult, to g: HDF5Group, taskNames: [String], featureCount: Int) throws {
    let k = taskNames.count
    try TraceIO.write(r.trace, to: g, actionCount: k, featureCount: featureCount, lossCount: k)
    let c = try g.createGroup("nmt_checks")
    let v = r.checks.count
    try c.write("step", r.checks.map { Int32($0.step) }, shape: [v])
    try c.write("mt_val_ppl", r.checks.map(\.perplexity), shape: [v])
    try c.write("val_loss", r.checks.flatMap(\.validationLoss), shape: [v, k])
    try c.write("val_acc", r.checks.flatMap(\.validationAccuracy), shape: [v, k])
    try c.write("train_loss", r.checks.flatMap(\.trainingLoss), shape: [v, k])
    try c.write("train_acc", r.checks.flatMap(\.trainingAccuracy), shape: [v, k])
    try c.write("task_steps", r.checks.flatMap { $0.taskSteps.map(Int32.init) }, shape: [v, k])
    try c.setAttribute("tasks", taskNames.joined(separator: ","))
    try g.setAttribute("seed", Int64(bitPattern: r.spec.seed))
    try g.setAttribute("schedule", r.spec.schedule.rawValue)
    try g.setAttribute("mix", r.spec.mix.map { String(format: "%.4f", $0) }.joined(separator: ","))
    if r.spec.schedule == .fineTuned {
      try g.setAttribute("switch_step_planned", Int64(r.spec.switchStep))
      try g.setAttribute("switch_step", Int64(r.switchedAt))
    }
    try g.setAttribute("best_check_val_ppl", Double(r.bestCheckPerplexity))
    try g.setAttribute("val_ppl", Double(r.validationPerplexity))
    try g.setAttribute("test_ppl", Double(r.testPerplexity))
    if let b = r.bleu {
      try g.setAttribute("test_bleu", b.score * 100)
      try g.setAttribute("test_bleu_brevity_penalty", b.brevityPenalty)
      try g.write("test_bleu_precisions", b.precisions, shape: [b.precisions.count])
    }
    try g.write("test_accuracy", r.testAccuracy, shape: [k])
    try g.setAttribute("seconds", r.seconds)
    try g.setAttribute("cpu_seconds", r.cpuSeconds)
    try g.setAttribute("validation_cpu_seconds", r.validationSeconds)
    try g.setAttribute("final_evaluation_cpu_seconds", r.finalEvaluationSeconds)
    if r.spec.schedule == .autoLoss || r.spec.schedule == .autoLossTransfer {
      try g.setAttribute("controller_learning", Int64(r.spec.learn ? 1 : 0))
      let s = try g.createGroup("segments")
      try s.write("step", r.segmentSteps.map(Int32.init), shape: [r.segmentSteps.count])
      try s.write("reward", r.segmentRewards, shape: [r.segmentRewards.count])
      let u = r.updateStats
      try s.write(
        "update_stats", u.flatMap { [$0.actorLoss, $0.criticLoss, $0.entropy, $0.clippedFraction] },
        shape: [u.count, 4])
      try s.setAttribute("update_stats_columns", "actor_loss,critic_loss,entropy,clipped_fraction")
      let policy = policyCurve(r.trace, actionCount: k, every: max(r.checks.count > 1 ? r.checks[1].step : 50, 1))
      try s.write("policy_step", policy.steps.map(Int32.init), shape: [policy.steps.count])
      try s.write("policy_mean", policy.mean, shape: [policy.steps.count, k])
      if !r.controller.isEmpty { try ParameterIO.write(r.controller, to: try g.createGroup("controller")) }
    }
  }

  /// Mean task probabilities over windows of `every` steps (the paper's Figure 3, middle).
  static func policyCurve(_ trace: EpisodeTrace, actionCount k: Int, every: Int) -> (steps: [Int], mean: [Float]) {
    let t = trace.actions.count
    guard trace.probabilities.count == t * k, t > 0 else { return ([], []) }
    var steps: [Int] = []
    var mean: [Float] = []
    var start = 0
    while start < t {
      let end = min(start + every, t)
      var m = [Float](repeating: 0, count: k)
      for i in start..<end { for j in 0..<k { m[j] += trace.probabilities[i * k + j] } }
      mean += m.map { $0 / Float(end - start) }
      steps.append(end)
      start = end
    }
    return (steps, mean)
  }

  /// Writes the summary table and the mean curves.
  static func writeSummary(_ rows: [NMTSummaryRow], to root: HDF5Group, taskNames: [String]) throws {
    let s = try root.createGroup("summary")
    let n = rows.count
    try s.writeStrings("schedule", rows.map(\.label))
    try s.write("runs", rows.map { Int32($0.runs.count) }, shape: [n])
    try s.write("val_ppl_mean", rows.map(\.validation.mean), shape: [n])
    try s.write("val_ppl_std", rows.map(\.validation.std), shape: [n])
    try s.write("test_ppl_mean", rows.map(\.test.mean), shape: [n])
    try s.write("test_ppl_std", rows.map(\.test.std), shape: [n])
    try s.write("test_bleu_mean", rows.map(\.bleu.mean), shape: [n])
    try s.write("test_bleu_std", rows.map(\.bleu.std), shape: [n])
    try s.write("mt_step_share", rows.map(\.mtShare), shape: [n])
    try s.write("seconds_mean", rows.map(\.seconds), shape: [n])
    try s.write("cpu_seconds_mean", rows.map(\.cpu.total), shape: [n])
    let k = taskNames.count
    try s.write("test_accuracy_mean", rows.flatMap { r in (0..<k).map { r.accuracy($0).mean } }, shape: [n, k])
    try s.write("test_accuracy_std", rows.flatMap { r in (0..<k).map { r.accuracy($0).std } }, shape: [n, k])
    try s.setAttribute("tasks", taskNames.joined(separator: ","))
    try s.setAttribute(
      "note",
      "val/test ppl: MT, best checkpoint by MT validation perplexity on the check subset, evaluated on the whole split; BLEU: corpus BLEU-4 x100, greedy, BPE joined; std: population std over runs"
    )
    for r in rows {
      let c = r.curve
      let g = try s.createGroup("curves/\(r.label)")
      try g.write("step", c.steps.map(Int32.init), shape: [c.steps.count])
      try g.write("mt_val_ppl_mean", c.mean, shape: [c.mean.count])
      try g.write("mt_val_ppl_std", c.std, shape: [c.std.count])
    }
  }

  /// A plain-text table of the rows, with the curves at a few points.
  static func report(_ rows: [NMTSummaryRow], taskNames: [String]) -> String {
    var lines: [String] = []
    let aux = taskNames.dropFirst().map { "\($0) acc" }
    lines.append(
      (["schedule", "runs", "val ppl", "test ppl", "BLEU", "MT share"] + aux + [
        "wall s/run", "cpu s/run (checks, final eval)",
      ]).joined(separator: " | "))
    for r in rows {
      func ms(_ x: (mean: Float, std: Float), _ f: String = "%.3f") -> String {
        String(format: "\(f) ± \(f)", x.mean, x.std)
      }
      var cells = [
        r.label, "\(r.runs.count)", ms(r.validation), ms(r.test), ms(r.bleu, "%.2f"), String(format: "%.2f", r.mtShare),
      ]
      for t in taskNames.indices.dropFirst() { cells.append(ms(r.accuracy(t))) }
      cells.append(String(format: "%.0f", r.seconds))
      cells.append(String(format: "%.0f (%.0f, %.0f)", r.cpu.total, r.cpu.validation, r.cpu.final))
      lines.append(cells.joined(separator: " | "))
    }
    lines.append("MT validation perplexity (check subset) over steps, mean over runs:")
    for r in rows {
      let c = r.curve
      let pick =
        stride(from: 0, to: c.steps.count, by: max(1, c.steps.count / 8)).map { $0 }
        + (c.steps.isEmpty ? [] : [c.steps.count - 1])
      let points = Array(Set(pick)).sorted().map { String(format: "%d:%.2f", c.steps[$0], c.mean[$0]) }
      lines.append("  \(r.label): " + points.joined(separator: " "))
    }
    return lines.joined(separator: "\n")
  }
}
