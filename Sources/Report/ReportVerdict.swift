import Foundation
import Statistics
import Store

/// Comparisons of AutoLoss with a baseline, in words computed from means, standard deviations and n.
enum ReportVerdict {
  /// "beats DGS (4.0312 ± 0.0100, n=10) by 0.0050 = 1.3× the combined standard error 0.0038", or says
  /// plainly that it does not.
  static func compare(
    _ auto: StoredMethodResult, _ other: StoredMethodResult, lowerIsBetter: Bool, digits: Int = 4
  ) -> String {
    let diff = lowerIsBetter ? other.mean - auto.mean : auto.mean - other.mean
    let se = auto.standardError(with: other)
    let theirs = "\(other.method) (\(ReportFormat.meanStd(other.mean, other.std, digits: digits)), n=\(other.n))"
    guard diff.isFinite else { return "cannot be compared with \(theirs): a mean is missing" }
    let d = ReportFormat.number(abs(diff), digits: digits)
    let seText = ReportFormat.number(se, digits: digits)
    let ratio = se > 0 ? String(format: "%.1f×", abs(diff) / se) : "∞×"
    if diff > 0 && (se == 0 || diff > se) {
      return "beats \(theirs) by \(d), \(ratio) the combined standard error \(seText)"
    }
    if diff > 0 {
      return "is ahead of \(theirs) by \(d), within the combined standard error \(seText) (\(ratio)): not a clear win"
    }
    if diff == 0 { return "ties \(theirs)" }
    return "does NOT beat \(theirs): behind by \(d) (\(ratio) the combined standard error \(seText))"
  }

  /// The best row by mean among `rows` (lowest or highest), ignoring NaN.
  static func best(_ rows: [StoredMethodResult], lowerIsBetter: Bool) -> StoredMethodResult? {
    rows.filter { $0.mean.isFinite }.min { lowerIsBetter ? $0.mean < $1.mean : $0.mean > $1.mean }
  }
}

/// One stored paired comparison of a controller seed with a baseline (evaluation artifact,
/// `/comparisons/<seed>/<baseline>`).
struct StoredComparison {
  var seed: String
  var baseline: String
  var n: Int
  var mean: Double
  var low: Double
  var high: Double
  var wilcoxonP: Double

  /// Every comparison and the per-baseline verdicts of an evaluation artifact's root.
  /// (An evaluation written before comparisons existed has none; absent parts are noted in `inputs`.)
  static func read(_ root: HDF5Group, inputs: ReportInputs) throws -> (
    comparisons: [StoredComparison], verdicts: [(String, String)]
  ) {
    guard root.isGroup("comparisons") else { return ([], []) }
    let group = try root.group("comparisons")
    var out: [StoredComparison] = []
    let seeds = (try inputs.optionalStrings(root, "controller_seeds")) ?? []
    // The evaluation stores one verdict per compared baseline, in its order of comparison.
    let names = (try inputs.optionalStrings(group, "verdict_baseline")) ?? []
    for seed in seeds {
      for baseline in names {
        guard let g = try inputs.optionalGroup(group, "\(seed)/\(baseline)"), g.hasAttribute("mean_difference")
        else { continue }
        func d(_ name: String) throws -> Double { (try inputs.optionalAttribute(g, name, as: Double.self)) ?? .nan }
        out.append(
          StoredComparison(
            seed: seed, baseline: baseline, n: Int((try inputs.optionalAttribute(g, "n", as: Int64.self)) ?? 0),
            mean: try d("mean_difference"), low: try d("ci95_low"), high: try d("ci95_high"),
            wilcoxonP: try d("wilcoxon_p")))
      }
    }
    let verdicts = (try inputs.optionalStrings(group, "verdict")) ?? []
    return (out, Array(zip(names, verdicts)))
  }
}

extension ReportBuilder {
  /// The paired-comparison table (every controller seed against every baseline) and the verdicts.
  func pairedBlocks(_ eval: RegularizedEvaluation) -> [ReportBlock] {
    guard !eval.comparisons.isEmpty else {
      return [.paragraph("No paired comparisons in \(eval.artifact.path) (an evaluation written before they existed).")]
    }
    let digits = eval.kind == .regression ? 4 : 4
    let rows = eval.comparisons.map { c -> [String] in
      [
        "AutoLoss \(c.seed)", c.baseline == "best constant ratio" ? "tuned coin (best constant ratio)" : c.baseline,
        "\(c.n)", ReportFormat.number(c.mean, digits: digits),
        "[\(ReportFormat.number(c.low, digits: digits)), \(ReportFormat.number(c.high, digits: digits))]",
        c.wilcoxonP < 0.001 ? "< 0.001" : ReportFormat.number(c.wilcoxonP, digits: 3),
      ]
    }
    let margin = eval.config.map { ReportFormat.number($0.equivalenceMargin, digits: 4) } ?? "?"
    var blocks: [ReportBlock] = [
      .table(
        ReportTable(
          caption:
            "Paired comparisons (\(eval.kind.rawValue)): baseline − AutoLoss test \(eval.kind == .regression ? "MSE" : "error") per trial on the same seeds (positive favours AutoLoss)",
          columns: ["controller", "against", "n", "mean difference", "95 % t-interval", "Wilcoxon p"], rows: rows,
          notes: [
            "Common random numbers: every method trains from the same initialisations with the same data order; the "
              + "ratio-matched coin draws L1 steps with that controller's own realized P(L1). Verdict rules, fixed before the "
              + "run: \"better\" only when the 95 % interval lies above zero for every controller seed, \"worse\" when below "
              + "zero for every seed, \"equivalent\" only when every seed's 90 % TOST interval lies within ±\(margin) "
              + "(equivalenceMargin in the config), otherwise \"no detectable difference at n\"."
          ], sources: [eval.artifact]))
    ]
    let n = eval.comparisons.first?.n ?? 0
    let text = eval.verdicts.filter { ["DGS", "best constant ratio", "ratio-matched coin"].contains($0.0) }
      .map { b, v in
        let name = b == "best constant ratio" ? "the tuned coin" : b
        return v == PairedVerdict.noDifference.rawValue ? "\(v) from \(name) at n = \(n)" : "\(v) than \(name)"
      }
    if !text.isEmpty {
      let line =
        "\(eval.kind.rawValue), AutoLoss over \(Set(eval.comparisons.map(\.seed)).count) controller seed(s): "
        + text.joined(separator: "; ").replacingOccurrences(of: "equivalent than", with: "equivalent to")
      addVerdict(line)
      blocks.append(.verdict(line))
    }
    return blocks
  }

