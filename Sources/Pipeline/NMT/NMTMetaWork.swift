import AutoLoss
import Foundation
import Store

/// One controller's meta-episode as a job returns it: the training run and the PPO trainer after it.
struct NMTMetaStep: Codable, Sendable {
  var run: NMTRunResult
  var trainer: PPOTrainerSnapshot
}

/// The meta-training after `episodesDone` meta-episodes of every controller.
struct NMTMetaProgress: Codable, Sendable {
  var episodesDone = 0
  /// Per controller: its runs so far, one per meta-episode.
  var runs: [[NMTRunResult]]
  /// Per controller: the PPO trainer after its last finished meta-episode (empty before the first).
  var trainers: [PPOTrainerSnapshot] = []

  init(controllers: Int) { runs = Array(repeating: [], count: controllers) }

  /// Adds the steps of meta-episode `episodesDone` (one per controller).
  mutating func append(_ steps: [NMTMetaStep]) {
    for (i, s) in steps.enumerated() { runs[i].append(s.run) }
    trainers = steps.map(\.trainer)
    episodesDone += 1
  }
}

/// The resumable part of the NMT meta-training: after every meta-episode, each controller's run and
/// PPO trainer go to `<work>/meta-NNNN.h5` (string dataset `state`: Codable JSON, floats as bit
/// patterns), written atomically by the coordinator; a rerun with the same identity restores them
/// and continues with the next meta-episode exactly as the uninterrupted run would.
struct NMTMetaWork {
  let directory: String
  let context: StageContext
  let controllers: Int

  var isCoordinator: Bool { context.executor.isCoordinator }

  static func fileName(_ episode: Int) -> String {
    let s = String(episode)
    return "meta-" + String(repeating: "0", count: max(0, 4 - s.count)) + s + ".h5"
  }

  /// Restores the meta-episodes of an identical earlier run (else starts a fresh work folder), on
  /// every rank (the coordinator reads, the executor broadcasts).
  func prepare(identity: String) throws -> NMTMetaProgress {
    var restored: NMTMetaProgress?
    if isCoordinator {
      if try openWorkFolder(directory, identity: identity) { restored = try load() }
    }
    return try context.executor.broadcast(Optional(restored)) ?? NMTMetaProgress(controllers: controllers)
  }

  /// The saved meta-episodes, in order (a gap ends them: later files are ignored).
  func load() throws -> NMTMetaProgress {
    var progress = NMTMetaProgress(controllers: controllers)
    while FileManagerShim.exists(directory + "/" + Self.fileName(progress.episodesDone)) {
      let path = directory + "/" + Self.fileName(progress.episodesDone)
      let file = try HDF5File.open(path)
      defer { file.close() }
      guard let text = try file.root.readStrings("state").first else {
        throw PipelineError("\(path): empty 'state' dataset (expected the meta-episode's runs and trainers)")
      }
      let steps: [NMTMetaStep]
      do {
        steps = try JSONDecoder().decode([NMTMetaStep].self, from: Data(text.utf8))
      } catch {
        throw PipelineError("\(path): 'state' is not an NMT meta-episode snapshot: \(error)")
      }
      guard steps.count == controllers else {
        throw PipelineError("\(path): expected \(controllers) controllers, found \(steps.count)")
      }
      progress.append(steps)
    }
    return progress
  }

  /// Saves meta-episode `episode` (coordinator only; an atomic write).
  func save(episode: Int, steps: [NMTMetaStep], seed: UInt64) throws {
    guard isCoordinator else { return }
    let data: Data
    do {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.sortedKeys]
      data = try encoder.encode(steps)
    } catch {
      throw PipelineError("cannot encode the NMT meta-episode snapshot: \(error)")
    }
    let writer = try ArtifactWriter(
      path: directory + "/" + Self.fileName(episode),
      provenance: context.provenance(schema: "autoloss/nmt-meta-episode", config: "", seed: seed, inputs: []),
      overwrite: true)
    try writer.root.writeStrings("state", [String(decoding: data, as: UTF8.self)])
    try writer.root.setAttribute("episode", Int64(episode))
    try writer.commit()
  }
}

/// Meta-training stopped on purpose after a saved meta-episode (tests of the resume).
struct NMTMetaTrainingStopped: Error, CustomStringConvertible {
  var episodesDone: Int
  var description: String { "nmt autoloss: stopped after meta-episode \(episodesDone) (snapshot saved)" }
}
