import AutoLoss
import Engine
import Foundation
import Store
import Tasks

/// A controller row of `gan evaluate`: a trained controller seed's evaluated controller, or the
/// untrained controller (its own row, never called AutoLoss).
public struct GANEvaluatedController: Sendable {
  public var label: String
  public var spec: ControllerSpec
  public var isUntrained: Bool
  public var artifact: ResolvedArtifact?
}

/// `gan evaluate`: every evaluated controller (actions sampled) and the untrained controller guide
/// fresh DCGANs on the baselines' seeds (common random numbers), beside 1:1, the best 1:K, the tuned
/// P(G) coin (from `gan baselines`) and, for each controller, the ratio-matched coin (P(G) = its own
/// realized share of G steps). Each controller row is compared with each reference by paired
/// differences of the final IS (95 % t-interval, Wilcoxon p). Writes
/// `artifacts/evaluation/gan-<dataset>/vNNNN.h5` (schema `autoloss/gan-evaluation`): `/rows/<key>/runNN`
/// (attribute `name`, `kind` = controller | untrained | matched-coin), `/comparisons/{row, reference,
/// mean, low, high, n, wilcoxon_p, verdict}`, root attributes `report`, `target_is`.
public struct GANEvaluationStage {
  public static let schema = "autoloss/gan-evaluation"
  public let config: GANExperimentConfig
  public let context: StageContext

  public init(config: GANExperimentConfig, context: StageContext) {
    self.config = config
    self.context = context
  }

  /// The controllers to evaluate: every controller seed's evaluated controller (`AutoLoss cK`, or
  /// `AutoLoss` for one) and the untrained controller of the first seed.
  public func controllers() throws -> [GANEvaluatedController] {
    let names = try trainedControllerNames(config.name, store: context.store)
    guard let first = names.first else {
      throw PipelineError(
        "\(context.store.directory(stage: "controllers", name: config.name)): no trained controller "
          + "(run `autoloss gan train-controller` first)")
    }
    var rows: [GANEvaluatedController] = []
    for (k, name) in names.enumerated() {
      let (spec, artifact) = try GANControllerStage.loadController(name: name, context: context, which: .evaluated)
      rows.append(
        GANEvaluatedController(
          label: names.count == 1 ? "AutoLoss" : "AutoLoss c\(k + 1)", spec: spec, isUntrained: false,
          artifact: artifact))
    }
    let (untrained, artifact) = try GANControllerStage.loadController(name: first, context: context, which: .untrained)
    rows.append(
      GANEvaluatedController(label: "untrained controller", spec: untrained, isUntrained: true, artifact: artifact))
    return rows
  }

  /// The reference rows of the baselines: 1:1, the best 1:K (K > 1), the tuned coin.
  public static func references(_ baselines: [(String, [GANRunResult])]) -> [(String, [GANRunResult])] {
    func mean(_ runs: [GANRunResult]) -> Float { meanAndStd(runs.map(\.finalIS)).mean }
    var refs: [(String, [GANRunResult])] = []
    if let one = baselines.first(where: { $0.0 == "1:1" }) { refs.append(one) }
    let oneToK = baselines.filter { name, _ in
      let parts = name.split(separator: ":")
      return parts.count == 2 && parts[0] == "1" && (Int(parts[1]) ?? 0) > 1
    }
    if let best = oneToK.max(by: { mean($0.1) < mean($1.1) }) { refs.append(("best 1:K (\(best.0))", best.1)) }
    if let coin = baselines.first(where: { $0.0.hasPrefix("random P(G)=") }) {
      refs.append(("tuned coin (\(coin.0.dropFirst("random ".count)))", coin.1))
    }
    return refs
  }

