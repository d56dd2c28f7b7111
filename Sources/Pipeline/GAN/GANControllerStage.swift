import AutoLoss
import Dispatch
import Engine
import Foundation
import Store
import Tasks

/// `gan train-controller`: the shared ``ControllerTrainer`` (REINFORCE by default, the official GAN
/// settings: R = rewardScale·IS² of the best checkpoint, |adv| ∈ [1, 20], a collapse gives the
/// penalty and re-draws the controller) on the DCGAN of `config.dataset`; resumable after every
/// finished update. Writes `artifacts/controllers/gan-<dataset>/vNNNN.h5` (schema
/// `autoloss/gan-controller-run`): `/controller/{best, final, evaluated, untrained}/<param>` (group
/// attributes `hidden`, `temperature`, `features`, `evaluated`); `/episodes/NNNN` with the trace
/// (actions, probabilities, features, losses, checks: step, error = 1/IS-EMA, extra = IS), `samples`
/// and attributes `final_is`, `reward`, `baseline`, `advantage`, `failed`, `update`, `seconds`;
/// `/summary/{final_is,reward,advantage,steps}`. A PNG grid of fixed-z samples per IS check goes to
/// `vNNNN-grids/epNNNN-stepNNNNNN.png` beside it.
public struct GANControllerStage {
  public static let schema = "autoloss/gan-controller-run"
  public let config: GANExperimentConfig
  public let context: StageContext

  public init(config: GANExperimentConfig, context: StageContext) {
    self.config = config
    self.context = context
  }

  /// The artifact names, one per controller seed: `gan-<dataset>` for one, `gan-<dataset>-cK` for several.
  public var artifactNames: [String] { controllerArtifactNames(config.name, seeds: config.controller.controllerSeeds) }

  func workDirectory(_ artifactName: String) -> String {
    context.store.directory(stage: "controllers", name: artifactName) + "/.work"
  }

  /// The episode function of the GAN: one DCGAN task per slot; R = rewardScale·IS², 0 (and the
  /// penalty) after a collapse or a non-finite loss; fixed-z samples and the final IS in `extras`.
  static func episodeFunction(setup: GANSetup, collapseLength: Int) -> EpisodeFunction {
    let pool = TaskPool { setup.makeTask() }
    return { controller, seed, slot in
      let start = DispatchTime.now().uptimeNanoseconds
      guard let task = try pool.task(slot: slot) as? GANTask else {
        throw PipelineError("GAN controller training: the task pool returned a task that is not a GANTask")
      }
      var schedule = PolicySchedule(controller, name: "AutoLoss (training)")
      var trace = try runCheckedEpisode(
        task: task, schedule: &schedule, seed: seed,
        options: EpisodeOptions(recordSteps: true, evaluateTest: false, collapseLength: collapseLength))
      let failed = trace.outcome == "collapse" || trace.outcome == "non-finite loss"
      let finalIS = failed ? 0 : task.finalInceptionScore()
      trace.testError = finalIS > 0 ? 1 / finalIS : .nan
      var samples: [Float] = []
      for s in task.checkSamples { samples += s.data }
      let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
      return EpisodeResult(
        index: 0, seed: seed, trace: trace, reward: setup.task.rewardScale * finalIS * finalIS,
        extras: ["final_is": [finalIS], "samples": samples], seconds: seconds)
    }
  }

  static func runResult(_ e: EpisodeResult) -> GANRunResult {
    let finalIS = e.extras["final_is"]?.first ?? 0
    return GANRunResult(
      method: "AutoLoss (training)", seed: e.seed, trace: e.trace, finalIS: finalIS,
      bestISEMA: e.trace.bestValidationError.isFinite ? 1 / e.trace.bestValidationError : 0,
      samples: e.extras["samples"] ?? [], seconds: e.seconds)
  }

  @discardableResult
  public func run() throws -> ResolvedArtifact { try runAll()[0] }

  /// Trains (or resumes) every controller seed; returns the artifacts in order.
  public func runAll() throws -> [ResolvedArtifact] {
    var artifacts: [ResolvedArtifact] = []
    for (k, artifactName) in artifactNames.enumerated() {
      artifacts.append(try train(artifactName: artifactName, controllerIndex: k + 1))
    }
    return artifacts
  }

