import AutoLoss
import Engine
import Foundation
import Store
import Tasks

/// `gan baselines`: the fixed schedules (1:1, 1:K, K:1; D:G) and the constant-ratio schedule whose
/// P(G step) is tuned over `randomGrid` on the IS of separate tuning runs, each run `runs` times on the
/// same seeds. Writes `artifacts/baselines/gan-<dataset>/vNNNN.h5` (schema `autoloss/gan-baselines`):
/// `/tuning/<key>/runNN` and `/schedules/<key>/runNN` (trace, samples, attributes as ``GANRunIO``), each
/// schedule group with attributes `name`, `final_is_mean`, `final_is_std`; the last grid of every run
/// goes to `vNNNN-grids/`.
public struct GANBaselinesStage {
  public static let schema = "autoloss/gan-baselines"
  public let config: GANExperimentConfig
  public let context: StageContext

  public init(config: GANExperimentConfig, context: StageContext) {
    self.config = config
    self.context = context
  }

  /// A group name for a schedule name ("1:3" → "d1-g3", "random P(G)=0.70" → "random-0.70").
  public static func key(_ name: String) -> String {
    if name.hasPrefix("random P(G)=") { return "random-" + name.dropFirst("random P(G)=".count) }
    return "d" + name.replacingOccurrences(of: ":", with: "-g")
  }

  /// The seeds every schedule is evaluated on.
  public static func evaluationSeeds(_ config: GANExperimentConfig) -> [UInt64] {
    trialSeeds(base: config.seed, tag: 0x6A_0E7A, count: config.runs)
  }

