import AutoLoss
import Engine
import Foundation
import Store
import Tasks

/// `gan transfer`: the controller trained on `config.dataset` guides, without retraining, DCGANs on the
/// other datasets (when their data and scorer are present) and DCGANs sampled from the paper's
/// architecture space on the same data, each against 1:1 at the same step budget. Writes
/// `artifacts/transfer/gan-<dataset>/vNNNN.h5` (schema `autoloss/gan-transfer`): `/targets/NN` with
/// attributes `target`, `autoloss_is`, `baseline_is`, `win` and the runs `autoloss-runNN`, `1-1-runNN`;
/// root attributes `wins`, `total`, `skipped`, `report`.
public struct GANTransferStage {
  public static let schema = "autoloss/gan-transfer"
  public let config: GANExperimentConfig
  public let context: StageContext

  public init(config: GANExperimentConfig, context: StageContext) {
    self.config = config
    self.context = context
  }

  /// `count` architectures drawn from {32, 64, 128}·scale filters × z {64, 128} × BN × {ReLU, LeakyReLU}
  /// (one activation for both nets), without repeats while possible.
  public static func sampleArchitectures(count: Int, base: DCGANConfig, widthScale: Float, seed: UInt64)
    -> [DCGANConfig]
  {
    var space: [DCGANConfig] = []
    for w in [32, 64, 128] {
      for z in [64, 128] {
        for bn in [false, true] {
          for act in GANActivation.allCases {
            var c = base
            c.baseWidth = max(1, Int((Float(w) * widthScale).rounded()))
            c.zSize = z
            c.batchNorm = bn
            c.generatorActivation = act
            c.discriminatorActivation = act
            space.append(c)
          }
        }
      }
    }
    var rng = SeededRandom(seed: seed ^ 0xA2C4)
    let order = rng.permutation(space.count)
    return (0..<count).map { space[order[$0 % space.count]] }
  }

  static func describe(_ m: DCGANConfig) -> String {
    "width \(m.baseWidth), z \(m.zSize), BN \(m.batchNorm ? "on" : "off"), \(m.generatorActivation.rawValue)"
  }

  @discardableResult
  public func run() throws -> (artifact: ResolvedArtifact, report: String) {
    let controllerName = try trainedControllerNames(config.name, store: context.store).first ?? config.name
    let (spec, controllerArtifact) = try GANControllerStage.loadController(name: controllerName, context: context)
    let home = try GANSetup(dataset: config.dataset, model: config.model, task: config.task, context: context)
    var targets: [(label: String, setup: GANSetup)] = []
    var skipped: [String] = []
    for d in config.transferDatasets where d != config.dataset {
      guard GANData.isPresent(d, dataRoot: context.dataRoot) else {
        skipped.append("\(d): no data/\(d).h5")
        continue
      }
      let model = d == "cifar10" ? config.cifarModel : config.model
      do {
        targets.append(
          (
            "\(d) DCGAN (\(Self.describe(model)))",
            try GANSetup(dataset: d, model: model, task: config.task, context: context)
          ))
      } catch {
        skipped.append("\(d): \(error)")
      }
    }
    for m in Self.sampleArchitectures(
      count: config.transferArchitectures, base: config.model, widthScale: config.architectureWidthScale,
      seed: config.seed)
    {
      targets.append(("\(config.dataset) DCGAN (\(Self.describe(m)))", home.with(model: m)))
    }
    let seeds = trialSeeds(base: config.seed, tag: 0x7EA_45FE, count: config.transferRuns)
    var items: [(name: String, method: MethodSpec, seed: UInt64)] = []
    var setups: [GANSetup] = []
    let oneToOne = GANRunner.ratio(1, 1)
    for t in targets {
      for s in seeds {
        items.append(("AutoLoss", .controller(spec), s))
        setups.append(t.setup)
        items.append((oneToOne.name, oneToOne.method, s))
        setups.append(t.setup)
      }
    }
    let progress = ProgressDisplay("gan transfer \(config.name)", total: items.count, enabled: context.showProgress)
    let start = Date()
    let runs =
      try items.isEmpty
      ? []
      : GANRunner.runAll(
        items, setups: setups, executor: context.executor, collapseLength: config.controller.collapseLength,
        progress: progress)
    progress.finish()
    let seconds = Date().timeIntervalSince(start)

    var lines: [String] = []
    let artifact = try context.committedOnEveryRank {
      try write(
        runs, targets: targets, seeds: seeds, skipped: skipped, seconds: seconds, home: home,
        inputs: [home.source, home.scorer.artifact, controllerArtifact] + targets.map(\.setup.scorer.artifact),
        lines: &lines)
    }
    if context.executor.isCoordinator { for l in lines { log(l) } }
    return (artifact, lines.joined(separator: "\n"))
  }

