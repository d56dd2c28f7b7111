import Foundation
import Statistics
import Store

/// One GAN training run as stored by the GAN stages (TraceIO layout plus attributes).
struct StoredGANRun {
  var trace: StoredTrace
  var finalIS: Double
  var bestISEMA: Double

  var failed: Bool { trace.outcome == "collapse" || trace.outcome == "non-finite loss" }
  /// The first check step whose IS moving average (1 / error) reached `target`.
  func stepsToReach(_ target: Double) -> Int? {
    zip(trace.checkSteps, trace.checkErrors).first { $0.1 > 0 && 1 / Double($0.1) >= target }.map { Int($0.0) }
  }
  var gShare: Double? {
    let valid = trace.actions.filter { $0 >= 0 }
    return valid.isEmpty ? nil : Double(valid.filter { $0 == 1 }.count) / Double(valid.count)
  }

  /// A run without `final_is` / `best_is_ema` reads them as NaN (left out of the means, shown as
  /// n/a) and is noted as missing in `inputs`.
  static func read(_ g: HDF5Group, inputs: ReportInputs) throws -> StoredGANRun {
    StoredGANRun(
      trace: try StoredTrace.read(g), finalIS: (try inputs.optionalAttribute(g, "final_is", as: Double.self)) ?? .nan,
      bestISEMA: (try inputs.optionalAttribute(g, "best_is_ema", as: Double.self)) ?? .nan)
  }
}

/// One schedule's runs (a baseline schedule or AutoLoss).
struct StoredGANSchedule {
  var name: String
  /// The file-name stem of its sample grids (`d1-g1`, `autoloss`).
  var gridStem: String
  var gridFolder: String
  var runs: [StoredGANRun]

  var finalIS: (mean: Double, std: Double, n: Int) {
    let v = runs.map(\.finalIS).filter(\.isFinite)
    let (m, s) = GANStats.meanSD(v)
    return (m, s, v.count)
  }

  var asResult: StoredMethodResult {
    let f = finalIS
    return StoredMethodResult(
      method: name, mean: f.mean, std: f.std, n: f.n, note: "", testErrors: [], validationErrors: [], steps: [],
      actionFractions: [], example: nil)
  }
}

extension ReportBuilder {
  static let ganSchemas = (
    controller: "autoloss/gan-controller-run", baselines: "autoloss/gan-baselines",
    evaluation: "autoloss/gan-evaluation",
    transfer: "autoloss/gan-transfer", scorer: "autoloss/scorer"
  )

  /// `<artifact folder>/vNNNN-grids` beside an artifact version.
  func gridFolder(_ a: ResolvedArtifact) -> String {
    (a.path as NSString).deletingPathExtension + "-grids"
  }

  func readRuns(_ g: HDF5Group) throws -> [StoredGANRun] {
    try g.list().filter { g.isGroup($0) && $0.hasPrefix("run") }.map {
      try StoredGANRun.read(try g.group($0), inputs: inputs)
    }
  }

  func ganSection() throws -> ReportSection {
    var s = ReportSection(id: "gan", title: "GAN: DCGAN schedules (Figure 2, Figure 4)")
    var names = Set(inputs.names(stage: "baselines") { $0.hasPrefix("gan-") })
    names.formUnion(inputs.names(stage: "evaluation") { $0.hasPrefix("gan-") })
    names.formUnion(inputs.names(stage: "controllers") { $0.hasPrefix("gan-") }.map(Self.experimentName))
    names.formUnion(inputs.names(stage: ReportSchemas.ganCalibrationStage) { $0.hasPrefix("gan-") })
    if names.isEmpty {
      s.add(.missing(inputs.missing(stage: "baselines", name: "gan-mnist", what: "GAN (Figure 2, Figure 4)")))
      s.add(.missing(inputs.missing(stage: "evaluation", name: "gan-mnist", what: "GAN evaluation")))
      return s
    }
    for name in names.sorted() { s.blocks += try ganBlocks(name) }
    return s
  }

  /// `gan-mnist-c2` → `gan-mnist` (controller seeds belong to their experiment).
  static func experimentName(_ controllerName: String) -> String {
    guard let r = controllerName.range(of: "-c", options: .backwards),
      Int(controllerName[r.upperBound...]) != nil
    else { return controllerName }
    return String(controllerName[..<r.lowerBound])
  }

