import AutoLoss
import Engine
import Foundation
import Store
import Tasks

/// The `train-controller` stage for the regression and classification tasks: offline REINFORCE on
/// the controller splits, one finished episode saved at a time so an interrupted run resumes, and
/// one versioned artifact (schema `autoloss/controller-run`) at the end.
public struct ControllerTrainingStage {
  public static let schema = "autoloss/controller-run"
  public let kind: RegularizedTaskKind
  public let config: RegularizedExperimentConfig
  public let context: StageContext
  /// The artifact name, e.g. `regression`, `regression-no-gradient`, `regression-lambda0.4`.
  public let name: String
  /// The prepared data file.
  public let dataPath: String

  public init(
    kind: RegularizedTaskKind, config: RegularizedExperimentConfig, context: StageContext, name: String,
    dataPath: String
  ) {
    self.kind = kind
    self.config = config
    self.context = context
    self.name = name
    self.dataPath = dataPath
  }

  var workDirectory: String { context.store.directory(stage: "controllers", name: name) + "/.work" }

  /// Trains (or resumes) and writes the artifact; returns it.
  @discardableResult
  public func run() throws -> ResolvedArtifact {
    let data = try RegularizedDataset.load(kind: kind, path: dataPath)
    let configText = ConfigLoader.text(config)
    let identity = "\(configText)\n\(data.source.sha256)"
    let task = RegularizedTask(kind: kind, data: data.controllerData, config: config.task)
    let trainer = ReinforceTrainer(task: task, config: config.controller, seed: config.seed)
    let resumed = try prepareWorkDirectory(identity: identity, trainer: trainer)
    if resumed > 0 { log("\(name): resuming after episode \(resumed) from \(workDirectory)") }
    let progress = ProgressDisplay(
      "train-controller \(name)", total: config.controller.episodes, enabled: context.showProgress)
    if resumed > 0 { progress.advance(by: resumed) }
    while !trainer.isFinished {
      let episode = trainer.runNextEpisode()
      try saveEpisode(episode, trainer: trainer, task: task)
      progress.advance(
        status: String(
          format: "reward %.1f  best val %.4f  steps %d", episode.reward, trainer.bestError, episode.trace.steps))
    }
    progress.finish(status: "best val \(trainer.bestError)")
    let artifact = try writeArtifact(trainer: trainer, task: task, data: data, configText: configText)
    FileManagerShim.remove(workDirectory)
    return artifact
  }

  /// Restores from finished episodes of an identical earlier run; returns how many were finished.
  func prepareWorkDirectory(identity: String, trainer: ReinforceTrainer) throws -> Int {
    let identityFile = workDirectory + "/identity.txt"
    if let existing = try? String(contentsOfFile: identityFile, encoding: .utf8), existing == identity {
      let episodes = FileManagerShim.list(workDirectory).filter { $0.hasPrefix("episode-") && $0.hasSuffix(".h5") }
      guard let last = episodes.last else { return 0 }
      let file = try HDF5File.open(workDirectory + "/" + last)
      defer { file.close() }
      try trainer.restore(try SnapshotIO.read(from: try file.root.group("snapshot")))
      return trainer.episodesDone
    }
    FileManagerShim.remove(workDirectory)
    try FileManagerShim.createDirectory(workDirectory)
    do {
      try identity.write(toFile: identityFile, atomically: true, encoding: .utf8)
    } catch {
      throw PipelineError("cannot write \(identityFile): \(error.localizedDescription)")
    }
    return 0
  }

  func saveEpisode(_ episode: ControllerEpisode, trainer: ReinforceTrainer, task: RegularizedTask) throws {
    let path = workDirectory + "/episode-\(TraceIO.episodeName(episode.index)).h5"
    let writer = try ArtifactWriter(
      path: path,
      provenance: context.provenance(schema: "autoloss/controller-episode", config: "", seed: config.seed, inputs: []),
      overwrite: true)
    let group = try writer.root.createGroup("episode")
    try writeEpisode(episode, to: group, task: task)
    try SnapshotIO.write(trainer.snapshot(), to: try writer.root.createGroup("snapshot"))
    try writer.commit()
  }

