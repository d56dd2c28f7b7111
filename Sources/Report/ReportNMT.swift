import Foundation
import Store

/// One row of an NMT summary table (`/summary` of an `autoloss/nmt-runs` artifact).
struct StoredNMTRow {
  var schedule: String
  var runs: Int
  var valPPL: (Double, Double)
  var testPPL: (Double, Double)
  var bleu: (Double, Double)
  var mtShare: Double
  var curve: (steps: [Double], mean: [Double], std: [Double])

  var asResult: StoredMethodResult {
    StoredMethodResult(
      method: schedule, mean: valPPL.0, std: valPPL.1, n: runs, note: "", testErrors: [], validationErrors: [],
      steps: [],
      actionFractions: [], example: nil)
  }
}

extension ReportBuilder {
  static let nmtSchema = "autoloss/nmt-runs"
  /// Our NMT schedule names → the paper's (Figure 3L).
  static let nmtPaperNames = [
    "mt-only": "MT", "fixed-ratio": "FixedRatio", "fine-tuned": "FineTuned MT", "autoloss": "AutoLoss",
  ]

  func readNMTSummary(_ root: HDF5Group) throws -> [StoredNMTRow] {
    guard root.isGroup("summary") else { return [] }
    let s = try root.group("summary")
    func floats(_ n: String) throws -> [Double] {
      ((try inputs.optionalValues(s, n, as: Float.self)) ?? []).map(Double.init)
    }
    let names = try s.readStrings("schedule")
    let runs = (try inputs.optionalValues(s, "runs", as: Int32.self)) ?? []
    let (vm, vs, tm, ts, bm, bs, share) = (
      try floats("val_ppl_mean"), try floats("val_ppl_std"), try floats("test_ppl_mean"), try floats("test_ppl_std"),
      try floats("test_bleu_mean"), try floats("test_bleu_std"), try floats("mt_step_share")
    )
    func at(_ a: [Double], _ i: Int) -> Double { i < a.count ? a[i] : .nan }
    return try names.enumerated().map { i, name in
      var curve: ([Double], [Double], [Double]) = ([], [], [])
      if let g = try inputs.optionalGroup(s, "curves/\(name)") {
        curve = (
          ((try inputs.optionalValues(g, "step", as: Int32.self)) ?? []).map(Double.init),
          ((try inputs.optionalValues(g, "mt_val_ppl_mean", as: Float.self)) ?? []).map(Double.init),
          ((try inputs.optionalValues(g, "mt_val_ppl_std", as: Float.self)) ?? []).map(Double.init)
        )
      }
      return StoredNMTRow(
        schedule: name, runs: i < runs.count ? Int(runs[i]) : 0, valPPL: (at(vm, i), at(vs, i)),
        testPPL: (at(tm, i), at(ts, i)),
        bleu: (at(bm, i), at(bs, i)), mtShare: at(share, i), curve: curve)
    }
  }

  func nmtSection() throws -> ReportSection {
    var s = ReportSection(id: "nmt", title: "NMT: multi-task translation (Figure 3)")
    let names = inputs.names(stage: "nmt")
    let datasets = Set(
      names.compactMap { n -> String? in
        for suffix in ["-baselines", "-autoloss", "-evaluation", "-transfer"] where n.hasSuffix(suffix) {
          return String(n.dropLast(suffix.count))
        }
        return nil
      })
    if datasets.isEmpty {
      s.add(.missing(inputs.missing(stage: "nmt", name: "nmt-tr-en-baselines", what: "NMT (Figure 3)")))
      s.add(.missing(inputs.missing(stage: "nmt", name: "nmt-tr-en-autoloss", what: "NMT AutoLoss")))
      return s
    }
    for d in datasets.sorted() { s.blocks += try nmtBlocks(d) }
    return s
  }