  func ganBlocks(_ name: String) throws -> [ReportBlock] {
    let dataset = String(name.dropFirst(4))
    var blocks: [ReportBlock] = [.heading("GAN on \(dataset)")]
    var deviations = [
      "Deviation: IS is computed with our own \(dataset) CNN classifier (the paper's MNIST CNN design, trained here), not Inception-v3; its real-data IS is the ceiling to compare with."
    ]
    if let scorer = inputs.latest(stage: "scorers", name: dataset),
      let f = inputs.openIfReadable(scorer, schema: Self.ganSchemas.scorer)
    {
      defer { f.close() }
      let acc = (try inputs.optionalAttribute(f.root, "test_accuracy", as: Double.self)) ?? .nan
      let real = (try inputs.optionalAttribute(f.root, "real_is", as: Double.self)) ?? .nan
      deviations.append(
        "Scorer \(ReportFormat.source(scorer)): test accuracy \(ReportFormat.number(acc * 100, digits: 2)) %, real test images IS "
          + "\(ReportFormat.number(real, digits: 3))"
          + (dataset == "mnist" ? " (paper's MNIST classifier: ≈ \(PaperNumbers.mnistRealIS))." : "."))
    } else {
      deviations.append(inputs.missing(stage: "scorers", name: dataset, what: "IS scorer"))
    }
    var schedules: [StoredGANSchedule] = []
    var sources: [ResolvedArtifact] = []
    var scaleNote = ""
    var bestRandomP: Double?
    if let b = inputs.latest(stage: "baselines", name: name) {
      let f = try inputs.open(b, schema: Self.ganSchemas.baselines)
      defer { f.close() }
      sources.append(b)
      scaleNote = (try inputs.optionalString(f.root, "scale_note")) ?? ""
      if let width = try inputs.optionalAttribute(f.root, "base_width", as: Int64.self),
        let z = try inputs.optionalAttribute(f.root, "z_size", as: Int64.self),
        let steps = try inputs.optionalAttribute(f.root, "max_steps", as: Int64.self)
      {
        deviations.append(
          "Deviation (sizes): DCGAN base width \(width), z \(z), at most \(steps) steps per run (paper: width 64, z 128, up to 200 000 steps, batch 128–256)."
        )
      }
      bestRandomP = try inputs.optionalAttribute(f.root, "best_random_p_g", as: Double.self)
      let group = try f.root.group("schedules")
      for key in try group.list() where group.isGroup(key) {
        let g = try group.group(key)
        schedules.append(
          StoredGANSchedule(
            name: (try inputs.optionalString(g, "name")) ?? key, gridStem: key, gridFolder: gridFolder(b),
            runs: try readRuns(g)))
      }
    } else {
      blocks.append(.missing(inputs.missing(stage: "baselines", name: name, what: "GAN baseline schedules")))
    }
    var target: Double?
    var comparisons: [ReportBlock] = []
    var rewardScale: Double?
    if let e = inputs.latest(stage: "evaluation", name: name) {
      let f = try inputs.open(e, schema: Self.ganSchemas.evaluation)
      defer { f.close() }
      sources.append(e)
      target = try inputs.optionalAttribute(f.root, "target_is", as: Double.self)
      rewardScale = try inputs.optionalAttribute(f.root, "reward_scale", as: Double.self)
      if f.root.isGroup("rows") {
        let rows = try f.root.group("rows")
        for key in try rows.list() where rows.isGroup(key) {
          let g = try rows.group(key)
          schedules.append(
            StoredGANSchedule(
              name: (try inputs.optionalString(g, "name")) ?? key, gridStem: key, gridFolder: gridFolder(e),
              runs: try readRuns(g)))
        }
        comparisons = try ganComparisons(f.root, source: e)
      } else if f.root.isGroup("autoloss") {
        schedules.append(
          StoredGANSchedule(
            name: "AutoLoss", gridStem: "autoloss", gridFolder: gridFolder(e),
            runs: try readRuns(try f.root.group("autoloss"))))
      }
    } else {
      blocks.append(.missing(inputs.missing(stage: "evaluation", name: name, what: "GAN AutoLoss evaluation")))
    }
    if !scaleNote.isEmpty { deviations.append("Deviation (profile): \(scaleNote).") }
    let oneToOne = schedules.first { $0.name == "1:1" }
    if target == nil, let o = oneToOne {
      let v = o.runs.map(\.bestISEMA).filter(\.isFinite)
      if !v.isEmpty { target = v.reduce(0, +) / Double(v.count) }
    }
    if !schedules.isEmpty {
      blocks += ganCurves(schedules, name: name, sources: sources)
      blocks.append(ganTable(schedules, target: target, bestRandomP: bestRandomP, notes: deviations, sources: sources))
      blocks += comparisons
      if comparisons.isEmpty, let auto = schedules.first(where: { $0.name == "AutoLoss" }) {
        let rest = schedules.filter { $0.name != "AutoLoss" }
        var parts = [
          "GAN \(dataset) (converged IS, higher is better): AutoLoss \(ReportFormat.meanStd(auto.finalIS.mean, auto.finalIS.std, digits: 3)) (n=\(auto.finalIS.n))"
        ]
        let random = rest.filter { $0.name.hasPrefix("random") }.map(\.asResult)
        let fixed = rest.filter { !$0.name.hasPrefix("random") }.map(\.asResult)
        if let r = ReportVerdict.best(random, lowerIsBetter: false) {
          parts.append(
            "best constant ratio: " + ReportVerdict.compare(auto.asResult, r, lowerIsBetter: false, digits: 3))
        }
        if let b = ReportVerdict.best(fixed, lowerIsBetter: false) {
          parts.append(
            "best fixed schedule: " + ReportVerdict.compare(auto.asResult, b, lowerIsBetter: false, digits: 3))
        }
        let line = parts.joined(separator: "; ")
        addVerdict(line)
        blocks.append(.verdict(line))
      }
      blocks += ganGrids(schedules)
    }
    blocks += try ganCalibration(name)
    let untrainedIS = schedules.first { $0.name == "untrained controller" }?.runs.map(\.finalIS) ?? []
    blocks += try ganLearningCurves(name, untrainedIS: untrainedIS, rewardScale: rewardScale ?? 10)
    blocks += try ganController(name)
    blocks += try ganTransfer(name)
    return blocks
  }

