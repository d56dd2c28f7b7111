import AutoLoss
import Foundation
import Store

/// The resumable part of a controller-training stage: after every finished update, its episodes
/// and the trainer snapshot go to `<work>/update-NNNNNN.h5`; a rerun with the same identity
/// restores the last one and continues exactly where the killed run stopped. Only the coordinator
/// writes; the snapshot reaches every participant through the executor's broadcast.
struct ControllerTrainingWork {
  let trainer: ControllerTrainer
  let directory: String
  let context: StageContext
  let seed: UInt64

  var isCoordinator: Bool { trainer.executor.isCoordinator }

  static func updateFileName(_ update: Int) -> String {
    let s = String(update)
    return "update-" + String(repeating: "0", count: max(0, 6 - s.count)) + s + ".h5"
  }

  /// The finished update files, in order.
  func updateFiles() throws -> [String] {
    try FileManagerShim.list(directory).filter { $0.hasPrefix("update-") && $0.hasSuffix(".h5") }.sorted()
      .map { directory + "/" + $0 }
  }

  /// Restores from the last finished update of an identical earlier run (else starts a fresh work
  /// directory); returns the episodes already done.
  func prepare(identity: String) throws -> Int {
    var snapshot: ControllerTrainerSnapshot?
    if isCoordinator {
      if try openWorkFolder(directory, identity: identity), let last = try updateFiles().last {
        let file = try HDF5File.open(last)
        defer { file.close() }
        snapshot = try SnapshotIO.read(from: try file.root.group("snapshot"))
      }
    }
    if let restored = try trainer.executor.broadcast(Optional(snapshot)) {
      do {
        try trainer.restore(restored)
      } catch {
        throw PipelineError("\(directory): cannot resume controller training: \(error)")
      }
    }
    return trainer.episodesDone
  }

  /// Saves a finished update: every episode (attributes of the trainer, then `writeEpisode`'s task
  /// payload) and the snapshot.
  func save(_ update: ControllerUpdate, writeEpisode: (EpisodeResult, HDF5Group) throws -> Void) throws {
    guard isCoordinator else { return }
    let writer = try ArtifactWriter(
      path: directory + "/" + Self.updateFileName(update.index),
      provenance: context.provenance(schema: "autoloss/controller-update", config: "", seed: seed, inputs: []),
      overwrite: true)
    let episodes = try writer.root.createGroup("episodes")
    for (j, e) in update.episodes.enumerated() {
      let group = try episodes.createGroup(TraceIO.episodeName(e.index))
      try writeEpisode(e, group)
      try group.setAttribute("reward", Double(e.reward))
      try group.setAttribute("baseline", Double(update.baselines[j]))
      try group.setAttribute("advantage", Double(update.advantages[j]))
      try group.setAttribute("new_best", Int32(update.newBest[j] ? 1 : 0))
      try group.setAttribute("failed", Int32(e.failed ? 1 : 0))
      try group.setAttribute("index", Int64(e.index))
      try group.setAttribute("update", Int64(update.index))
      try group.setAttribute("episode_seed", Int64(bitPattern: e.seed))
      try group.setAttribute("seconds", e.seconds)
    }
    try writer.root.setAttribute("reinitialized", Int32(update.reinitialized ? 1 : 0))
    try writer.root.setAttribute("update", Int64(update.index))
    try SnapshotIO.write(trainer.snapshot(), to: try writer.root.createGroup("snapshot"))
    try writer.commit()
  }

  /// Calls `body` with every saved episode group in episode order, and once per update file with
  /// its update attributes.
  func forEachSaved(
    episode body: (HDF5Group) throws -> Void, update: (_ index: Int, _ reinitialized: Bool) throws -> Void
  ) throws {
    for path in try updateFiles() {
      let file = try HDF5File.open(path)
      defer { file.close() }
      let episodes = try file.root.group("episodes")
      for name in try episodes.list().sorted() { try body(try episodes.group(name)) }
      try update(
        Int(try file.root.attribute("update", as: Int64.self)),
        try file.root.attribute("reinitialized", as: Int32.self) == 1)
    }
  }

  /// Writes the trainer's controllers: `/controller` (final), `/evaluated_controller` (root attribute
  /// `evaluated`), `/untrained_controller`, `/best_controller`, and the training facts.
  func writeControllers(to root: HDF5Group) throws {
    try ParameterIO.write(trainer.controller.stateDict(), to: try root.createGroup("controller"))
    try ParameterIO.write(trainer.evaluatedWeights(), to: try root.createGroup("evaluated_controller"))
    try ParameterIO.write(trainer.untrainedWeights, to: try root.createGroup("untrained_controller"))
    try ParameterIO.write(trainer.bestWeights, to: try root.createGroup("best_controller"))
    try root.setAttribute("evaluated", trainer.config.evaluated.rawValue)
    try root.setAttribute("algorithm", trainer.config.algorithm.rawValue)
    try root.setAttribute("controller_hidden", Int64(trainer.config.hidden))
    try root.setAttribute("controller_temperature", Double(trainer.config.temperature))
    try InputStandardizationIO.write(trainer.shape.standardization, to: root)
    try root.setAttribute("controller_seed", Int64(bitPattern: trainer.seed))
    try root.setAttribute("episodes", Int64(trainer.episodesDone))
    try root.setAttribute("updates", Int64(trainer.updatesDone))
    try root.setAttribute("best_episode", Int64(trainer.bestEpisode))
    try root.setAttribute("reinitializations", Int64(trainer.reinitializations))
    try root.setAttribute("failed_episodes", Int64(trainer.failedEpisodes))
    try root.setAttribute("stop_reason", patienceStopped ? "patience" : "episode budget")
  }

  var patienceStopped: Bool {
    trainer.config.patienceEpisodes > 0 && trainer.episodesSinceBest >= trainer.config.patienceEpisodes
  }
}

/// The trainer seed of controller `k` (1-based) of an experiment seeded with `seed`: controller 1
/// uses the experiment seed itself.
public func controllerTrainerSeed(experimentSeed seed: UInt64, controller k: Int) -> UInt64 {
  seed &+ UInt64(max(k - 1, 0))
}

/// The artifact names of the `seeds` controllers of `name`: `name` itself for one controller,
/// `name-c1 … name-cN` for several.
public func controllerArtifactNames(_ name: String, seeds: Int) -> [String] {
  seeds <= 1 ? [name] : (1...seeds).map { "\(name)-c\($0)" }
}

/// The trained controllers of `name` in `store`: its `-cK` artifacts in order of K when there are
/// any, else `name` itself when it exists.
public func trainedControllerNames(_ name: String, store: ArtifactStore) throws -> [String] {
  let folder = (store.directory(stage: "controllers", name: name) as NSString).deletingLastPathComponent
  let prefix = name + "-c"
  let numbered = try FileManagerShim.list(folder).compactMap { entry -> (Int, String)? in
    guard entry.hasPrefix(prefix), let k = Int(entry.dropFirst(prefix.count)), k >= 1,
      store.latestVersion(stage: "controllers", name: entry) != nil
    else { return nil }
    return (k, entry)
  }
  if !numbered.isEmpty { return numbered.sorted { $0.0 < $1.0 }.map(\.1) }
  return store.latestVersion(stage: "controllers", name: name) != nil ? [name] : []
}