  /// What the corpus of an NMT dataset is, for the deviation note.
  static func corpusDescription(_ dataset: String) -> String {
    switch dataset {
    case "nmt-tr-en":
      return "Turkish→English LibreOffice help translations with gold POS and dependency labels of the Turkish "
        + "treebank as auxiliary tasks"
    case "nmt-de-en":
      return "German→English LibreOffice help translations with silver German UPOS tags (a tagger's output, not "
        + "gold annotation) as the auxiliary task"
    default:
      return "a user-supplied corpus (\(dataset))"
    }
  }

  func nmtBlocks(_ dataset: String) throws -> [ReportBlock] {
    var blocks: [ReportBlock] = [.heading("NMT on \(dataset)")]
    var rows: [StoredNMTRow] = []
    var sources: [ResolvedArtifact] = []
    var facts: [String] = []
    var policy: (steps: [Int32], mean: [Float], tasks: [String])?
    var calibration: (StoredNMTCalibration, ResolvedArtifact)?
    var meta: [ReportBlock] = []
    for stage in ["baselines", "autoloss"] {
      let name = "\(dataset)-\(stage)"
      guard let a = inputs.latest(stage: "nmt", name: name) else {
        blocks.append(.missing(inputs.missing(stage: "nmt", name: name, what: "NMT \(stage)")))
        continue
      }
      let f = try inputs.open(a, schema: Self.nmtSchema)
      defer { f.close() }
      sources.append(a)
      rows += try readNMTSummary(f.root)
      if facts.isEmpty {
        let tasks = (try inputs.optionalString(f.root, "tasks")) ?? ""
        let pairs = (try inputs.optionalString(f.root, "train_pairs")) ?? ""
        let labels = (try inputs.optionalString(f.root, "labels")) ?? ""
        facts.append("Tasks: \(tasks); training pairs: \(pairs); auxiliary labels: \(labels).")
      }
      if stage == "baselines", let c = try StoredNMTCalibration.read(from: f.root) { calibration = (c, a) }
      if stage == "autoloss" { meta = try nmtMetaBlocks(f.root, source: a) }
      let policyRow = ["runs/autoloss-c1", "runs/autoloss"].first { f.root.isGroup($0) }
      if stage == "autoloss", let policyRow {
        let runs = try f.root.group(policyRow)
        if let last = try runs.list().sorted().last,
          let seg = try inputs.optionalGroup(f.root, "\(policyRow)/\(last)/segments"),
          let steps = try inputs.optionalValues(seg, "policy_step", as: Int32.self),
          let mean = try inputs.optionalValues(seg, "policy_mean", as: Float.self)
        {
          let tasks = ((try inputs.optionalString(f.root, "tasks")) ?? "").split(separator: ",").map(String.init)
          policy = (steps, mean, tasks)
        }
      }
    }
    guard !rows.isEmpty else { return blocks }
    // Before any claim: does any constant mix beat MT only at all here?
    if let (c, source) = calibration {
      blocks += nmtCalibrationBlocks(c, source: source)
    } else {
      blocks.append(
        .missing(
          "NMT calibration: the baselines artifact of \(dataset) has no /calibration (best-mix not among the baselines)"
        ))
    }
    let paper = Dictionary(uniqueKeysWithValues: PaperNumbers.nmtPerplexity.map { ($0.method, $0.ppl) })
    var table: [[String]] = []
    for r in rows {
      let paperName = Self.nmtPaperNames[r.schedule]
      let p =
        paperName.flatMap { paper[$0] }.map { ReportFormat.number($0, digits: 2) + " (\(paperName ?? ""))" }
        ?? "not in paper"
      table.append([
        r.schedule, "\(r.runs)", ReportFormat.meanStd(r.valPPL.0, r.valPPL.1, digits: 3), p,
        ReportFormat.meanStd(r.testPPL.0, r.testPPL.1, digits: 3), ReportFormat.meanStd(r.bleu.0, r.bleu.1, digits: 2),
        ReportFormat.number(r.mtShare, digits: 2),
      ])
    }
    let notes =
      facts + [
        "Deviation: the data are \(Self.corpusDescription(dataset)), instead of IWSLT De→En with TIGER POS and GermEval "
          + "NER; sizes are CPU-scale, so perplexities are not on the paper's scale — compare the order of the schedules, "
          + "not the values.",
        "Perplexity: MT, best checkpoint by MT validation perplexity. The paper reports validation perplexity only; BLEU "
          + "(corpus BLEU-4 × 100, greedy decoding) and test perplexity are ours.",
      ]
    blocks.append(
      .table(
        ReportTable(
          caption: "NMT: MT perplexity per schedule, ours beside the paper's (Figure 3L)",
          columns: ["schedule", "runs", "val PPL (mean ± std)", "paper val PPL", "test PPL", "BLEU", "MT step share"],
          rows: table, notes: notes, sources: sources)))
    let curves = rows.filter { !$0.curve.steps.isEmpty }.map {
      ChartSeries(
        name: $0.schedule, x: $0.curve.steps, y: $0.curve.mean, errors: $0.curve.std, markers: $0.curve.steps.count < 40
      )
    }
    if !curves.isEmpty {
      blocks.append(
        .figure(
          ReportFigure(
            fileName: "\(dataset)-ppl-curves.svg",
            svg: ReportSVG.lineChart(
              title: "MT validation perplexity (\(dataset))", xLabel: "training step", yLabel: "perplexity",
              series: curves),
            caption:
              "MT validation perplexity (check subset) over training, mean ± std over runs (paper Figure 3L: 3.5–5.0 over ≈ 20–30 epochs).",
            sources: sources)))
    }
    if let p = policy, !p.steps.isEmpty, !p.tasks.isEmpty, p.mean.count == p.steps.count * p.tasks.count {
      let k = p.tasks.count
      let series = (0..<k).map { t in
        ChartSeries(
          name: "P(\(p.tasks[t]))", x: p.steps.map(Double.init),
          y: (0..<p.steps.count).map { Double(p.mean[$0 * k + t]) },
          markers: p.steps.count < 40)
      }
      blocks.append(
        .figure(
          ReportFigure(
            fileName: "\(dataset)-task-probabilities.svg",
            svg: ReportSVG.lineChart(
              title: "Task probabilities (\(dataset))", xLabel: "training step", yLabel: "probability", series: series),
            caption:
              "The controller's task probabilities over training (controller 1, last meta-episode, window means, "
              + "with that meta-episode's ε-exploration); paper Figure 3M: "
              + "mixed early, then P(MT) ≈ 0.8.", sources: sources)))
    } else {
      blocks.append(.missing("task-probability plot: no AutoLoss policy curve in the NMT artifacts of \(dataset)"))
    }
    blocks += meta
    blocks += try nmtEvaluationBlocks(dataset, calibration: calibration?.0)
    if let t = inputs.latest(stage: "nmt", name: "\(dataset)-transfer"),
      let f = inputs.openIfReadable(t, schema: Self.nmtSchema)
    {
      defer { f.close() }
      let tr = try readNMTSummary(f.root)
      if !tr.isEmpty {
        blocks.append(
          .table(
            ReportTable(
              caption: "NMT transfer: the frozen controller on another model size / data slice",
              columns: ["schedule", "runs", "val PPL", "test PPL", "BLEU"],
              rows: tr.map {
                [
                  $0.schedule, "\($0.runs)", ReportFormat.meanStd($0.valPPL.0, $0.valPPL.1, digits: 3),
                  ReportFormat.meanStd($0.testPPL.0, $0.testPPL.1, digits: 3),
                  ReportFormat.meanStd($0.bleu.0, $0.bleu.1, digits: 2),
                ]
              }, notes: ["Not in the paper (it reports no NMT transfer)."], sources: [t])))
      }
    }
    return blocks
  }
}
