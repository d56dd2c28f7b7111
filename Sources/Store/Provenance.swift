import Foundation

/// One upstream (or just written) artifact: where it is, which version, and its SHA-256.
/// `version` is 0 for a file that is not under an `ArtifactStore` (e.g. `data/mnist.h5`).
public struct ResolvedArtifact: Sendable, Equatable, Hashable, Codable {
  public let path: String
  public let version: Int
  public let sha256: String

  public init(path: String, version: Int, sha256: String) {
    self.path = path
    self.version = version
    self.sha256 = sha256
  }

  /// Fingerprints an arbitrary file; the version is parsed from a `vNNNN.h5` name, else 0.
  public static func file(_ path: String) throws -> ResolvedArtifact {
    guard FileSystem.exists(path) else {
      throw StoreError(.fileNotFound, path: path, "no such file (expected an input artifact)")
    }
    let name = (path as NSString).lastPathComponent
    return ResolvedArtifact(
      path: path, version: ArtifactStore.version(fromFileName: name) ?? 0,
      sha256: try SHA256.hex(ofFile: path))
  }
}

/// What produced an artifact. Written as root attributes of every artifact:
/// `schema`, `schema_version` (int64), `created_at` (ISO 8601 UTC), `tool_version`, `git_commit`,
/// `config` (text), `seed` (int64) and `inputs` (JSON: `[{"path":…,"sha256":…,"version":…}]`).
public struct Provenance: Sendable, Equatable {
  /// The artifact kind, e.g. `autoloss/controller-run`.
  public var schema: String
  public var schemaVersion: Int
  /// ISO 8601 UTC, e.g. `2026-11-29T12:34:56Z`.
  public var createdAt: String
  public var toolVersion: String
  public var gitCommit: String
  /// The full resolved configuration (YAML or JSON text).
  public var config: String
  public var seed: Int64
  public var inputs: [ResolvedArtifact]

  public init(
    schema: String, schemaVersion: Int, toolVersion: String = "unknown",
    gitCommit: String = "unknown", config: String = "", seed: Int64 = 0,
    inputs: [ResolvedArtifact] = [], createdAt: Date = Date()
  ) {
    self.schema = schema
    self.schemaVersion = schemaVersion
    self.createdAt = Provenance.iso8601(createdAt)
    self.toolVersion = toolVersion
    self.gitCommit = gitCommit
    self.config = config
    self.seed = seed
    self.inputs = inputs
  }

  /// Formats a date as ISO 8601 UTC with whole seconds.
  public static func iso8601(_ date: Date) -> String {
    let formatter = ISO8601DateFormatter()
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.formatOptions = [.withInternetDateTime]
    return formatter.string(from: date)
  }

  /// `inputs` as compact JSON with sorted keys.
  public func inputsJSON() throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    do {
      return String(decoding: try encoder.encode(inputs), as: UTF8.self)
    } catch {
      throw StoreError(.invalidArgument, path: "provenance inputs", "cannot encode as JSON: \(error)")
    }
  }

  /// Writes the provenance attributes on `group` (normally a file's root group).
  public func write(to group: HDF5Group) throws {
    try group.setAttribute("schema", schema)
    try group.setAttribute("schema_version", Int64(schemaVersion))
    try group.setAttribute("created_at", createdAt)
    try group.setAttribute("tool_version", toolVersion)
    try group.setAttribute("git_commit", gitCommit)
    try group.setAttribute("config", config)
    try group.setAttribute("seed", seed)
    try group.setAttribute("inputs", try inputsJSON())
  }

  /// Reads provenance attributes back from `group` (normally a file's root group).
  public static func read(from group: HDF5Group) throws -> Provenance {
    var provenance = Provenance(
      schema: try group.attributeString("schema"),
      schemaVersion: try readInteger(group, "schema_version"),
      toolVersion: try group.attributeString("tool_version"),
      gitCommit: try group.attributeString("git_commit"),
      config: try group.attributeString("config"),
      seed: Int64(try readInteger(group, "seed")))
    provenance.createdAt = try group.attributeString("created_at")
    let json = try group.attributeString("inputs")
    do {
      provenance.inputs = try JSONDecoder().decode([ResolvedArtifact].self, from: Data(json.utf8))
    } catch {
      throw StoreError(
        .typeMismatch, path: group.file.path, object: "\(group.path) @inputs",
        "expected a JSON list of {path, version, sha256}, found \(json.prefix(80))")
    }
    return provenance
  }

  /// Reads an integer attribute stored as int64, int32 or uint8.
  static func readInteger(_ group: HDF5Group, _ name: String) throws -> Int {
    switch try group.attributeDtypeName(name) {
    case "int32": return Int(try group.attribute(name, as: Int32.self))
    case "uint8": return Int(try group.attribute(name, as: UInt8.self))
    default: return Int(try group.attribute(name, as: Int64.self))
    }
  }
}