  /// The feature moments of the latest calibration of this experiment (and its artifact), when the
  /// controller standardises its inputs without explicit `controller.inputMeans`; (nil, nil) otherwise.
  func measuredInputMoments() throws -> (InputStandardization?, ResolvedArtifact?) {
    guard config.controller.standardizeInputs, config.controller.inputMeans.isEmpty else { return (nil, nil) }
    let resolved: ResolvedArtifact
    do {
      resolved = try context.store.resolve(stage: GANCalibrationStage.stage, name: config.name, version: nil)
    } catch {
      throw PipelineError(
        "GAN controller: controller.standardizeInputs reads the feature moments of the calibration: \(error) "
          + "(run `autoloss gan calibrate` first, or give controller.inputMeans and controller.inputSDs)")
    }
    let file = try ArtifactReader.open(resolved, schema: GANCalibrationStage.schema, supportedVersions: 1...1)
    defer { file.close() }
    guard file.root.isGroup(FeatureMoments.groupName) else {
      throw PipelineError(
        "\(resolved.path): no /\(FeatureMoments.groupName) (a calibration from before the feature moments were "
          + "recorded); rerun `autoloss gan calibrate`, or give controller.inputMeans and controller.inputSDs")
    }
    let moments = try FeatureMoments.readStandardization(
      from: try file.root.group(FeatureMoments.groupName), path: resolved.path)
    return (moments, resolved)
  }

  /// Trains (or resumes) controller seed `controllerIndex` (1-based) into `artifactName`.
  func train(artifactName: String, controllerIndex: Int) throws -> ResolvedArtifact {
    let seed = controllerTrainerSeed(experimentSeed: config.seed, controller: controllerIndex)
    let workDirectory = workDirectory(artifactName)
    let setup = try GANSetup(dataset: config.dataset, model: config.model, task: config.task, context: context)
    let probe = setup.makeTask()
    let (moments, calibration) = try measuredInputMoments()
    let trainer: ControllerTrainer
    do {
      trainer = try ControllerTrainer(
        config: config.controller, featureCount: probe.featureNames.count, actionCount: probe.actionNames.count,
        featureGroups: probe.featureGroups, seed: seed, executor: context.executor,
        episode: Self.episodeFunction(setup: setup, collapseLength: config.controller.collapseLength),
        measuredInputMoments: moments)
    } catch {
      throw PipelineError("GAN controller (\(artifactName)): \(error)")
    }
    let configText = ConfigLoader.text(config)
    let work = ControllerTrainingWork(trainer: trainer, directory: workDirectory, context: context, seed: seed)
    let standardizationNote = trainer.shape.standardization.map { "\n\($0.means) / \($0.sds)" } ?? ""
    let identity =
      "\(configText)\n\(setup.source.sha256)\n\(setup.scorer.artifact.sha256)\ncontroller \(controllerIndex) seed \(seed)"
      + standardizationNote
    let resumed = try work.prepare(identity: identity)
    if resumed > 0 { log("\(artifactName): resuming after episode \(resumed) from \(workDirectory)") }
    let progress = ProgressDisplay(
      "gan train-controller \(artifactName)", total: config.controller.episodes, enabled: context.showProgress)
    if resumed > 0 { progress.advance(by: resumed) }
    let grids = workDirectory + "/grids"
    // a run killed while writing a grid left its temporary there; the folder moves whole into the artifact
    if work.isCoordinator { try FileManagerShim.removeOrphanedTemporaries(in: grids) }
    let start = Date()
    while !trainer.isFinished {
      let update = try trainer.runNextUpdate()
      try work.save(update) { e, group in
        let result = Self.runResult(e)
        try GANRunIO.write(result, to: group, model: setup.model, gridSamples: setup.task.gridSamples)
        try group.setAttribute("outcome_note", e.outcome)
        if work.isCoordinator {
          try GANRunIO.writeGrids(
            result, folder: grids, stem: "ep\(TraceIO.episodeName(e.index))", model: setup.model,
            gridSamples: setup.task.gridSamples, lastOnly: false)
        }
      }
      for (e, advantage) in zip(update.episodes, update.advantages) {
        let fractions = e.trace.actionFractions(actionCount: 2)
        progress.advance(
          status: String(
            format: "ep %d: IS %.2f, adv %+.1f, P(G) %.2f, %d steps, %@", e.index, e.extras["final_is"]?.first ?? 0,
            advantage, fractions[1], e.trace.steps, e.trace.outcome))
      }
    }
    let bestIS = trainer.bestReward > 0 ? (trainer.bestReward / setup.task.rewardScale).squareRoot() : 0
    progress.finish(status: String(format: "best IS %.3f", bestIS))
    return try context.committedOnEveryRank {
      let artifact = try writeArtifact(
        work: work, setup: setup, bestIS: bestIS, seconds: Date().timeIntervalSince(start), artifactName: artifactName,
        workDirectory: workDirectory, calibration: calibration)
      FileManagerShim.remove(workDirectory)
      return artifact
    }
  }