  /// The "what was learned" blocks of `kind` from its latest analysis artifact.
  func learnedBlocks(_ kind: ReportTask) throws -> [ReportBlock] {
    guard let artifact = inputs.latest(stage: "analysis", name: kind.rawValue),
      let file = inputs.openIfReadable(artifact, schema: ReportSchemas.learnedAnalysis)
    else {
      return [.missing(inputs.missing(stage: "analysis", name: kind.rawValue, what: "what the controller learned"))]
    }
    defer { file.close() }
    let root = file.root
    let seeds = (try inputs.optionalStrings(root, "controller_seeds")) ?? []
    var rows: [[String]] = []
    var binRows: [[String]] = []
    func n(_ v: Double, _ digits: Int = 3) -> String { ReportFormat.number(v, digits: digits) }
    func interval(_ g: HDF5Group?) throws -> String {
      guard let g, g.hasAttribute("mean_difference") else { return "—" }
      func d(_ name: String) throws -> Double { (try inputs.optionalAttribute(g, name, as: Double.self)) ?? .nan }
      return "\(n(try d("mean_difference"), 4)) [\(n(try d("ci95_low"), 4)), \(n(try d("ci95_high"), 4))]"
    }
    var groupNames: [String] = []
    for seed in seeds {
      guard let g = try inputs.optionalGroup(root, "seeds/\(seed)"), let policy = try inputs.optionalGroup(g, "policy")
      else { continue }
      func a(_ name: String) throws -> Double { (try inputs.optionalAttribute(policy, name, as: Double.self)) ?? .nan }
      groupNames = (try inputs.optionalStrings(policy, "groups")) ?? []
      let clamps = try groupNames.map { try interval(try inputs.optionalGroup(g, "clamp/\($0)")) }
      rows.append(
        [
          seed, (try inputs.optionalString(g, "verdict")) ?? "?",
          n((try inputs.optionalAttribute(g, "realized_ratio", as: Double.self)) ?? .nan),
          "\(n(try a("within_run_sd"))) / \(n(try a("within_run_p05_p95_range")))", n(try a("r2_progress")),
          n(try a("r2_all_features")),
          try interval(try inputs.optionalGroup(g, "replay_block")),
          try interval(try inputs.optionalGroup(g, "replay_full_vs_block")),
        ] + clamps)
      let means = (try inputs.optionalValues(policy, "bin_mean", as: Double.self)) ?? []
      let p05 = (try inputs.optionalValues(policy, "bin_p05", as: Double.self)) ?? []
      let p95 = (try inputs.optionalValues(policy, "bin_p95", as: Double.self)) ?? []
      binRows.append(
        [seed]
          + means.indices.map { i in
            "\(n(means[i], 2)) (\(i < p05.count ? n(p05[i], 2) : "?")–\(i < p95.count ? n(p95[i], 2) : "?"))"
          })
    }
    let verdict = (try inputs.optionalString(root, "verdict")) ?? "?"
    let rules = (try inputs.optionalString(root, "rules")) ?? ""
    var blocks: [ReportBlock] = [
      .heading("What the controller learned (\(kind.rawValue))"),
      .table(
        ReportTable(
          caption:
            "Per controller seed: verdict, realized P(L1), within-run SD / 5–95 % range of P(L1), R² of P(L1) on progress alone and on all features, and test-error differences (other − controller, 95 % interval) of the replays and the feature clamps",
          columns: [
            "seed", "verdict", "P(L1)", "within-run SD / range", "R² progress", "R² all", "block-shuffled replay",
            "full − block shuffle",
          ] + groupNames.map { "clamp \($0)" }, rows: rows, notes: ["Rules: " + rules], sources: [artifact])),
    ]
    if let bins = binRows.first?.count, bins > 1 {
      blocks.append(
        .table(
          ReportTable(
            caption: "P(L1) over training progress t/T (mean and 5–95 % range over the steps of all evaluation runs)",
            columns: ["seed"] + (1..<bins).map { "bin \($0)" }, rows: binRows, notes: [], sources: [artifact])))
    }
    let line = "\(kind.rawValue): the controller \(verdict) (lowest tier over \(seeds.count) controller seed(s))"
    addVerdict(line)
    blocks.append(.verdict(line))
    return blocks
  }
}