  /// IS over training steps, mean over runs at each check.
  func ganCurves(_ schedules: [StoredGANSchedule], name: String, sources: [ResolvedArtifact]) -> [ReportBlock] {
    var series: [ChartSeries] = []
    for sch in schedules {
      let longest = sch.runs.max { $0.trace.checkSteps.count < $1.trace.checkSteps.count }
      guard let steps = longest?.trace.checkSteps, !steps.isEmpty else { continue }
      var xs: [Double] = []
      var ys: [Double] = []
      for (i, step) in steps.enumerated() {
        let v = sch.runs.compactMap { i < $0.trace.checkExtras.count ? Double($0.trace.checkExtras[i]) : nil }.filter(
          \.isFinite)
        guard !v.isEmpty else { continue }
        xs.append(Double(step))
        ys.append(v.reduce(0, +) / Double(v.count))
      }
      series.append(ChartSeries(name: sch.name, x: xs, y: ys, markers: xs.count < 40))
    }
    guard !series.isEmpty else { return [.missing("IS curves: no IS checks were recorded in the GAN artifacts")] }
    let svg = ReportSVG.lineChart(
      title: "IS over training (\(name))", xLabel: "training step (one D or G update)", yLabel: "IS", series: series)
    return [
      .figure(
        ReportFigure(
          fileName: "\(name)-is-curves.svg", svg: svg,
          caption:
            "Inception score at each check, mean over runs, per schedule (paper Figure 2: x-axis epochs, IS 8.5–9.1 on MNIST).",
          sources: sources))
    ]
  }

