import Foundation
import Statistics
import Store

/// One controller seed's learning curve: reward and P(G) per update.
struct GANLearningCurve {
  var label: String
  var source: ResolvedArtifact
  var algorithm: String
  var updates: [Double]
  var reward: [Double]
  var probabilityG: [Double]
  /// The antithetic ± pairs (two episodes of one update on one seed, neither collapsed): differences
  /// of realized P(G) and of final IS, first episode minus second.
  var pairs = GANStats.PairDifferences(share: [], score: [])
}

extension ReportBuilder {
  /// The controller runs of experiment `name`: `<name>` and `<name>-cK`.
  func ganControllerNames(_ name: String) -> [String] {
    inputs.names(stage: "controllers") { n in
      n == name || (n.hasPrefix(name + "-c") && Int(n.dropFirst(name.count + 2)) != nil)
    }
  }

  /// Mean reward and mean realized P(G) per update from `/episodes/*` (attribute `update`, else one
  /// update per `episodes_per_update` episodes).
  func ganLearningCurve(_ controllerName: String) throws -> GANLearningCurve? {
    guard let a = inputs.latest(stage: "controllers", name: controllerName) else { return nil }
    let f = try inputs.open(a, schema: Self.ganSchemas.controller)
    defer { f.close() }
    guard f.root.isGroup("episodes") else { return nil }
    let perUpdate = Int((try inputs.optionalAttribute(f.root, "episodes_per_update", as: Int64.self)) ?? 1)
    let episodes = try f.root.group("episodes")
    var byUpdate: [Int: (reward: [Double], pG: [Double])] = [:]
    var byPair: [String: [(pG: Double, finalIS: Double)]] = [:]
    var pairOrder: [String] = []
    for (i, e) in try episodes.list().enumerated() where episodes.isGroup(e) {
      let g = try episodes.group(e)
      let update = (try inputs.optionalAttribute(g, "update", as: Int64.self)).map(Int.init) ?? i / max(perUpdate, 1)
      let reward = (try inputs.optionalAttribute(g, "reward", as: Double.self)) ?? .nan
      let actions = g.isDataset("actions") ? try g.read("actions", as: Int32.self).values.filter { $0 >= 0 } : []
      let pG = actions.isEmpty ? Double.nan : Double(actions.filter { $0 == 1 }.count) / Double(actions.count)
      byUpdate[update, default: ([], [])].reward.append(reward)
      byUpdate[update, default: ([], [])].pG.append(pG)
      if let seed = try inputs.optionalAttribute(g, "seed", as: Int64.self),
        let finalIS = try inputs.optionalAttribute(g, "final_is", as: Double.self)
      {
        // A collapsed episode scores 0: its pair says nothing about the share's effect.
        let failed = (try inputs.optionalAttribute(g, "failed", as: Int32.self) ?? 0) != 0
        let key = "\(update)/\(seed)"
        if byPair[key] == nil { pairOrder.append(key) }
        byPair[key, default: []].append((pG, failed ? .nan : finalIS))
      }
    }
    let pairs = pairOrder.compactMap { byPair[$0] }.filter {
      $0.count == 2 && $0.allSatisfy { $0.pG.isFinite && $0.finalIS.isFinite }
    }
    let keys = byUpdate.keys.sorted()
    func mean(_ v: [Double]) -> Double {
      let f = v.filter(\.isFinite)
      return f.isEmpty ? .nan : f.reduce(0, +) / Double(f.count)
    }
    return GANLearningCurve(
      label: controllerName, source: a, algorithm: (try inputs.optionalString(f.root, "algorithm")) ?? "reinforce",
      updates: keys.map(Double.init), reward: keys.map { mean(byUpdate[$0]!.reward) },
      probabilityG: keys.map { mean(byUpdate[$0]!.pG) },
      pairs: GANStats.PairDifferences(
        share: pairs.map { $0[0].pG - $0[1].pG }, score: pairs.map { $0[0].finalIS - $0[1].finalIS }))
  }