  func writeArtifact(
    work: ControllerTrainingWork, setup: GANSetup, bestIS: Float, seconds: Double, artifactName: String,
    workDirectory: String, calibration: ResolvedArtifact?
  ) throws
    -> ResolvedArtifact
  {
    let trainer = work.trainer
    let provenance = context.provenance(
      schema: Self.schema, config: ConfigLoader.text(config), seed: config.seed,
      inputs: [setup.source, setup.scorer.artifact] + (calibration.map { [$0] } ?? []))
    let writer = try context.store.writer(stage: "controllers", name: artifactName, provenance: provenance)
    let root = writer.root
    try GANRunIO.describe(root, config: config, setup: setup)
    let controllerGroup = try root.createGroup("controller")
    try ParameterIO.write(trainer.bestWeights, to: try controllerGroup.createGroup("best"))
    try ParameterIO.write(trainer.controller.stateDict(), to: try controllerGroup.createGroup("final"))
    try ParameterIO.write(trainer.evaluatedWeights(), to: try controllerGroup.createGroup("evaluated"))
    try ParameterIO.write(trainer.untrainedWeights, to: try controllerGroup.createGroup("untrained"))
    try controllerGroup.setAttribute("hidden", Int64(config.controller.hidden))
    try controllerGroup.setAttribute("temperature", Double(config.controller.temperature))
    try controllerGroup.setAttribute("features", Int64(trainer.shape.featureCount))
    try controllerGroup.setAttribute("evaluated", config.controller.evaluated.rawValue)
    try InputStandardizationIO.write(trainer.shape.standardization, to: controllerGroup)
    try controllerGroup.write(
      "feature_mask", trainer.shape.featureMask.map { Int32($0 ? 1 : 0) }, shape: [trainer.shape.featureCount])
    try root.setAttribute("evaluated", config.controller.evaluated.rawValue)
    try root.setAttribute("algorithm", config.controller.algorithm.rawValue)
    let episodesGroup = try root.createGroup("episodes")
    var summary: [(Float, Float, Float, Int32)] = []
    let imageSize = setup.model.channels * setup.model.imageSize * setup.model.imageSize
    try work.forEachSaved(
      episode: { source in
        let index = Int(try source.attribute("index", as: Int64.self))
        let trace = try TraceIO.read(from: source)
        var samples: [Float] = []
        if source.contains("samples") {
          samples = try source.read("samples", as: UInt8.self).values.map { Float($0) / 255 }
        }
        let run = GANRunResult(
          method: "AutoLoss (training)", seed: UInt64(bitPattern: try source.attribute("seed", as: Int64.self)),
          trace: trace, finalIS: Float(try source.attribute("final_is", as: Double.self)),
          bestISEMA: Float(try source.attribute("best_is_ema", as: Double.self)),
          samples: samples.count % max(imageSize, 1) == 0 ? samples : [],
          seconds: try source.attribute("seconds", as: Double.self))
        let target = try episodesGroup.createGroup(TraceIO.episodeName(index))
        try GANRunIO.write(run, to: target, model: setup.model, gridSamples: setup.task.gridSamples)
        try copyAttributes(from: source, to: target)
        summary.append(
          (
            run.finalIS, Float(try source.attribute("reward", as: Double.self)),
            Float(try source.attribute("advantage", as: Double.self)), Int32(trace.steps)
          ))
      }, update: { _, _ in })
    let s = try root.createGroup("summary")
    try s.write("final_is", summary.map(\.0), shape: [summary.count])
    try s.write("reward", summary.map(\.1), shape: [summary.count])
    try s.write("advantage", summary.map(\.2), shape: [summary.count])
    try s.write("steps", summary.map(\.3), shape: [summary.count])
    try root.setAttribute("best_final_is", Double(bestIS))
    try root.setAttribute("episodes", Int64(trainer.episodesDone))
    try root.setAttribute("collapses", Int64(trainer.failedEpisodes))
    try root.setAttribute("reinitializations", Int64(trainer.reinitializations))
    try root.setAttribute("episodes_per_update", Int64(config.controller.episodesPerUpdate))
    try root.setAttribute("seconds", seconds)
    let artifact = try writer.commit()
    let grids = workDirectory + "/grids"
    if FileManagerShim.exists(grids) {
      let target = GANRunIO.gridFolder(
        store: context.store, stage: "controllers", name: artifactName, version: artifact.version)
      FileManagerShim.remove(target)
      do {
        try FileManager.default.moveItem(atPath: grids, toPath: target)
      } catch {
        throw PipelineError("cannot move the sample grids \(grids) to \(target): \(error.localizedDescription)")
      }
    }
    log(
      String(
        format:
          "%@: %d episodes (%d per update), %d failed, %d re-initialisations, best final IS %.3f (real data %.3f), %.0f s",
        artifactName, trainer.episodesDone, config.controller.episodesPerUpdate, trainer.failedEpisodes,
        trainer.reinitializations, bestIS, setup.scorer.realInceptionScore, seconds))
    return artifact
  }

