import AutoLoss
import Engine
import Foundation
import Store
import Tasks

/// The `train-controller` stage for the regression and classification tasks: the shared
/// ``ControllerTrainer`` on the controller splits, resumable after every finished update, and one
/// versioned artifact (schema `autoloss/controller-run`) per controller seed: `<name>` for one,
/// `<name>-c1 … <name>-cN` for `controller.controllerSeeds = N`.
///
/// Artifact layout: `/controller` (final weights), `/evaluated_controller` (root attribute
/// `evaluated` = final | average | best-episode), `/untrained_controller`, `/best_controller`;
/// `/episodes/NNNN` (trace + `reward`, `baseline`, `advantage`, `new_best`, `failed`, `update`);
/// `/summary/{reward, baseline, advantage, best_error, steps, action_fractions, failed, update}` per
/// episode; `/updates/{first_episode, episodes, mean_reward, reinitialized}` per update.
public struct ControllerTrainingStage: RegularizedStage {
  public static let schema = "autoloss/controller-run"
  public let inputs: RegularizedStageInputs
  /// Train only this controller seed (1-based), so that the seeds can run in separate processes;
  /// nil trains every seed in turn.
  public var onlyController: Int?

  public init(_ inputs: RegularizedStageInputs) { self.inputs = inputs }

  /// The artifact names this stage writes, one per controller seed.
  public var artifactNames: [String] { controllerArtifactNames(name, seeds: config.controller.controllerSeeds) }

  func workDirectory(_ artifactName: String) -> String {
    context.store.directory(stage: "controllers", name: artifactName) + "/.work"
  }

  /// Trains (or resumes) every controller seed and writes its artifact; returns the first one.
  @discardableResult
  public func run() throws -> ResolvedArtifact {
    try runAll()[0]
  }

  /// Trains (or resumes) every controller seed; returns the artifacts in order.
  public func runAll() throws -> [ResolvedArtifact] {
    let data = try RegularizedDataset.load(kind: kind, path: dataPath)
    let configText = ConfigLoader.text(config)
    var artifacts: [ResolvedArtifact] = []
    let seeds = config.controller.controllerSeeds
    if let only = onlyController, !(1...seeds).contains(only) {
      throw PipelineError(
        "--controller: expected an integer in 1...\(seeds) (controller.controllerSeeds), found \(only)")
    }
    for (k, artifactName) in artifactNames.enumerated() where onlyController.map({ $0 == k + 1 }) ?? true {
      artifacts.append(
        try train(artifactName: artifactName, controllerIndex: k + 1, data: data, configText: configText))
    }
    return artifacts
  }

  /// The resume identity of controller `controllerIndex`: config, data and trainer seed.
  func identity(controllerIndex: Int, data: RegularizedDataset, configText: String) -> String {
    let seed = controllerTrainerSeed(experimentSeed: config.seed, controller: controllerIndex)
    return "\(configText)\n\(data.source.sha256)\ncontroller \(controllerIndex) seed \(seed)"
  }

  /// A fresh trainer of controller `controllerIndex` (1-based) on the controller splits.
  func makeTrainer(controllerIndex: Int, data: RegularizedDataset) throws -> ControllerTrainer {
    let seed = controllerTrainerSeed(experimentSeed: config.seed, controller: controllerIndex)
    let (kind, controllerData, taskConfig) = (self.kind, data.controllerData, config.task)
    let probe = RegularizedTask(kind: kind, data: controllerData, config: taskConfig)
    do {
      return try ControllerTrainer(
        config: config.controller, featureCount: probe.featureNames.count, actionCount: probe.actionNames.count,
        featureGroups: probe.featureGroups, seed: seed, executor: context.executor,
        episode: taskEpisodeFunction(collapseLength: config.controller.collapseLength) {
          RegularizedTask(kind: kind, data: controllerData, config: taskConfig)
        })
    } catch {
      throw PipelineError("\(kind.rawValue) controller: \(error)")
    }
  }

  /// The resumable work folder of `trainer` for artifact `artifactName`.
  func work(_ trainer: ControllerTrainer, artifactName: String) -> ControllerTrainingWork {
    ControllerTrainingWork(
      trainer: trainer, directory: workDirectory(artifactName), context: context, seed: trainer.seed)
  }

