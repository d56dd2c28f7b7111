import AutoLoss
import Foundation
import Store

/// Where a stage reads and writes, and what it records about the code that ran.
public struct StageContext: Sendable {
  /// The folder of versioned artifacts (`artifacts/`).
  public var artifactRoot: String
  /// The folder of prepared datasets (`data/`).
  public var dataRoot: String
  /// The profile name (`smoke`, `quick`, `paper`).
  public var profile: String
  /// The folder of profile configs (`configs/`).
  public var configRoot: String
  /// Independent runs executed side by side.
  public var workers: Int
  /// Print progress lines (only ever on the coordinator).
  public var showProgress: Bool
  /// Runs the stage's independent jobs: `LocalExecutor(slots: workers)` in one process, the MPI
  /// executor under `mpirun`/`srun` (built once by the command-line tool).
  public var executor: any JobExecutor
  /// Where this process writes artifacts: `artifactRoot` on the coordinator; on the other ranks of
  /// an MPI job a private mirror (``RankArtifacts``), so that rank 0 alone writes artifacts.
  public var writableArtifactRoot: String

  /// - Parameter executor: defaults to `LocalExecutor(slots: workers)`. On a rank other than 0 the
  ///   context prints no progress and writes into a private mirror of `artifactRoot`.
  public init(
    artifactRoot: String = "artifacts", dataRoot: String = "data", profile: String = "quick",
    configRoot: String = "configs", workers: Int = 2, showProgress: Bool = true, executor: (any JobExecutor)? = nil
  ) {
    let executor = executor ?? LocalExecutor(slots: workers)
    self.artifactRoot = artifactRoot
    self.dataRoot = dataRoot
    self.profile = profile
    self.configRoot = configRoot
    self.workers = workers
    self.executor = executor
    self.showProgress = showProgress && executor.isCoordinator
    if executor.isCoordinator {
      writableArtifactRoot = artifactRoot
    } else {
      setLogRank(executor.rank)
      writableArtifactRoot = RankArtifacts.mirror(of: artifactRoot, rank: executor.rank)
    }
  }

  /// The versioned artifact store (rank 0 of an MPI job writes the real one; see
  /// ``writableArtifactRoot``).
  public var store: ArtifactStore { ArtifactStore(root: writableArtifactRoot) }

  /// Runs `write` on rank 0 and returns the artifact it committed on every rank (a collective
  /// call: every rank must reach it). When `write` fails on rank 0, every rank throws, none hangs.
  /// The other ranks can read the artifact once this returns (a shared file system on a cluster).
  public func committedOnEveryRank(_ write: () throws -> ResolvedArtifact) throws -> ResolvedArtifact {
    guard executor.size > 1 else { return try write() }
    guard executor.isCoordinator else {
      let shared = try executor.broadcast(SharedArtifact?.none)
      return ResolvedArtifact(path: shared.path, version: shared.version, sha256: shared.sha256)
    }
    let artifact: ResolvedArtifact
    do {
      artifact = try write()
    } catch {
      // Tell the other ranks that the write failed (they wait for it); if even that fails, say so,
      // but report the write's own error, which is the cause.
      do {
        _ = try executor.broadcast(SharedArtifact?.none)
      } catch let broadcastError {
        FileHandle.standardError.write(
          Data("warning: could not tell the other ranks that the write failed: \(broadcastError)\n".utf8))
      }
      throw error
    }
    _ = try executor.broadcast(
      SharedArtifact(path: artifact.path, version: artifact.version, sha256: artifact.sha256))
    return artifact
  }

  /// Runs `body` on every item through ``executor`` (across MPI ranks and their threads) and
  /// returns the results in item order on every rank. Each call must be independent and depend
  /// only on its item (its own task model and random stream).
  public func map<T: Sendable, R: Codable & Sendable>(_ items: [T], _ body: @escaping @Sendable (T) throws -> R)
    throws -> [R]
  {
    try executor.map(count: items.count) { job, _ in try body(items[job]) }
  }

  /// The version of this tool.
  public static let toolVersion = "autoloss-swift 0.1.0"

  /// The git commit of the working tree, or "unknown" outside a git checkout.
  public static let gitCommit: String = {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["git", "rev-parse", "--short=12", "HEAD"]
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    do {
      try process.run()
      process.waitUntilExit()
      guard process.terminationStatus == 0 else { return "unknown" }
      let data = pipe.fileHandleForReading.readDataToEndOfFile()
      let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
      return text.isEmpty ? "unknown" : text
    } catch {
      return "unknown"
    }
  }()

  /// Provenance for a new artifact.
  public func provenance(
    schema: String, version: Int = 1, config: String, seed: UInt64, inputs: [ResolvedArtifact]
  ) -> Provenance {
    Provenance(
      schema: schema, schemaVersion: version, toolVersion: Self.toolVersion, gitCommit: Self.gitCommit,
      config: config, seed: Int64(bitPattern: seed), inputs: inputs)
  }
}

/// A committed artifact as rank 0 tells the other ranks.
private struct SharedArtifact: Codable, Sendable {
  var path: String
  var version: Int
  var sha256: String
}