  func writeEpisode(_ episode: ControllerEpisode, to group: HDF5Group, task: RegularizedTask) throws {
    try TraceIO.write(
      episode.trace, to: group, actionCount: task.actionNames.count, featureCount: task.featureNames.count,
      lossCount: task.lossNames.count)
    try group.setAttribute("reward", Double(episode.reward))
    try group.setAttribute("baseline", Double(episode.baseline))
    try group.setAttribute("advantage", Double(episode.advantage))
    try group.setAttribute("new_best", Int32(episode.isNewBest ? 1 : 0))
    try group.setAttribute("index", Int64(episode.index))
  }

  func writeArtifact(trainer: ReinforceTrainer, task: RegularizedTask, data: RegularizedDataset, configText: String)
    throws
    -> ResolvedArtifact
  {
    let writer = try context.store.writer(
      stage: "controllers", name: name,
      provenance: context.provenance(schema: Self.schema, config: configText, seed: config.seed, inputs: [data.source]))
    let root = writer.root
    try root.setAttribute("task", kind.rawValue)
    try root.setAttribute("best_error", Double(trainer.bestError))
    try root.setAttribute("episodes", Int64(trainer.episodesDone))
    try root.setAttribute(
      "stop_reason", trainer.episodesDone >= config.controller.episodes ? "episode budget" : "patience")
    try root.writeStrings("action_names", task.actionNames)
    try root.writeStrings("loss_names", task.lossNames)
    try root.writeStrings("feature_names", task.featureNames)
    try root.writeStrings(
      "feature_groups", task.featureGroups.map { "\($0.name):\($0.indices.map(String.init).joined(separator: ","))" })
    try root.writeStrings("dropped_feature_groups", config.controller.droppedFeatureGroups)
    try ParameterIO.write(trainer.controller.stateDict(), to: try root.createGroup("controller"))
    try ParameterIO.write(trainer.bestController, to: try root.createGroup("best_controller"))
    let episodesGroup = try root.createGroup("episodes")
    var rewards: [Float] = []
    var baselines: [Float] = []
    var advantages: [Float] = []
    var bests: [Float] = []
    var steps: [Int32] = []
    var fractions: [Float] = []
    let k = task.actionNames.count
    for index in 0..<trainer.episodesDone {
      let path = workDirectory + "/episode-\(TraceIO.episodeName(index)).h5"
      let file = try HDF5File.open(path)
      defer { file.close() }
      let source = try file.root.group("episode")
      let trace = try TraceIO.read(from: source)
      let episode = ControllerEpisode(
        index: index, trace: trace, reward: Float(try source.attribute("reward", as: Double.self)),
        baseline: Float(try source.attribute("baseline", as: Double.self)),
        advantage: Float(try source.attribute("advantage", as: Double.self)),
        isNewBest: try source.attribute("new_best", as: Int32.self) == 1)
      try writeEpisode(episode, to: try episodesGroup.createGroup(TraceIO.episodeName(index)), task: task)
      rewards.append(episode.reward)
      baselines.append(episode.baseline)
      advantages.append(episode.advantage)
      bests.append(trace.bestValidationError)
      steps.append(Int32(trace.steps))
      fractions += trace.actionFractions(actionCount: k)
    }
    let e = trainer.episodesDone
    let summary = try root.createGroup("summary")
    try summary.write("reward", rewards, shape: [e])
    try summary.write("baseline", baselines, shape: [e])
    try summary.write("advantage", advantages, shape: [e])
    try summary.write("best_error", bests, shape: [e])
    try summary.write("steps", steps, shape: [e])
    try summary.write("action_fractions", fractions, shape: [e, k])
    return try writer.commit()
  }
}

/// Loads the controller of a controller-run artifact (the best episode's weights by default).
public func loadController(
  from artifact: ResolvedArtifact, task: AlternatingTask, best: Bool = true
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
  let config = try? JSONDecoder().decode(RegularizedExperimentConfig.self, from: Data(provenance.config.utf8))
  let dropped = Set(try root.readStrings("dropped_feature_groups"))
  var mask = Array(repeating: true, count: features.count)
  for group in task.featureGroups where dropped.contains(group.name) { for i in group.indices { mask[i] = false } }
  var rng = SeededRandom(seed: 0)
  let controller = Controller(
    featureCount: features.count, actionCount: task.actionNames.count, hidden: config?.controller.hidden ?? 16,
    temperature: config?.controller.temperature ?? 2, featureMask: mask, rng: &rng)
  do {
    try controller.load(try ParameterIO.read(from: try root.group(best ? "best_controller" : "controller")))
  } catch let error as EngineError {
    throw PipelineError("\(artifact.path): \(error.description)")
  }
  return (controller, config)
}