  @discardableResult
  public func run() throws -> (artifact: ResolvedArtifact, report: String) {
    let setup = try GANSetup(dataset: config.dataset, model: config.model, task: config.task, context: context)
    let controllers = try controllers()
    let (baselines, baselinesArtifact, _) = try GANBaselinesStage.load(name: config.name, context: context)
    let seeds = GANBaselinesStage.evaluationSeeds(config)
    let collapse = config.controller.collapseLength
    let progress = ProgressDisplay(
      "gan evaluate \(config.name)", total: seeds.count * (2 * controllers.count - 1), enabled: context.showProgress)
    let start = Date()
    var items: [(name: String, method: MethodSpec, seed: UInt64)] = []
    for c in controllers { for s in seeds { items.append((c.label, .controller(c.spec), s)) } }
    let controllerRuns = try GANRunner.runAll(
      items, setups: [setup], executor: context.executor, collapseLength: collapse, progress: progress)
    var rows: [(name: String, kind: String, runs: [GANRunResult])] = controllers.map { c in
      (c.label, c.isUntrained ? "untrained" : "controller", controllerRuns.filter { $0.method == c.label })
    }
    // Ratio-matched coins: P(G) = the controller's realized share of G steps over its evaluation runs.
    var matched: [(controller: String, name: String, p: Float)] = []
    for c in controllers where !c.isUntrained {
      let runs = controllerRuns.filter { $0.method == c.label }
      let p = meanAndStd(runs.map { $0.trace.actionFractions(actionCount: 2)[1] }).mean
      let clamped = min(max(p.isFinite ? p : 0.5, 0.01), 0.99)
      matched.append((c.label, String(format: "coin matched to %@ (P(G)=%.2f)", c.label, clamped), clamped))
    }
    var coinItems: [(name: String, method: MethodSpec, seed: UInt64)] = []
    for m in matched { for s in seeds { coinItems.append((m.name, .random([1 - m.p, m.p], name: m.name), s)) } }
    let coinRuns = try GANRunner.runAll(
      coinItems, setups: [setup], executor: context.executor, collapseLength: collapse, progress: progress)
    for m in matched { rows.append((m.name, "matched-coin", coinRuns.filter { $0.method == m.name })) }
    progress.finish()
    let seconds = Date().timeIntervalSince(start)

    // Paired comparisons.
    func pairs(_ runs: [GANRunResult]) -> [(seed: UInt64, finalIS: Float)] { runs.map { ($0.seed, $0.finalIS) } }
    let references = Self.references(baselines)
    var comparisons: [GANComparison] = []
    let untrainedRuns = rows.first { $0.kind == "untrained" }?.runs ?? []
    for row in rows where row.kind != "matched-coin" {
      for ref in references {
        comparisons.append(
          GANComparison(row: row.name, rowRuns: pairs(row.runs), reference: ref.0, referenceRuns: pairs(ref.1)))
      }
      if row.kind == "controller" {
        if let m = matched.first(where: { $0.controller == row.name }),
          let mRuns = rows.first(where: { $0.name == m.name })?.runs
        {
          comparisons.append(
            GANComparison(
              row: row.name, rowRuns: pairs(row.runs), reference: "ratio-matched coin", referenceRuns: pairs(mRuns)))
        }
        comparisons.append(
          GANComparison(
            row: row.name, rowRuns: pairs(row.runs), reference: "untrained controller",
            referenceRuns: pairs(untrainedRuns)))
      }
    }

    let oneToOne = baselines.first { $0.0 == "1:1" }?.1 ?? []
    let target = meanAndStd(oneToOne.map(\.bestISEMA)).mean
    var lines = [
      "GAN on \(config.dataset): \(config.scaleNote); real images in \(config.task.realRange.rawValue); "
        + "\(seeds.count) paired seeds (common random numbers); IS (our \(config.dataset) classifier), real test data "
        + String(format: "%.3f", setup.scorer.realInceptionScore) + "; controllers' actions sampled",
      "schedule | final IS mean ± SD | P(G step) | n",
    ]
    for (name, runs) in references + rows.map({ ($0.name, $0.runs) }) {
      let (m, s) = meanAndStd(runs.map(\.finalIS))
      let pG = meanAndStd(runs.map { $0.trace.actionFractions(actionCount: 2)[1] }).mean
      lines.append(String(format: "%@ | %.3f ± %.3f | %.2f | %d", name, m, s, pG.isFinite ? pG : .nan, runs.count))
    }
    lines.append("paired differences of the final IS (row − reference), 95 % t-interval, Wilcoxon p:")
    for c in comparisons { lines.append("\(c.row) − \(c.reference): \(c.text)") }
    lines.append(String(format: "evaluation runs took %.0f s", seconds))
    let report = lines.joined(separator: "\n")

    let artifact = try context.committedOnEveryRank { () throws -> ResolvedArtifact in
      let provenance = context.provenance(
        schema: Self.schema, config: ConfigLoader.text(config), seed: config.seed,
        inputs: [setup.source, setup.scorer.artifact, baselinesArtifact] + controllers.compactMap(\.artifact))
      let writer = try context.store.writer(stage: "evaluation", name: config.name, provenance: provenance)
      let grids = GANRunIO.gridFolder(
        store: context.store, stage: "evaluation", name: config.name, version: writer.version)
      let root = writer.root
      try GANRunIO.describe(root, config: config, setup: setup)
      let rowsGroup = try root.createGroup("rows")
      for (i, row) in rows.enumerated() {
        let key = String(format: "row%02d", i)
        let group = try rowsGroup.createGroup(key)
        try group.setAttribute("name", row.name)
        try group.setAttribute("kind", row.kind)
        for (j, r) in row.runs.enumerated() {
          try GANRunIO.write(
            r, to: try group.createGroup(String(format: "run%02d", j)), model: setup.model,
            gridSamples: setup.task.gridSamples)
          if j == 0 {
            try GANRunIO.writeGrids(
              r, folder: grids, stem: "\(key)-run0", model: setup.model, gridSamples: setup.task.gridSamples,
              lastOnly: true)
          }
        }
      }
      let cg = try root.createGroup("comparisons")
      try cg.writeStrings("row", comparisons.map(\.row))
      try cg.writeStrings("reference", comparisons.map(\.reference))
      try cg.write("mean", comparisons.map(\.interval.mean), shape: [comparisons.count])
      try cg.write("low", comparisons.map(\.interval.low), shape: [comparisons.count])
      try cg.write("high", comparisons.map(\.interval.high), shape: [comparisons.count])
      try cg.write("n", comparisons.map { Int32($0.interval.n) }, shape: [comparisons.count])
      try cg.write("wilcoxon_p", comparisons.map(\.wilcoxonP), shape: [comparisons.count])
      try cg.writeStrings("verdict", comparisons.map(\.verdict))
      try root.setAttribute("target_is", Double(target))
      try root.setAttribute("reward_scale", Double(config.task.rewardScale))
      try root.setAttribute("report", report)
      try root.setAttribute("seconds", seconds)
      return try writer.commit()
    }
    if context.executor.isCoordinator { for l in lines { log(l) } }
    return (artifact, report)
  }
}