  @discardableResult
  public func run() throws -> ResolvedArtifact {
    let setup = try GANSetup(dataset: config.dataset, model: config.model, task: config.task, context: context)
    let start = Date()
    // 1. Tune P(G) of the constant-ratio schedule.
    let tuningSeeds = trialSeeds(base: config.seed, tag: 0x7E_417E, count: config.tuningRuns)
    let grid = config.randomGrid.map(GANRunner.random)
    var tuningItems: [(name: String, method: MethodSpec, seed: UInt64)] = []
    for g in grid { for s in tuningSeeds { tuningItems.append((g.name, g.method, s)) } }
    let fixed = config.fixedRatios.map { GANRunner.ratio($0[0], $0[1]) }
    let seeds = Self.evaluationSeeds(config)
    let progress = ProgressDisplay(
      "gan baselines \(config.name)", total: tuningItems.count + (fixed.count + 1) * seeds.count,
      enabled: context.showProgress)
    let tuning = try GANRunner.runAll(
      tuningItems, setups: [setup], executor: context.executor, collapseLength: config.controller.collapseLength,
      progress: progress)
    var bestP = config.randomGrid.first ?? 0.5
    var bestScore: Float = -.infinity
    for (p, g) in zip(config.randomGrid, grid) {
      let score = meanAndStd(tuning.filter { $0.method == g.name }.map(\.bestISEMA)).mean
      if score > bestScore {
        bestScore = score
        bestP = p
      }
    }
    let best = GANRunner.random(bestP)
    // 2. Every schedule on the evaluation seeds.
    var items: [(name: String, method: MethodSpec, seed: UInt64)] = []
    for f in fixed + [best] { for s in seeds { items.append((f.name, f.method, s)) } }
    let runs = try GANRunner.runAll(
      items, setups: [setup], executor: context.executor, collapseLength: config.controller.collapseLength,
      progress: progress)
    progress.finish()
    let seconds = Date().timeIntervalSince(start)

    var lines: [String] = []
    let artifact = try context.committedOnEveryRank { () throws -> ResolvedArtifact in
      let provenance = context.provenance(
        schema: Self.schema, config: ConfigLoader.text(config), seed: config.seed,
        inputs: [setup.source, setup.scorer.artifact])
      let writer = try context.store.writer(stage: "baselines", name: config.name, provenance: provenance)
      let grids = GANRunIO.gridFolder(
        store: context.store, stage: "baselines", name: config.name, version: writer.version)
      let root = writer.root
      try GANRunIO.describe(root, config: config, setup: setup)
      try root.setAttribute("best_random_p_g", Double(bestP))
      try root.setAttribute("seconds", seconds)
      let tuningGroup = try root.createGroup("tuning")
      for g in grid {
        let group = try tuningGroup.createGroup(Self.key(g.name))
        try group.setAttribute("name", g.name)
        for (i, r) in tuning.filter({ $0.method == g.name }).enumerated() {
          try GANRunIO.write(
            r, to: try group.createGroup(String(format: "run%02d", i)), model: setup.model, gridSamples: 0)
        }
      }
      let schedules = try root.createGroup("schedules")
      lines = [
        "GAN baselines on \(config.dataset) (\(config.scaleNote); real images in \(config.task.realRange.rawValue)); "
          + "IS (our \(config.dataset) classifier), real data \(String(format: "%.3f", setup.scorer.realInceptionScore))",
        "schedule (D:G) | final IS mean ± std | best IS-EMA mean ± std | failed runs",
      ]
      for f in fixed + [best] {
        let mine = runs.filter { $0.method == f.name }
        let group = try schedules.createGroup(Self.key(f.name))
        try group.setAttribute("name", f.name)
        let summary = GANScheduleSummary(name: f.name, runs: mine)
        let (m, s) = meanAndStd(summary.finalIS)
        try group.setAttribute("final_is_mean", Double(m))
        try group.setAttribute("final_is_std", Double(s))
        for (i, r) in mine.enumerated() {
          try GANRunIO.write(
            r, to: try group.createGroup(String(format: "run%02d", i)), model: setup.model,
            gridSamples: setup.task.gridSamples)
          try GANRunIO.writeGrids(
            r, folder: grids, stem: "\(Self.key(f.name))-run\(i)", model: setup.model,
            gridSamples: setup.task.gridSamples,
            lastOnly: true)
        }
        lines.append(
          "\(f.name) | \(GANScheduleSummary.format(summary.finalIS)) | \(GANScheduleSummary.format(summary.bestISEMA)) | \(summary.failures)/\(mine.count)"
        )
      }
      lines.append(
        String(
          format: "constant ratio: P(G) = %.2f tuned over %@ (%.0f s total)", bestP, "\(config.randomGrid)", seconds)
      )
      try root.setAttribute("report", lines.joined(separator: "\n"))
      return try writer.commit()
    }
    if context.executor.isCoordinator { for l in lines { log(l) } }
    return artifact
  }

  /// Reads the evaluation runs of every schedule of a baselines artifact: (name, runs).
  public static func load(name: String, context: StageContext) throws -> (
    [(String, [GANRunResult])], ResolvedArtifact, Float
  ) {
    let resolved: ResolvedArtifact
    do {
      resolved = try context.store.resolve(stage: "baselines", name: name)
    } catch {
      throw PipelineError("\(error) (run `autoloss gan baselines` first)")
    }
    let file = try ArtifactReader.open(resolved, schema: schema, supportedVersions: 1...1)
    defer { file.close() }
    let bestP = Float(try file.root.attribute("best_random_p_g", as: Double.self))
    let schedules = try file.root.group("schedules")
    var result: [(String, [GANRunResult])] = []
    for key in try schedules.list() {
      let group = try schedules.group(key)
      let scheduleName = try group.attributeString("name")
      var runs: [GANRunResult] = []
      for runKey in try group.list() where group.isGroup(runKey) {
        let g = try group.group(runKey)
        runs.append(
          GANRunResult(
            method: scheduleName, seed: UInt64(bitPattern: try g.attribute("seed", as: Int64.self)),
            trace: try TraceIO.read(from: g), finalIS: Float(try g.attribute("final_is", as: Double.self)),
            bestISEMA: Float(try g.attribute("best_is_ema", as: Double.self)), samples: [],
            seconds: try g.attribute("seconds", as: Double.self)))
      }
      result.append((scheduleName, runs))
    }
    return (result, resolved, bestP)
  }
}
