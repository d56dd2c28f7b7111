import Foundation
import Store

/// The NMT report's protocol parts: the regime calibration, the meta-episode curves and the
/// frozen evaluation with paired differences.
extension ReportBuilder {
  func nmtCalibrationBlocks(_ c: StoredNMTCalibration, source: ResolvedArtifact) -> [ReportBlock] {
    let rows = c.grid.indices.map { i -> [String] in
      let s = c.meanSD(i)
      let d = c.paired(i)
      return [
        i == c.reference ? "1.00 (MT only)" : String(format: "%.2f", c.grid[i]), "\(s.n)",
        ReportFormat.meanStd(s.mean, s.sd, digits: 2), i == c.reference ? "reference" : d.formatted(),
      ]
    }
    let table = ReportTable(
      caption: "NMT calibration: does any constant mix beat MT only on this data and budget?",
      columns: ["P(MT)", "runs", "val PPL (mean ± SD)", "mix − MT only, paired (mean [95 % interval])"],
      rows: rows,
      notes: [
        "MT validation perplexity of the best checkpoint on the whole validation split; the seeds are shared "
          + "across mixes, so each mix is paired with MT only seed by seed; the auxiliary tasks share 1 − P(MT) "
          + "equally. The best constant mix of the evaluation is the lowest mean here (MT only included).",
        String(format: "Best constant mix: P(MT) = %.2f.", c.bestMix),
      ], sources: [source])
    let line = "NMT calibration: " + c.verdict
    addVerdict(line)
    return [.table(table), .verdict(line)]
  }

  /// Per controller, per meta-episode: ε, MT step share, mean segment reward, val PPL.
  /// (Artifacts without meta-training records have no "meta" group: nothing to show.)
  func nmtMetaBlocks(_ root: HDF5Group, source: ResolvedArtifact) throws -> [ReportBlock] {
    guard root.isGroup("meta") else { return [] }
    let g = try root.group("meta")
    let names = try g.list()
    guard !names.isEmpty else { return [] }
    var rows: [[String]] = []
    for name in names.sorted() {
      guard g.isGroup(name) else { continue }  // a stray dataset beside the controller groups
      let c = try g.group(name)
      func floats(_ n: String) throws -> [Float] { (try inputs.optionalValues(c, n, as: Float.self)) ?? [] }
      let (eps, share, reward, val) = (
        try floats("exploration"), try floats("mt_step_share"), try floats("mean_segment_reward"), try floats("val_ppl")
      )
      for e in eps.indices where e < share.count && e < reward.count && e < val.count {
        rows.append([
          "autoloss-\(name)", "\(e + 1)", ReportFormat.number(eps[e], digits: 2),
          ReportFormat.number(share[e], digits: 2),
          ReportFormat.number(reward[e], digits: 3), ReportFormat.number(val[e], digits: 2),
        ])
      }
    }
    guard !rows.isEmpty else { return [] }
    return [
      .table(
        ReportTable(
          caption: "NMT AutoLoss training: one controller kept across meta-episodes (fresh NMT models)",
          columns: ["controller", "meta-episode", "ε", "MT step share", "mean segment reward", "val PPL"], rows: rows,
          notes: [
            "Online PPO: reference policy refreshed after every update, ε-exploration decaying by meta-episode "
              + "(official code: linspace(0.5, 0.1, 5)), normalized advantages, uniform start. The training runs "
              + "explore, so their perplexities are not the evaluation; see the frozen evaluation below."
          ], sources: [source]))
    ]
  }

