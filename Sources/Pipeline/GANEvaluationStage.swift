import AutoLoss
import Engine
import Foundation
import Store
import Tasks

/// `gan evaluate`: the trained controller guides fresh DCGANs on the baselines' seeds; the table puts
/// its converged IS (mean ± std over runs) beside every baseline schedule, with the steps each needs to
/// reach 1:1's IS (the mean of 1:1's best IS moving averages). Writes
/// `artifacts/evaluation/gan-<dataset>/vNNNN.h5` (schema `autoloss/gan-evaluation`): `/autoloss/runNN`
/// and root attributes `report` (the table), `target_is`.
public struct GANEvaluationStage {
  public static let schema = "autoloss/gan-evaluation"
  public let config: GANExperimentConfig
  public let context: StageContext

  public init(config: GANExperimentConfig, context: StageContext) {
    self.config = config
    self.context = context
  }

  @discardableResult
  public func run() throws -> (artifact: ResolvedArtifact, report: String) {
    let setup = try GANSetup(dataset: config.dataset, model: config.model, task: config.task, context: context)
    let (spec, controllerArtifact) = try GANControllerStage.loadController(name: config.name, context: context)
    let (baselines, baselinesArtifact, _) = try GANBaselinesStage.load(name: config.name, context: context)
    let seeds = GANBaselinesStage.evaluationSeeds(config)
    let progress = ProgressDisplay("gan evaluate \(config.name)", total: seeds.count, enabled: context.showProgress)
    let start = Date()
    let runs = GANRunner.runAll(
      seeds.map { ("AutoLoss", MethodSpec.controller(spec), $0) }, setups: [setup], workers: context.workers,
      collapseLength: config.controller.collapseLength, progress: progress)
    progress.finish()
    let seconds = Date().timeIntervalSince(start)
    let all = baselines + [("AutoLoss", runs)]
    let oneToOne = baselines.first { $0.0 == "1:1" }?.1 ?? []
    let target = meanAndStd(oneToOne.map(\.bestISEMA)).mean
    var lines = [
      "GAN on \(config.dataset): \(config.scaleNote); real images in \(config.task.realRange.rawValue); "
        + "\(seeds.count) runs per schedule, same seeds; IS (our \(config.dataset) classifier), real test data "
        + String(format: "%.3f", setup.scorer.realInceptionScore),
      "converged IS = IS of the best checkpoint (by IS-EMA) on \(config.task.finalISSamples) samples; "
        + String(format: "steps to reach 1:1's IS-EMA %.3f", target),
      "schedule (D:G) | converged IS mean ± std | best IS-EMA mean ± std | steps to 1:1's IS (reached/runs) | P(G step)",
    ]
    var bestFixed: (String, Float) = ("", -.infinity)
    for (name, rs) in all {
      let summary = GANScheduleSummary(name: name, runs: rs)
      let reach = rs.compactMap { $0.stepsToReach(target) }
      let reachText =
        reach.isEmpty
        ? "never (0/\(rs.count))"
        : String(format: "%.0f (%d/%d)", meanAndStd(reach.map(Float.init)).mean, reach.count, rs.count)
      let pG = meanAndStd(rs.map { $0.trace.actionFractions(actionCount: 2)[1] }).mean
      lines.append(
        "\(name) | \(GANScheduleSummary.format(summary.finalIS)) | \(GANScheduleSummary.format(summary.bestISEMA)) | \(reachText) | \(String(format: "%.2f", pG))"
      )
      let m = meanAndStd(summary.finalIS).mean
      if name != "AutoLoss" && m > bestFixed.1 { bestFixed = (name, m) }
    }
    let autoMean = meanAndStd(runs.map(\.finalIS)).mean
    lines.append(
      String(
        format: "AutoLoss %.3f vs best baseline %@ %.3f: %@", autoMean, bestFixed.0, bestFixed.1,
        autoMean >= bestFixed.1 ? "AutoLoss at least as good" : "AutoLoss worse (not reproduced at this scale)"))
    lines.append(String(format: "evaluation runs took %.0f s", seconds))
    let report = lines.joined(separator: "\n")

    let provenance = context.provenance(
      schema: Self.schema, config: ConfigLoader.text(config), seed: config.seed,
      inputs: [setup.source, setup.scorer.artifact, controllerArtifact, baselinesArtifact])
    let writer = try context.store.writer(stage: "evaluation", name: config.name, provenance: provenance)
    let grids = GANRunIO.gridFolder(
      store: context.store, stage: "evaluation", name: config.name, version: writer.version)
    let root = writer.root
    try GANRunIO.describe(root, config: config, setup: setup)
    let group = try root.createGroup("autoloss")
    for (i, r) in runs.enumerated() {
      try GANRunIO.write(
        r, to: try group.createGroup(String(format: "run%02d", i)), model: setup.model,
        gridSamples: setup.task.gridSamples)
      try GANRunIO.writeGrids(
        r, folder: grids, stem: "autoloss-run\(i)", model: setup.model, gridSamples: setup.task.gridSamples,
        lastOnly: true)
    }
    try root.setAttribute("target_is", Double(target))
    try root.setAttribute("report", report)
    try root.setAttribute("seconds", seconds)
    let artifact = try writer.commit()
    for l in lines { log(l) }
    return (artifact, report)
  }
}
