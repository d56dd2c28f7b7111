import AutoLoss
import Engine
import Foundation
import Store
import Tasks

/// `gan train-controller`: episodic REINFORCE of the AutoLoss controller on the DCGAN of
/// `config.dataset`. Writes `artifacts/controllers/gan-<dataset>/vNNNN.h5` (schema
/// `autoloss/gan-controller-run`):
/// `/controller/best/<param>`, `/controller/final/<param>`; `/episodes/NNNN` with the trace (actions,
/// probabilities, features, losses, checks: step, error = 1/IS-EMA, extra = IS), `samples` and attributes
/// `final_is`, `reward`, `baseline`, `advantage`, `seconds`; `/summary/{final_is,reward,advantage,steps}`.
/// A PNG grid of fixed-z samples per IS check goes to `vNNNN-grids/epNNNN-stepNNNNNN.png` beside it.
public struct GANControllerStage {
  public static let schema = "autoloss/gan-controller-run"
  public let config: GANExperimentConfig
  public let context: StageContext

  public init(config: GANExperimentConfig, context: StageContext) {
    self.config = config
    self.context = context
  }

  @discardableResult
  public func run() throws -> ResolvedArtifact {
    let setup = try GANSetup(dataset: config.dataset, model: config.model, task: config.task, context: context)
    let parallel = max(1, min(config.controller.episodesPerUpdate, context.workers))
    var controllerConfig = config.controller
    controllerConfig.episodesPerUpdate = parallel
    let trainer = GANControllerTrainer(
      tasks: (0..<parallel).map { _ in setup.makeTask() }, config: controllerConfig, seed: config.seed)
    let provenance = context.provenance(
      schema: Self.schema, config: ConfigLoader.text(config), seed: config.seed,
      inputs: [setup.source, setup.scorer.artifact])
    let writer = try context.store.writer(stage: "controllers", name: config.name, provenance: provenance)
    let grids = GANRunIO.gridFolder(
      store: context.store, stage: "controllers", name: config.name, version: writer.version)
    let episodesGroup = try writer.root.createGroup("episodes")
    let progress = ProgressDisplay(
      "gan train-controller \(config.name)", total: config.controller.episodes, enabled: context.showProgress)
    var summary: [(Float, Float, Float, Int)] = []
    let start = Date()
    while !trainer.isFinished {
      for e in trainer.runNextRound() {
        let result = GANRunResult(
          method: "AutoLoss (training)", seed: trainer.episodeSeed(e.index), trace: e.trace, finalIS: e.finalIS,
          bestISEMA: e.trace.bestValidationError.isFinite ? 1 / e.trace.bestValidationError : 0, samples: e.samples,
          seconds: e.seconds)
        let group = try episodesGroup.createGroup(TraceIO.episodeName(e.index))
        try GANRunIO.write(result, to: group, model: setup.model, gridSamples: setup.task.gridSamples)
        try group.setAttribute("reward", Double(e.reward))
        try group.setAttribute("baseline", Double(e.baseline))
        try group.setAttribute("advantage", Double(e.advantage))
        try GANRunIO.writeGrids(
          result, folder: grids, stem: "ep\(TraceIO.episodeName(e.index))", model: setup.model,
          gridSamples: setup.task.gridSamples, lastOnly: false)
        summary.append((e.finalIS, e.reward, e.advantage, e.trace.steps))
        let fractions = e.trace.actionFractions(actionCount: 2)
        progress.advance(
          status: String(
            format: "ep %d: IS %.2f, adv %+.1f, P(G) %.2f, %d steps, %@", e.index, e.finalIS, e.advantage, fractions[1],
            e.trace.steps, e.trace.outcome))
      }
    }
    progress.finish(status: String(format: "best IS %.3f", trainer.bestIS))
    let seconds = Date().timeIntervalSince(start)
    let root = writer.root
    try GANRunIO.describe(root, config: config, setup: setup)
    let controllerGroup = try root.createGroup("controller")
    try ParameterIO.write(trainer.bestController, to: try controllerGroup.createGroup("best"))
    try ParameterIO.write(trainer.controller.stateDict(), to: try controllerGroup.createGroup("final"))
    try controllerGroup.setAttribute("hidden", Int64(config.controller.hidden))
    try controllerGroup.setAttribute("temperature", Double(config.controller.temperature))
    try controllerGroup.setAttribute("features", Int64(9))
    let s = try root.createGroup("summary")
    try s.write("final_is", summary.map(\.0), shape: [summary.count])
    try s.write("reward", summary.map(\.1), shape: [summary.count])
    try s.write("advantage", summary.map(\.2), shape: [summary.count])
    try s.write("steps", summary.map { Int32($0.3) }, shape: [summary.count])
    try root.setAttribute("best_final_is", Double(trainer.bestIS))
    try root.setAttribute("episodes", Int64(trainer.episodesDone))
    try root.setAttribute("collapses", Int64(trainer.collapses))
    try root.setAttribute("episodes_per_update", Int64(parallel))
    try root.setAttribute("seconds", seconds)
    let artifact = try writer.commit()
    log(
      String(
        format: "%@: %d episodes (%d per update), %d collapses, best final IS %.3f (real data %.3f), %.0f s",
        config.name, trainer.episodesDone, parallel, trainer.collapses, trainer.bestIS,
        setup.scorer.realInceptionScore, seconds))
    return artifact
  }

  /// The best controller of the latest (or given) controller run of `name`.
  public static func loadController(name: String, context: StageContext, version: Int? = nil) throws
    -> (ControllerSpec, ResolvedArtifact)
  {
    let resolved: ResolvedArtifact
    do {
      resolved = try context.store.resolve(stage: "controllers", name: name, version: version)
    } catch {
      throw PipelineError("\(error) (train it with `autoloss gan train-controller`)")
    }
    let file = try ArtifactReader.open(resolved, schema: schema, supportedVersions: 1...1)
    defer { file.close() }
    let group = try file.root.group("controller")
    let hidden = Int(try group.attribute("hidden", as: Int64.self))
    let temperature = Float(try group.attribute("temperature", as: Double.self))
    let features = Int(try group.attribute("features", as: Int64.self))
    var rng = SeededRandom(seed: 0)
    let controller = Controller(
      featureCount: features, actionCount: 2, hidden: hidden, temperature: temperature, rng: &rng)
    do {
      try controller.load(try ParameterIO.read(from: try group.group("best")))
    } catch {
      throw PipelineError("\(resolved.path): /controller/best: \(error)")
    }
    return (ControllerSpec(controller), resolved)
  }
}
