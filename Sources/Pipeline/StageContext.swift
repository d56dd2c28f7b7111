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
  /// Print progress lines.
  public var showProgress: Bool

  public init(
    artifactRoot: String = "artifacts", dataRoot: String = "data", profile: String = "quick",
    configRoot: String = "configs", workers: Int = 2, showProgress: Bool = true
  ) {
    self.artifactRoot = artifactRoot
    self.dataRoot = dataRoot
    self.profile = profile
    self.configRoot = configRoot
    self.workers = workers
    self.showProgress = showProgress
  }

  /// The versioned artifact store.
  public var store: ArtifactStore { ArtifactStore(root: artifactRoot) }

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