  /// The frozen evaluation: summary rows and the paired differences; verdict lines.
  func nmtEvaluationBlocks(_ dataset: String, calibration: StoredNMTCalibration?) throws -> [ReportBlock] {
    let name = "\(dataset)-evaluation"
    guard let a = inputs.latest(stage: "nmt", name: name) else {
      return [.missing(inputs.missing(stage: "nmt", name: name, what: "NMT frozen evaluation"))]
    }
    let f = try inputs.open(a, schema: Self.nmtSchema)
    defer { f.close() }
    var blocks: [ReportBlock] = []
    let rows = try readNMTSummary(f.root)
    // Artifacts before these attributes were recorded evaluated the final controllers frozen at ε 0.
    let choice = try inputs.optionalString(f.root, "evaluated_controller") ?? "final (after the last meta-episode)"
    let epsilon = try inputs.optionalAttribute(f.root, "evaluation_exploration", as: Double.self) ?? 0
    let learning = (try inputs.optionalAttribute(f.root, "evaluation_learning", as: Int64.self) ?? 0) != 0
    let how =
      "controllers: \(choice), ε \(ReportFormat.number(epsilon, digits: 2)), "
      + (learning ? "learning online in each run" : "frozen")
    if !rows.isEmpty {
      blocks.append(
        .table(
          ReportTable(
            caption: "NMT evaluation on fresh seeds (\(how))",
            columns: ["schedule", "runs", "val PPL (mean ± std)", "test PPL", "MT step share"],
            rows: rows.map {
              [
                $0.schedule, "\($0.runs)", ReportFormat.meanStd($0.valPPL.0, $0.valPPL.1, digits: 3),
                ReportFormat.meanStd($0.testPPL.0, $0.testPPL.1, digits: 3), ReportFormat.number($0.mtShare, digits: 2),
              ]
            },
            notes: [
              "mt-only-equal-mt-c<k>: MT only for as many steps as controller k's run took MT steps (equal MT "
                + "updates); the other baselines run as many steps as the controller (equal steps)."
            ], sources: [a])))
    }
    guard f.root.isGroup("paired") else { return blocks }
    let g = try f.root.group("paired")
    let controllers = try g.readStrings("controller")
    let baselines = try g.readStrings("baseline")
    let budgets = try g.readStrings("budget")
    func floats(_ n: String) throws -> [Double] {
      ((try inputs.optionalValues(g, n, as: Float.self)) ?? []).map(Double.init)
    }
    let n = (try inputs.optionalValues(g, "n", as: Int32.self)) ?? []
    let (vm, vl, vh, tm, tl, th) = (
      try floats("val_mean"), try floats("val_low"), try floats("val_high"), try floats("test_mean"),
      try floats("test_low"), try floats("test_high")
    )
    func cell(_ m: [Double], _ l: [Double], _ h: [Double], _ i: Int) -> String {
      guard i < m.count, i < l.count, i < h.count else { return "n/a" }
      return l[i].isFinite ? String(format: "%+.2f [%+.2f, %+.2f]", m[i], l[i], h[i]) : String(format: "%+.2f", m[i])
    }
    var table: [[String]] = []
    for i in controllers.indices where i < baselines.count && i < budgets.count {
      table.append([
        controllers[i], baselines[i], budgets[i], i < n.count ? "\(n[i])" : "?", cell(vm, vl, vh, i),
        cell(tm, tl, th, i),
      ])
    }
    blocks.append(
      .table(
        ReportTable(
          caption: "NMT: paired differences, controller − baseline (MT perplexity; negative: the controller is better)",
          columns: ["controller", "baseline", "budget", "seeds", "val PPL diff [95 % CI]", "test PPL diff [95 % CI]"],
          rows: table, notes: ["Mean of the per-seed differences and its 95 % t interval."], sources: [a])))
    var parts: [String] = []
    if let c = calibration, !c.anyMixBeatsMTOnly {
      parts.append("no constant mix beats MT only here, so AutoLoss can at best match MT only here")
    }
    for i in controllers.indices where i < baselines.count && i < vm.count && i < vh.count && i < vl.count {
      guard baselines[i] == "mt-only" || baselines[i] == "best-mix" || baselines[i].hasPrefix("mt-only-equal-mt") else {
        continue
      }
      let word = vh[i] < 0 ? "beats" : (vl[i] > 0 ? "loses to" : "is level with")
      parts.append(
        "\(controllers[i]) \(word) \(baselines[i]) (\(budgets[i])): val PPL \(cell(vm, vl, vh, i))")
    }
    if !parts.isEmpty {
      let line = "NMT \(dataset) evaluation (\(how)): " + parts.joined(separator: "; ")
      addVerdict(line)
      blocks.append(.verdict(line))
    }
    return blocks
  }
}
