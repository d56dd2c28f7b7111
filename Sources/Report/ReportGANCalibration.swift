import Foundation
import Statistics
import Store

extension ReportBuilder {
  /// The `gan calibrate` result: final IS per schedule and seed, slope against P(G), pair noise, verdict.
  func ganCalibration(_ name: String) throws -> [ReportBlock] {
    guard let a = inputs.latest(stage: ReportSchemas.ganCalibrationStage, name: name) else {
      return [.missing(inputs.missing(stage: ReportSchemas.ganCalibrationStage, name: name, what: "GAN calibration"))]
    }
    let f = try inputs.open(a, schema: ReportSchemas.ganCalibration)
    defer { f.close() }
    let root = f.root
    let runs = try root.group("runs")
    let schedule = try runs.readStrings("schedule")
    let pG = try runs.read("p_g", as: Float.self).values
    let draw = try runs.read("draw", as: Int32.self).values
    let finalIS = try runs.read("final_is", as: Float.self).values
    var order: [String] = []
    for (s, d) in zip(schedule, draw) where d == 0 && !order.contains(s) { order.append(s) }
    var rows: [[String]] = []
    var xs: [Double] = []
    var ys: [Double] = []
    var errors: [Double] = []
    for s in order {
      let idx = schedule.indices.filter { schedule[$0] == s && draw[$0] == 0 }
      let v = idx.map { Double(finalIS[$0]) }
      let (m, sd) = GANStats.meanSD(v)
      let p = idx.first.map { Double(pG[$0]) } ?? .nan
      rows.append([
        s, ReportFormat.number(p, digits: 2), v.map { ReportFormat.number($0, digits: 2) }.joined(separator: ", "),
        ReportFormat.meanStd(m, sd, digits: 2),
      ])
      xs.append(p)
      ys.append(m)
      errors.append(sd)
    }
    func number(_ key: String) throws -> Double { (try inputs.optionalAttribute(root, key, as: Double.self)) ?? .nan }
    let verdict = (try inputs.optionalString(root, "verdict")) ?? ""
    let forecast = (try inputs.optionalString(root, "forecast")).map {
      "Forecast of the configured controller training (the same trainer and seeds on a stand-in reward with the "
        + "measured slope and noise, flat outside the measured P(G) range): " + $0
    }
    var notes = [
      "Same seeds for every schedule with common random numbers (each D step k sees the k-th real batch and D noise, each G step the k-th G noise).",
      "Slope of the final IS against P(G) (least squares over runs): \(ReportFormat.number(try number("slope"), digits: 2)) ± \(ReportFormat.number(try number("slope_se"), digits: 2)) (SE).",
      "Pair noise (SD of paired differences, the same coin on the same seed with other action draws): \(ReportFormat.number(try number("pair_noise"), digits: 2)); seed noise (pooled SD over seeds): \(ReportFormat.number(try number("seed_noise"), digits: 2)).",
      verdict,
    ]
    if let perturbed = try inputs.optionalString(root, "perturbed_pairs") {
      notes.append(
        "Before training, the configured trainer's own ± pairs (θ ± σε on one seed each, common random numbers): "
          + perturbed)
    }
    if let forecast { notes.append(forecast) }
    addVerdict("GAN calibration (\(name)): \(verdict)")
    var blocks: [ReportBlock] = [
      .table(
        ReportTable(
          caption:
            "GAN calibration: final IS of fixed schedules on common seeds (does the regime have anything to learn?)",
          columns: ["schedule", "P(G)", "final IS per seed", "mean ± SD"], rows: rows, notes: notes, sources: [a])),
      .verdict("GAN calibration: \(verdict)"),
    ]
    let sortedIdx = xs.indices.sorted { xs[$0] < xs[$1] }
    blocks.append(
      .figure(
        ReportFigure(
          fileName: "\(name)-calibration.svg",
          svg: ReportSVG.lineChart(
            title: "Final IS against P(G) (\(name))", xLabel: "P(G step)", yLabel: "final IS",
            series: [
              ChartSeries(
                name: "schedule mean ± SD", x: sortedIdx.map { xs[$0] }, y: sortedIdx.map { ys[$0] },
                errors: sortedIdx.map { errors[$0] })
            ]),
          caption: "Calibration: final IS (mean ± SD over seeds) of each coin and ratio schedule against its P(G).",
          sources: [a])))
    return blocks
  }
}

extension ReportBuilder {
  /// The paired comparisons of `gan evaluate` as a table, with one verdict line per controller row.
  func ganComparisons(_ root: HDF5Group, source: ResolvedArtifact) throws -> [ReportBlock] {
    guard root.isGroup("comparisons") else { return [] }
    let g = try root.group("comparisons")
    let row = try g.readStrings("row")
    let reference = try g.readStrings("reference")
    let mean = try g.read("mean", as: Double.self).values
    let low = try g.read("low", as: Double.self).values
    let high = try g.read("high", as: Double.self).values
    let n = try g.read("n", as: Int32.self).values
    let p = try g.read("wilcoxon_p", as: Double.self).values
    let verdict = try g.readStrings("verdict")
    var rows: [[String]] = []
    var blocks: [ReportBlock] = []
    for i in row.indices {
      rows.append([
        row[i], reference[i], ReportFormat.signed(mean[i], digits: 2),
        "[\(ReportFormat.number(low[i], digits: 2)), \(ReportFormat.number(high[i], digits: 2))]",
        ReportFormat.number(p[i], digits: 3), "\(n[i])", verdict[i],
      ])
    }
    var seen: [String] = []
    for r in row where !seen.contains(r) { seen.append(r) }
    for r in seen {
      let mine = row.indices.filter { row[$0] == r }
      let parts = mine.map {
        "\(reference[$0]) \(ReportFormat.signed(mean[$0], digits: 2)) [\(ReportFormat.number(low[$0], digits: 2)), \(ReportFormat.number(high[$0], digits: 2))] (\(verdict[$0]))"
      }
      let line = "GAN \(r) (final IS, paired, n = \(mine.first.map { n[$0] } ?? 0)): " + parts.joined(separator: "; ")
      addVerdict(line)
      blocks.append(.verdict(line))
    }
    return [
      .table(
        ReportTable(
          caption: "GAN: paired differences of the final IS (row − reference, same seeds, common random numbers)",
          columns: ["row", "reference", "mean difference", "95 % t-interval", "Wilcoxon p", "n", "verdict"],
          rows: rows,
          notes: [
            "Better or worse only when the interval excludes zero (science-protocol §3); the untrained controller is its own row, never AutoLoss; controllers' actions are sampled."
          ], sources: [source]))
    ] + blocks
  }
}