  func ganTable(
    _ schedules: [StoredGANSchedule], target: Double?, bestRandomP: Double?, notes: [String],
    sources: [ResolvedArtifact]
  ) -> ReportBlock {
    var rows: [[String]] = []
    for sch in schedules {
      let f = sch.finalIS
      let paper =
        PaperNumbers.ganConvergedIS[sch.name].map { ReportFormat.number($0, digits: 4) }
        ?? PaperNumbers.ganConvergedISDraft[sch.name].map { ReportFormat.number($0, digits: 4) + " (NIPS draft)" }
        ?? "not in paper"
      var reach = "—"
      if let target {
        let r = sch.runs.compactMap { $0.stepsToReach(target) }
        reach = r.isEmpty ? "never (0/\(sch.runs.count))" : "\(r.reduce(0, +) / r.count) (\(r.count)/\(sch.runs.count))"
      }
      let shares = sch.runs.compactMap(\.gShare)
      let share = shares.isEmpty ? "—" : ReportFormat.number(shares.reduce(0, +) / Double(shares.count), digits: 2)
      rows.append([
        sch.name, ReportFormat.meanStd(f.mean, f.std, digits: 3), "\(f.n)", paper, reach, share,
        "\(sch.runs.filter(\.failed).count)/\(sch.runs.count)",
      ])
    }
    var allNotes = notes
    if let target {
      allNotes.append(
        "Steps to reach 1:1's IS: the first check whose IS moving average reaches \(ReportFormat.number(target, digits: 3)) "
          + "(the mean best IS-EMA of 1:1); the paper reports AutoLoss ≈ 3× faster than 1:1 to reach IS 8.6 on MNIST.")
    }
    if let p = bestRandomP {
      allNotes.append(
        "The constant-ratio schedule (not in the paper) draws a G step with tuned probability P(G) = \(ReportFormat.number(p, digits: 2))."
      )
    }
    allNotes.append(
      "Converged IS: IS of the best checkpoint (by IS moving average) on the final sample; a collapsed run counts as 0. Paper: 3 runs each."
    )
    return .table(
      ReportTable(
        caption: "Converged IS per schedule (D:G), ours beside the paper's",
        columns: [
          "schedule", "converged IS (mean ± std)", "n", "paper", "steps to 1:1's IS (reached/runs)", "P(G step)",
          "failed runs",
        ],
        rows: rows, notes: allNotes, sources: sources))
  }

  /// The last sample grid of each schedule's first run.
  func ganGrids(_ schedules: [StoredGANSchedule]) -> [ReportBlock] {
    var images: [ReportImage] = []
    for sch in schedules {
      let prefix = "\(sch.gridStem)-run0-step"
      let entries: [String]
      do {
        entries = try FileManagerShim.list(sch.gridFolder)
      } catch {
        inputs.skip(sch.gridFolder, because: "sample grids: \(error)")
        continue
      }
      guard let file = entries.filter({ $0.hasPrefix(prefix) && $0.hasSuffix(".png") }).last else { continue }
      guard let data = FileManager.default.contents(atPath: "\(sch.gridFolder)/\(file)") else {
        inputs.skip("\(sch.gridFolder)/\(file)", because: "sample grid cannot be read")
        continue
      }
      let step = file.dropFirst(prefix.count).dropLast(4)
      images.append(
        ReportImage(fileName: "grid-\(file)", png: data, caption: "\(sch.name), run 0, step \(Int(step) ?? 0)"))
    }
    if images.isEmpty { return [.missing("sample grids: no PNG grids found beside the GAN artifacts")] }
    return [.paragraph("Samples from a fixed z at the last check of each schedule's first run:"), .images(images)]
  }

  func ganController(_ name: String) throws -> [ReportBlock] {
    let first = ganControllerNames(name).first ?? name
    guard let a = inputs.latest(stage: "controllers", name: first) else {
      return [.missing(inputs.missing(stage: "controllers", name: name, what: "GAN controller training"))]
    }
    let f = try inputs.open(a, schema: Self.ganSchemas.controller)
    defer { f.close() }
    let root = f.root
    var reward: [Double] = []
    var baseline: [Double] = []
    var finalIS: [Double] = []
    var lastTrace: StoredTrace?
    if root.isGroup("episodes") {
      let episodes = try root.group("episodes")
      for e in try episodes.list() where episodes.isGroup(e) {
        let g = try episodes.group(e)
        reward.append((try inputs.optionalAttribute(g, "reward", as: Double.self)) ?? .nan)
        baseline.append((try inputs.optionalAttribute(g, "baseline", as: Double.self)) ?? .nan)
        finalIS.append((try inputs.optionalAttribute(g, "final_is", as: Double.self)) ?? .nan)
        lastTrace = try StoredTrace.read(g)
      }
    }
    guard !reward.isEmpty else { return [.missing("GAN controller training: \(a.path) has no episodes")] }
    let x = (0..<reward.count).map(Double.init)
    var blocks: [ReportBlock] = [
      .figure(
        ReportFigure(
          fileName: "\(name)-controller-reward.svg",
          svg: ReportSVG.lineChart(
            title: "Controller training on the GAN (\(first))", xLabel: "episode", yLabel: "reward",
            series: [
              ChartSeries(name: "reward (10·IS²)", x: x, y: reward),
              ChartSeries(name: "baseline", x: x, y: baseline, markers: false),
            ]),
          caption: "GAN controller training: reward and moving-average baseline per episode (final IS per episode: "
            + finalIS.map { ReportFormat.number($0, digits: 2) }.joined(separator: ", ") + ").",
          sources: [a]))
    ]
    // Schedule picture: AutoLoss's first evaluation run, else the last training episode.
    var trace = lastTrace
    var origin = "the last controller-training episode"
    var src = a
    if let e = inputs.latest(stage: "evaluation", name: name),
      let ef = inputs.openIfReadable(e, schema: Self.ganSchemas.evaluation)
    {
      defer { ef.close() }
      let first = ef.root.isGroup("rows") ? "rows/row00/run00" : "autoloss/run00"
      // An evaluation without that run (none stored) falls back to the training episode, as the caption says.
      if ef.root.isGroup(first), case let t = try StoredTrace.read(try ef.root.group(first)), !t.probabilities.isEmpty {
        trace = t
        origin = "the first controller's first evaluation run"
        src = e
      }
    }
    if let t = trace, !t.probabilities.isEmpty {
      blocks.append(
        .figure(
          ReportFigure(
            fileName: "\(name)-schedule.svg",
            svg: ReportSVG.schedulePicture(
              title: "Schedule (\(name))", probabilities: t.probabilities, actions: t.actions,
              actionNames: ["D step", "G step"]),
            caption:
              "The controller's P(D step) and P(G step) over the steps of \(origin); black: realized share of G steps.",
            sources: [src])))
    }
    return blocks
  }