  /// What the antithetic pairs of training measured, beside what the calibration assumed: the slope
  /// of ΔIS against ΔP(G) within pairs (through the origin) and the residual SD of ΔIS, against the
  /// calibration's slope between fixed schedules and its pair noise. A residual far above the pair
  /// noise means the forecast was too optimistic: perturbed controllers differ in *when* they take G
  /// steps, which moves a run more than re-drawing a coin's actions.
  func ganPairDiagnostics(_ curves: [GANLearningCurve], name: String) throws -> [ReportBlock] {
    let paired = curves.filter { $0.pairs.count > 1 }
    guard !paired.isEmpty else { return [] }
    var rows: [[String]] = []
    for c in paired {
      let fit = c.pairs.fit
      rows.append([
        c.label, "\(c.pairs.count)", ReportFormat.number(c.pairs.meanShareGap, digits: 3),
        ReportFormat.number(fit.slope, digits: 2) + " ± " + ReportFormat.number(fit.standardError, digits: 2),
        ReportFormat.number(fit.residualSD, digits: 2),
      ])
    }
    var notes = [
      "Each training update runs the controller with +ε and −ε on one GAN seed with common random numbers; "
        + "ΔP(G) and ΔIS are the pair's differences (first minus second episode). Slope: least squares through "
        + "the origin; residual: the SD of ΔIS around it."
    ]
    var sources = paired.map(\.source)
    if let a = inputs.latest(stage: ReportSchemas.ganCalibrationStage, name: name) {
      let f = try inputs.open(a, schema: ReportSchemas.ganCalibration)
      defer { f.close() }
      let slope = (try inputs.optionalAttribute(f.root, "slope", as: Double.self)) ?? .nan
      let noise = (try inputs.optionalAttribute(f.root, "pair_noise", as: Double.self)) ?? .nan
      notes.append(
        "The calibration assumed: slope \(ReportFormat.number(slope, digits: 2)) between fixed schedules, pair "
          + "noise \(ReportFormat.number(noise, digits: 2)) (the same coin on the same seed, other action draws). "
          + "A measured slope below it, or a residual above it, means the forecast was too optimistic.")
      sources.append(a)
    }
    return [
      .table(
        ReportTable(
          caption: "GAN controller training: what its antithetic pairs measured",
          columns: ["controller", "pairs", "mean |ΔP(G)|", "slope ΔIS/ΔP(G) ± SE", "residual SD of ΔIS"],
          rows: rows, notes: notes, sources: sources))
    ]
  }

  /// Reward and P(G) against update for every controller seed, with the untrained controller's reward
  /// band (mean ± SD of rewardScale·IS² over its evaluation runs) when `gan evaluate` ran.
  func ganLearningCurves(_ name: String, untrainedIS: [Double], rewardScale: Double) throws -> [ReportBlock] {
    let curves = try ganControllerNames(name).compactMap { try ganLearningCurve($0) }
    guard !curves.isEmpty else { return [] }
    let last = curves.map { $0.updates.last ?? 0 }.max() ?? 0
    var rewardSeries = curves.map { ChartSeries(name: "\($0.label) (\($0.algorithm))", x: $0.updates, y: $0.reward) }
    var notes: [String] = []
    if untrainedIS.count > 1 {
      let rewards = untrainedIS.map { rewardScale * $0 * $0 }
      let (m, s) = GANStats.meanSD(rewards)
      rewardSeries.append(
        ChartSeries(name: "untrained mean + SD", x: [0, last], y: [m + s, m + s], dashed: true, markers: false))
      rewardSeries.append(
        ChartSeries(name: "untrained mean − SD", x: [0, last], y: [m - s, m - s], dashed: true, markers: false))
      notes.append(
        "Untrained controller (its own evaluation row): reward \(ReportFormat.meanStd(m, s, digits: 1)) over \(rewards.count) seeds."
      )
    }
    var rows: [[String]] = []
    for c in curves {
      rows.append([
        c.label, c.algorithm, "\(c.updates.count)", ReportFormat.number(c.reward.first ?? .nan, digits: 1),
        ReportFormat.number(c.reward.last ?? .nan, digits: 1),
        ReportFormat.number(c.probabilityG.first ?? .nan, digits: 2),
        ReportFormat.number(c.probabilityG.last ?? .nan, digits: 2),
      ])
    }
    let sources = curves.map(\.source)
    return [
      .figure(
        ReportFigure(
          fileName: "\(name)-learning-reward.svg",
          svg: ReportSVG.lineChart(
            title: "Controller reward per update (\(name))", xLabel: "update",
            yLabel: "reward (\(Int(rewardScale))·IS²)",
            series: rewardSeries),
          caption:
            "Mean episode reward per update for each controller seed; dashed: the untrained controller's reward band.",
          sources: sources)),
      .figure(
        ReportFigure(
          fileName: "\(name)-learning-pg.svg",
          svg: ReportSVG.lineChart(
            title: "Controller P(G step) per update (\(name))", xLabel: "update", yLabel: "realized P(G)",
            series: curves.map { ChartSeries(name: $0.label, x: $0.updates, y: $0.probabilityG) }),
          caption: "Realized share of G steps of each update's episodes, per controller seed.", sources: sources)),
      .table(
        ReportTable(
          caption: "GAN controller learning curves: first and last update per controller seed",
          columns: [
            "controller", "trainer", "updates", "reward (first)", "reward (last)", "P(G) (first)", "P(G) (last)",
          ],
          rows: rows, notes: notes, sources: sources)),
    ] + (try ganPairDiagnostics(curves, name: name))
  }
}