  func train(artifactName: String, controllerIndex: Int, data: RegularizedDataset, configText: String) throws
    -> ResolvedArtifact
  {
    let trainer = try makeTrainer(controllerIndex: controllerIndex, data: data)
    let probe = RegularizedTask(kind: kind, data: data.controllerData, config: config.task)
    let identity = identity(controllerIndex: controllerIndex, data: data, configText: configText)
    let work = work(trainer, artifactName: artifactName)
    let resumed = try work.prepare(identity: identity)
    if resumed > 0 { log("\(artifactName): resuming after episode \(resumed) from \(work.directory)") }
    let progress = ProgressDisplay(
      "train-controller \(artifactName)", total: config.controller.episodes, enabled: context.showProgress)
    if resumed > 0 { progress.advance(by: resumed) }
    while !trainer.isFinished {
      let update = try trainer.runNextUpdate()
      try save(update, work: work, task: probe)
      for e in update.episodes {
        progress.advance(
          status: String(
            format: "reward %.1f  best reward %.1f  steps %d", e.reward, trainer.bestReward, e.trace.steps))
      }
    }
    progress.finish(status: "best reward \(trainer.bestReward)")
    return try context.committedOnEveryRank {
      let artifact = try writeArtifact(
        work: work, artifactName: artifactName, controllerIndex: controllerIndex, task: probe, data: data,
        configText: configText)
      FileManagerShim.remove(work.directory)
      return artifact
    }
  }

  /// Saves a finished update (traces and snapshot) to the work folder.
  func save(_ update: ControllerUpdate, work: ControllerTrainingWork, task: AlternatingTask) throws {
    let (actions, features, losses) = (task.actionNames.count, task.featureNames.count, task.lossNames.count)
    try work.save(update) { e, group in
      try TraceIO.write(e.trace, to: group, actionCount: actions, featureCount: features, lossCount: losses)
    }
  }

  func writeArtifact(
    work: ControllerTrainingWork, artifactName: String, controllerIndex: Int, task: RegularizedTask,
    data: RegularizedDataset, configText: String
  ) throws -> ResolvedArtifact {
    let trainer = work.trainer
    let writer = try context.store.writer(
      stage: "controllers", name: artifactName,
      provenance: context.provenance(schema: Self.schema, config: configText, seed: trainer.seed, inputs: [data.source])
    )
    let root = writer.root
    try root.setAttribute("task", kind.rawValue)
    try root.setAttribute("controller_index", Int64(controllerIndex))
    try root.setAttribute("controller_seeds", Int64(config.controller.controllerSeeds))
    try root.writeStrings("action_names", task.actionNames)
    try root.writeStrings("loss_names", task.lossNames)
    try root.writeStrings("feature_names", task.featureNames)
    try root.writeStrings(
      "feature_groups", task.featureGroups.map { "\($0.name):\($0.indices.map(String.init).joined(separator: ","))" })
    try root.writeStrings("dropped_feature_groups", config.controller.droppedFeatureGroups)
    try work.writeControllers(to: root)
    let episodesGroup = try root.createGroup("episodes")
    let k = task.actionNames.count
    var summary = ControllerRunSummary()
    var bestError: Float = .infinity
    try work.forEachSaved(
      episode: { source in
        let trace = try TraceIO.read(from: source)
        let index = Int(try source.attribute("index", as: Int64.self))
        let target = try episodesGroup.createGroup(TraceIO.episodeName(index))
        try TraceIO.write(
          trace, to: target, actionCount: k, featureCount: task.featureNames.count, lossCount: task.lossNames.count)
        try copyAttributes(from: source, to: target)
        try summary.add(source, trace: trace, actionCount: k)
        if trace.bestValidationError < bestError { bestError = trace.bestValidationError }
      },
      update: { index, reinitialized in summary.closeUpdate(index, reinitialized: reinitialized) })
    try root.setAttribute("best_error", Double(bestError))
    try summary.write(to: root, actionCount: k)
    return try writer.commit()
  }
}

/// Copies the per-episode trainer attributes of a work file's episode group.
func copyAttributes(from source: HDF5Group, to target: HDF5Group) throws {
  for name in ["reward", "baseline", "advantage", "seconds"] where source.hasAttribute(name) {
    try target.setAttribute(name, try source.attribute(name, as: Double.self))
  }
  for name in ["new_best", "failed"] where source.hasAttribute(name) {
    try target.setAttribute(name, try source.attribute(name, as: Int32.self))
  }
  for name in ["index", "update", "episode_seed"] where source.hasAttribute(name) {
    try target.setAttribute(name, try source.attribute(name, as: Int64.self))
  }
}

/// The `/summary` (per episode) and `/updates` (per update) datasets of a controller run.
struct ControllerRunSummary {
  var rewards: [Float] = []
  var baselines: [Float] = []
  var advantages: [Float] = []
  var bests: [Float] = []
  var steps: [Int32] = []
  var fractions: [Float] = []
  var failed: [Int32] = []
  var updateOfEpisode: [Int32] = []
  var updateFirst: [Int64] = []
  var updateCount: [Int32] = []
  var updateMeanReward: [Float] = []
  var updateReinitialized: [Int32] = []
  private var open: [Float] = []