  /// The features the stored controller may read: `/controller/feature_mask` (1 = used), or for runs
  /// written before it, the mask of `controller.droppedFeatureGroups` in the artifact's recorded config.
  static func storedFeatureMask(group: HDF5Group, featureCount: Int, artifact: ResolvedArtifact) throws -> [Bool] {
    if group.contains("feature_mask") {
      let stored = try group.read("feature_mask", as: Int32.self).values
      guard stored.count == featureCount else {
        throw PipelineError(
          "\(artifact.path): /controller/feature_mask: expected \(featureCount) values, found \(stored.count)")
      }
      return stored.map { $0 != 0 }
    }
    let provenance = try ArtifactReader.provenance(of: artifact.path)
    let recorded = try ConfigLoader.recorded(
      GANExperimentConfig.self, defaults: GANExperimentConfig(), text: provenance.config, source: artifact.path)
    do {
      return try featureMask(
        featureCount: featureCount, featureGroups: GANTask.controllerFeatureGroups,
        dropped: recorded.controller.droppedFeatureGroups)
    } catch {
      throw PipelineError("\(artifact.path): recorded controller.droppedFeatureGroups: \(error)")
    }
  }

  /// A controller (the evaluated one by default) of the latest (or given) controller run of `name`.
  /// Runs from before the evaluated choice fall back to their best-episode controller.
  public static func loadController(
    name: String, context: StageContext, version: Int? = nil, which: StoredController = .evaluated
  ) throws -> (ControllerSpec, ResolvedArtifact) {
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
    let standardization = try InputStandardizationIO.read(
      from: group, featureCount: features, path: resolved.path, groupPath: "/controller/")
    let mask = try storedFeatureMask(group: group, featureCount: features, artifact: resolved)
    var rng = SeededRandom(seed: 0)
    let controller = Controller(
      featureCount: features, actionCount: 2, hidden: hidden, temperature: temperature, featureMask: mask,
      standardization: standardization, rng: &rng)
    var sub: String
    switch which {
    case .evaluated: sub = "evaluated"
    case .untrained: sub = "untrained"
    case .best: sub = "best"
    case .final: sub = "final"
    }
    if which == .evaluated && !group.isGroup(sub) { sub = "best" }
    do {
      try controller.load(try ParameterIO.read(from: try group.group(sub)))
    } catch {
      throw PipelineError("\(resolved.path): /controller/\(sub): \(error)")
    }
    return (ControllerSpec(controller), resolved)
  }
}