  /// Writes the artifact (rank 0); `lines` receives the report.
  func write(
    _ runs: [GANRunResult], targets: [(label: String, setup: GANSetup)], seeds: [UInt64], skipped: [String],
    seconds: Double, home: GANSetup, inputs: [ResolvedArtifact], lines: inout [String]
  ) throws -> ResolvedArtifact {
    let oneToOne = GANRunner.ratio(1, 1)
    let provenance = context.provenance(
      schema: Self.schema, config: ConfigLoader.text(config), seed: config.seed, inputs: inputs)
    let writer = try context.store.writer(stage: "transfer", name: config.name, provenance: provenance)
    let root = writer.root
    try GANRunIO.describe(root, config: config, setup: home)
    let group = try root.createGroup("targets")
    lines = [
      "Transfer of the \(config.dataset) controller (\(config.scaleNote); architecture filters {32, 64, 128} x "
        + "\(config.architectureWidthScale); real images in \(config.task.realRange.rawValue)); \(seeds.count) run(s) each, "
        + "same step budget; converged IS (each dataset's own classifier)",
      "target | AutoLoss IS | 1:1 IS | win",
    ]
    var wins = 0
    let per = seeds.count * 2
    for (k, t) in targets.enumerated() {
      let mine = Array(runs[(k * per)..<((k + 1) * per)])
      let auto = mine.filter { $0.method == "AutoLoss" }
      let base = mine.filter { $0.method == oneToOne.name }
      let a = meanAndStd(auto.map(\.finalIS)).mean
      let b = meanAndStd(base.map(\.finalIS)).mean
      let win = a > b
      if win { wins += 1 }
      let g = try group.createGroup(String(format: "%02d", k))
      try g.setAttribute("target", t.label)
      try g.setAttribute("autoloss_is", Double(a))
      try g.setAttribute("baseline_is", Double(b))
      try g.setAttribute("win", Int64(win ? 1 : 0))
      for (i, r) in auto.enumerated() {
        try GANRunIO.write(r, to: try g.createGroup("autoloss-run\(i)"), model: t.setup.model, gridSamples: 0)
      }
      for (i, r) in base.enumerated() {
        try GANRunIO.write(r, to: try g.createGroup("1-1-run\(i)"), model: t.setup.model, gridSamples: 0)
      }
      lines.append(String(format: "%@ | %.3f | %.3f | %@", t.label, a, b, win ? "yes" : "no"))
    }
    lines.append(
      "AutoLoss wins \(wins) / \(targets.count)"
        + (skipped.isEmpty ? "" : "; skipped: " + skipped.joined(separator: "; ")))
    lines.append(String(format: "transfer runs took %.0f s", seconds))
    let report = lines.joined(separator: "\n")
    try root.setAttribute("wins", Int64(wins))
    try root.setAttribute("total", Int64(targets.count))
    try root.setAttribute("skipped", skipped.joined(separator: "\n"))
    try root.setAttribute("report", report)
    try root.setAttribute("seconds", seconds)
    return try writer.commit()
  }
}