  mutating func add(_ source: HDF5Group, trace: EpisodeTrace, actionCount: Int) throws {
    let reward = Float(try source.attribute("reward", as: Double.self))
    rewards.append(reward)
    baselines.append(Float(try source.attribute("baseline", as: Double.self)))
    advantages.append(Float(try source.attribute("advantage", as: Double.self)))
    bests.append(trace.bestValidationError)
    steps.append(Int32(trace.steps))
    fractions += trace.actionFractions(actionCount: actionCount)
    failed.append(try source.attribute("failed", as: Int32.self))
    updateOfEpisode.append(Int32(try source.attribute("update", as: Int64.self)))
    open.append(reward)
  }

  mutating func closeUpdate(_ index: Int, reinitialized: Bool) {
    updateFirst.append(Int64(rewards.count - open.count))
    updateCount.append(Int32(open.count))
    updateMeanReward.append(open.isEmpty ? .nan : open.reduce(0, +) / Float(open.count))
    updateReinitialized.append(reinitialized ? 1 : 0)
    open = []
  }

  func write(to root: HDF5Group, actionCount k: Int) throws {
    let e = rewards.count
    let summary = try root.createGroup("summary")
    try summary.write("reward", rewards, shape: [e])
    try summary.write("baseline", baselines, shape: [e])
    try summary.write("advantage", advantages, shape: [e])
    try summary.write("best_error", bests, shape: [e])
    try summary.write("steps", steps, shape: [e])
    try summary.write("action_fractions", fractions, shape: [e, k])
    try summary.write("failed", failed, shape: [e])
    try summary.write("update", updateOfEpisode, shape: [e])
    let u = updateFirst.count
    let updates = try root.createGroup("updates")
    try updates.write("first_episode", updateFirst, shape: [u])
    try updates.write("episodes", updateCount, shape: [u])
    try updates.write("mean_reward", updateMeanReward, shape: [u])
    try updates.write("reinitialized", updateReinitialized, shape: [u])
  }
}

/// Which stored controller of a controller-run artifact to load.
public enum StoredController: String, Sendable, CaseIterable {
  /// The controller the run chose for evaluation (root attribute `evaluated`).
  case evaluated
  /// The weights before training (reported as "untrained controller", never as AutoLoss).
  case untrained
  /// The controller of the best training episode.
  case best
  /// The controller after the last update.
  case final

  var group: String {
    switch self {
    case .evaluated: return "evaluated_controller"
    case .untrained: return "untrained_controller"
    case .best: return "best_controller"
    case .final: return "controller"
    }
  }
}

/// Loads a controller of a controller-run artifact (the evaluated one by default; artifacts from
/// before the evaluated choice fall back to their best-episode controller).
public func loadController(
  from artifact: ResolvedArtifact, task: AlternatingTask, which: StoredController = .evaluated
) throws -> (Controller, RegularizedExperimentConfig?) {
  let file = try ArtifactReader.open(artifact, schema: ControllerTrainingStage.schema, supportedVersions: 1...1)
  defer { file.close() }
  let root = file.root
  let features = try root.readStrings("feature_names")
  guard features == task.featureNames else {
    throw PipelineError(
      "\(artifact.path): controller features \(features) do not match the task's \(task.featureNames)")
  }
  let provenance = try ArtifactReader.provenance(of: artifact.path)
  // Keys added since the artifact was written take their defaults (the same for both task kinds).
  let config = try ConfigLoader.recorded(
    RegularizedExperimentConfig.self, defaults: .defaults(for: .regression), text: provenance.config,
    source: artifact.path)
  let dropped = Set(try root.readStrings("dropped_feature_groups"))
  var mask = Array(repeating: true, count: features.count)
  for group in task.featureGroups where dropped.contains(group.name) { for i in group.indices { mask[i] = false } }
  let hidden =
    root.hasAttribute("controller_hidden")
    ? Int(try root.attribute("controller_hidden", as: Int64.self)) : config.controller.hidden
  let temperature =
    root.hasAttribute("controller_temperature")
    ? Float(try root.attribute("controller_temperature", as: Double.self)) : config.controller.temperature
  let standardization = try InputStandardizationIO.read(
    from: root, featureCount: features.count, path: artifact.path, groupPath: "/")
  var rng = SeededRandom(seed: 0)
  let controller = Controller(
    featureCount: features.count, actionCount: task.actionNames.count, hidden: hidden, temperature: temperature,
    featureMask: mask, standardization: standardization, rng: &rng)
  var group = which.group
  if which == .evaluated && !root.isGroup(group) { group = StoredController.best.group }
  guard root.isGroup(group) else { throw PipelineError("\(artifact.path): no /\(group) (a controller-run artifact)") }
  do {
    try controller.load(try ParameterIO.read(from: try root.group(group)))
  } catch let error as EngineError {
    throw PipelineError("\(artifact.path): /\(group): \(error.description)")
  }
  return (controller, config)
}
