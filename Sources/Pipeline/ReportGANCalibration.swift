import Foundation
import Store

extension ReportBuilder {
  /// The `gan calibrate` result: final IS per schedule and seed, slope against P(G), pair noise, verdict.
  func ganCalibration(_ name: String) throws -> [ReportBlock] {
    guard let a = inputs.latest(stage: GANCalibrationStage.stage, name: name) else {
      return [.missing(inputs.missing(stage: GANCalibrationStage.stage, name: name, what: "GAN calibration"))]
    }
    let f = try inputs.open(a, schema: GANCalibrationStage.schema)
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
    let number = { (key: String) in (try? root.attribute(key, as: Double.self)) ?? .nan }
    let verdict = (try? root.attributeString("verdict")) ?? ""
    let notes = [
      "Same seeds for every schedule with common random numbers (each D step k sees the k-th real batch and D noise, each G step the k-th G noise).",
      "Slope of the final IS against P(G) (least squares over runs): \(ReportFormat.number(number("slope"), digits: 2)) ± \(ReportFormat.number(number("slope_se"), digits: 2)) (SE).",
      "Pair noise (SD of paired differences, the same coin on the same seed with other action draws): \(ReportFormat.number(number("pair_noise"), digits: 2)); seed noise (pooled SD over seeds): \(ReportFormat.number(number("seed_noise"), digits: 2)).",
      verdict,
    ]
    addVerdict("GAN calibration (\(name)): \(verdict)")
    var blocks: [ReportBlock] = [
      .table(
        ReportTable(
          caption: "GAN calibration: final IS of fixed schedules on common seeds (does the regime have anything to learn?)",
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
