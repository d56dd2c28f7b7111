import Foundation

/// Versioned artifact paths: `root/<stage>/<name>/v0001.h5`, `v0002.h5`, ... plus a `latest`
/// text file in the same folder naming the newest committed version (`v0002.h5`).
///
/// Versions are never overwritten; write new ones with `writer(stage:name:provenance:)`.
public struct ArtifactStore: Sendable {
  /// The artifacts folder, e.g. `artifacts`.
  public let root: String
  /// How long a writer waits for another process's lock on an artifact folder (`FolderLock`);
  /// nil: `AUTOLOSS_LOCK_TIMEOUT` seconds, else 30 s.
  public var lockTimeout: TimeInterval?

  public init(root: String, lockTimeout: TimeInterval? = nil) {
    self.root = root
    self.lockTimeout = lockTimeout
  }
  public init(root: URL) { self.root = root.path }

  /// The name of the pointer file in each artifact folder.
  public static let latestFileName = "latest"

  /// `v0001.h5` for 1 (at least four digits).
  public static func fileName(version: Int) -> String {
    let digits = String(version)
    return "v" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits + ".h5"
  }

  /// The version number in a `vNNNN.h5` file name, if it is one.
  public static func version(fromFileName name: String) -> Int? {
    guard name.hasPrefix("v"), name.hasSuffix(".h5") else { return nil }
    let digits = name.dropFirst().dropLast(3)
    guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber),
      let version = Int(digits), version > 0
    else { return nil }
    return version
  }

  /// The folder of one artifact: `root/<stage>/<name>`.
  public func directory(stage: String, name: String) -> String {
    ((root as NSString).appendingPathComponent(stage) as NSString).appendingPathComponent(name)
  }

  /// The path of one version: `root/<stage>/<name>/v0003.h5` (whether or not it exists).
  public func path(stage: String, name: String, version: Int) -> String {
    (directory(stage: stage, name: name) as NSString)
      .appendingPathComponent(Self.fileName(version: version))
  }

  /// The committed versions on disk, ascending (none if the folder does not exist); throws if the
  /// folder exists but cannot be listed.
  public func versions(stage: String, name: String) throws -> [Int] {
    try FileSystem.list(directory(stage: stage, name: name)).compactMap(Self.version(fromFileName:)).sorted()
  }

  /// The version named by `latest` if that file exists, else the highest version on disk; throws
  /// if the folder cannot be listed.
  public func latestCommittedVersion(stage: String, name: String) throws -> Int? {
    if let pointed = pointerVersion(stage: stage, name: name),
      FileSystem.exists(path(stage: stage, name: name, version: pointed))
    {
      return pointed
    }
    return try versions(stage: stage, name: name).last
  }

  /// The version named by `latest` if that file exists, else the highest version on disk. Nil when
  /// there is none, and also when the folder cannot be listed (`resolve` and
  /// `latestCommittedVersion` report that error instead).
  public func latestVersion(stage: String, name: String) -> Int? {
    do {
      return try latestCommittedVersion(stage: stage, name: name)
    } catch {
      return nil
    }
  }

  /// The version file a user means by `path`: an artifact folder (`artifacts/controllers/gan-mnist`)
  /// or its `latest` pointer file both mean the latest committed version in that folder; any other
  /// path is returned unchanged. Nil when a folder or pointer names no existing version.
  public static func versionFile(for path: String) -> String? {
    var isDirectory: ObjCBool = false
    let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
    let folder: String
    if exists && isDirectory.boolValue {
      folder = path
    } else if (path as NSString).lastPathComponent == latestFileName {
      folder = (path as NSString).deletingLastPathComponent
    } else {
      return path
    }
    let stageFolder = (folder as NSString).deletingLastPathComponent
    let store = ArtifactStore(root: (stageFolder as NSString).deletingLastPathComponent)
    let (stage, name) = ((stageFolder as NSString).lastPathComponent, (folder as NSString).lastPathComponent)
    return store.latestVersion(stage: stage, name: name).map { store.path(stage: stage, name: name, version: $0) }
  }

  /// The next free version: one past the highest version on disk or in `latest` (1 if none).
  public func nextVersion(stage: String, name: String) throws -> Int {
    max(try versions(stage: stage, name: name).last ?? 0, pointerVersion(stage: stage, name: name) ?? 0) + 1
  }

  /// Finds a committed version (the latest if `version` is nil) and hashes it.
  public func resolve(stage: String, name: String, version: Int? = nil) throws -> ResolvedArtifact {
    try Self.validate(stage: stage, name: name)
    let folder = directory(stage: stage, name: name)
    guard let chosen = try version ?? latestCommittedVersion(stage: stage, name: name) else {
      throw StoreError(
        .fileNotFound, path: folder,
        "no committed versions of artifact \(stage)/\(name) (expected \(Self.fileName(version: 1)) or later)")
    }
    let file = path(stage: stage, name: name, version: chosen)
    guard FileSystem.exists(file) else {
      let found = try versions(stage: stage, name: name).map(Self.fileName(version:))
      throw StoreError(
        .fileNotFound, path: file,
        "no such artifact version (found: \(found.isEmpty ? "none" : found.joined(separator: ", ")))")
    }
    return ResolvedArtifact(path: file, version: chosen, sha256: try SHA256.hex(ofFile: file))
  }

  /// Starts writing the next version of `stage/name`; commit it with `ArtifactWriter.commit()`.
  public func writer(stage: String, name: String, provenance: Provenance) throws -> ArtifactWriter {
    try ArtifactWriter(store: self, stage: stage, name: name, provenance: provenance)
  }

  /// Points `latest` at `version` unless it already points at a newer one.
  func updateLatest(stage: String, name: String, version: Int) throws {
    if let current = pointerVersion(stage: stage, name: name), current > version,
      FileSystem.exists(path(stage: stage, name: name, version: current))
    {
      return
    }
    let pointer = (directory(stage: stage, name: name) as NSString).appendingPathComponent(Self.latestFileName)
    try FileSystem.writeAtomically(Self.fileName(version: version) + "\n", to: pointer)
  }

  /// The version written in the `latest` file, if any.
  func pointerVersion(stage: String, name: String) -> Int? {
    let pointer = (directory(stage: stage, name: name) as NSString).appendingPathComponent(Self.latestFileName)
    guard let data = FileManager.default.contents(atPath: pointer) else { return nil }
    let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    return Self.version(fromFileName: text)
  }

  static func validate(stage: String, name: String) throws {
    for (label, value) in [("stage", stage), ("name", name)] {
      guard !value.isEmpty, value != ".", value != "..", !value.contains("/"), !value.hasPrefix(".") else {
        throw StoreError(
          .invalidArgument, path: value, "invalid artifact \(label) '\(value)' (expected a plain folder name)")
      }
    }
  }
}