  func ganTransfer(_ name: String) throws -> [ReportBlock] {
    guard let a = inputs.latest(stage: "transfer", name: name) else {
      return [.missing(inputs.missing(stage: "transfer", name: name, what: "GAN transfer (Figure 4)"))]
    }
    let f = try inputs.open(a, schema: Self.ganSchemas.transfer)
    defer { f.close() }
    let root = f.root
    var rows: [[String]] = []
    var labels: [String] = []
    var autoIS: [Double] = []
    var baseIS: [Double] = []
    if root.isGroup("targets") {
      let targets = try root.group("targets")
      for k in try targets.list() where targets.isGroup(k) {
        let g = try targets.group(k)
        let label = (try inputs.optionalString(g, "target")) ?? k
        let ai = (try inputs.optionalAttribute(g, "autoloss_is", as: Double.self)) ?? .nan
        let bi = (try inputs.optionalAttribute(g, "baseline_is", as: Double.self)) ?? .nan
        rows.append([
          label, ReportFormat.number(ai, digits: 3), ReportFormat.number(bi, digits: 3), ai > bi ? "yes" : "no",
        ])
        labels.append("#\(k)")
        autoIS.append(ai)
        baseIS.append(bi)
      }
    }
    // Older transfer artifacts lack wins/total (noted as missing): they are recounted from the rows.
    let wins = Int(
      (try inputs.optionalAttribute(root, "wins", as: Int64.self))
        ?? Int64(zip(autoIS, baseIS).filter { $0 > $1 }.count))
    let total = Int((try inputs.optionalAttribute(root, "total", as: Int64.self)) ?? Int64(rows.count))
    let skipped = ((try inputs.optionalString(root, "skipped")) ?? "").split(separator: "\n").map(String.init)
    var notes = [
      "AutoLoss wins on \(wins) of \(total) targets; paper (Figure 4L): \(PaperNumbers.ganArchitectureWins.wins) of \(PaperNumbers.ganArchitectureWins.total) sampled MNIST DCGANs (after skipping architectures where both fail, IS < 6).",
      "The controller trained on \(name.dropFirst(4)) is applied unchanged; each target is trained under AutoLoss and under 1:1 with the same step budget.",
    ]
    if !skipped.isEmpty {
      notes.append(
        "Deviation: transfer targets skipped (e.g. CIFAR-10 or Fashion-MNIST absent): "
          + skipped.joined(separator: "; "))
    }
    var blocks: [ReportBlock] = [
      .table(
        ReportTable(
          caption: "GAN transfer: converged IS of AutoLoss and 1:1 per target",
          columns: ["target", "AutoLoss IS", "1:1 IS", "AutoLoss wins"],
          rows: rows, notes: notes, sources: [a]))
    ]
    if !labels.isEmpty {
      blocks.append(
        .figure(
          ReportFigure(
            fileName: "\(name)-transfer-bars.svg",
            svg: ReportSVG.barChart(
              title: "Architecture transfer (\(name))", yLabel: "converged IS", categories: labels,
              series: [("AutoLoss", autoIS, []), ("1:1", baseIS, [])]),
            caption:
              "Converged IS per transfer target (numbered as in the table), AutoLoss against 1:1 (paper Figure 4L).",
            sources: [a])))
    }
    return blocks
  }
}
