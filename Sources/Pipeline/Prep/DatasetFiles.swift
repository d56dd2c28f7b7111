import Foundation
import Store

/// Where prepared datasets live and what they are called: `data/<name>.h5` (schema
/// `autoloss/dataset`, version 1, root attribute `dataset` = the name) and, for image sets,
/// `data/<name>-samples.png`.
public enum DatasetFiles {
  /// The schema of every prepared dataset file.
  public static let schema = "autoloss/dataset"
  /// The current layout version of prepared dataset files.
  public static let schemaVersion = 1
  /// The datasets `autoloss prep` knows (user corpora use `--name` instead).
  public static let registry = [
    "regression", "classification", "mnist", "fashion-mnist", "cifar10", "nmt-tr-en", "nmt-de-en",
  ]
  /// The registry datasets whose raw data `make data` provides (cifar10 needs `--from`).
  public static let fetchable = registry.filter { $0 != "cifar10" }

  /// The group names of the five synthetic partitions, in generation order.
  public static let syntheticSplits = [
    "controller_train", "controller_validation", "task_train", "task_validation", "test",
  ]
  /// The group names of the image and text splits.
  public static let splits = ["train", "validation", "test"]

  /// `dataDir/<name>.h5`.
  public static func path(name: String, dataDir: String = "data") -> String {
    (dataDir as NSString).appendingPathComponent(name + ".h5")
  }

  /// `dataDir/<name>-samples.png`.
  public static func samplesPath(name: String, dataDir: String = "data") -> String {
    (dataDir as NSString).appendingPathComponent(name + "-samples.png")
  }

  /// The file name stem of the classification data for `seed`: `classification` for seed 1
  /// (the paper's data), `classification-seed<N>` for the transfer datasets.
  public static func classificationName(seed: UInt64) -> String {
    seed == 1 ? "classification" : "classification-seed\(seed)"
  }

  /// Opens a prepared dataset after checking its schema and version; errors name the file.
  public static func open(_ path: String) throws -> HDF5File {
    try ArtifactReader.open(path, schema: schema, supportedVersions: schemaVersion...schemaVersion)
  }

  /// The commit of the git checkout in the current folder, or "unknown".
  public static func currentGitCommit() -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["git", "rev-parse", "HEAD"]
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    do {
      try process.run()
    } catch {
      return "unknown"
    }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    return process.terminationStatus == 0 && !text.isEmpty ? text : "unknown"
  }
}

/// A problem with the arguments of a prep or inspect run, or with a file they name.
/// The message names the file (when there is one), what was expected and what was found.
public struct PrepError: Error, CustomStringConvertible, LocalizedError, Sendable, Equatable {
  public let message: String

  public init(_ message: String) { self.message = message }

  /// "`path`: expected X, found Y".
  public static func unexpected(_ path: String, expected: String, found: String) -> PrepError {
    PrepError("\(path): expected \(expected), found \(found)")
  }

  public var description: String { message }
  public var errorDescription: String? { message }
}

/// Inputs of a prep run: raw files fingerprinted for the provenance `inputs` attribute.
enum PrepInputs {
  /// One raw file with its SHA-256 (version 0: raw files are not versioned artifacts).
  static func file(_ path: String) throws -> ResolvedArtifact {
    guard FileManager.default.fileExists(atPath: path) else {
      throw PrepError("\(path): file not found")
    }
    return try ResolvedArtifact.file(path)
  }

  /// A folder tree (e.g. a LibreOffice help language): one SHA-256 over the sorted relative paths
  /// and bytes of its files with the given suffix.
  static func tree(_ root: String, suffix: String) throws -> ResolvedArtifact {
    guard let walker = FileManager.default.enumerator(atPath: root) else {
      throw PrepError("\(root): folder not found")
    }
    var names: [String] = []
    while let name = walker.nextObject() as? String {
      if name.hasSuffix(suffix) { names.append(name) }
    }
    names.sort()
    var hash = SHA256()
    for name in names {
      hash.update(Array(name.utf8) + [0])
      guard let data = FileManager.default.contents(atPath: root + "/" + name) else {
        throw PrepError("\(root)/\(name): cannot read")
      }
      data.withUnsafeBytes { hash.update($0) }
    }
    return ResolvedArtifact(path: root, version: 0, sha256: hash.hexDigest())
  }
}

/// A small ordered key-value config, rendered as YAML (strings JSON-quoted).
struct PrepConfig {
  private(set) var entries: [(String, String)] = []

  mutating func set(_ key: String, _ value: String) { entries.append((key, Self.quote(value))) }
  mutating func set(_ key: String, _ value: Int) { entries.append((key, String(value))) }
  mutating func set(_ key: String, _ value: UInt64) { entries.append((key, String(value))) }
  mutating func set(_ key: String, _ value: Double) { entries.append((key, String(value))) }
  mutating func set(_ key: String, _ value: Bool) { entries.append((key, value ? "true" : "false")) }
  mutating func set(_ key: String, _ values: [String]) {
    entries.append((key, "[" + values.map(Self.quote).joined(separator: ", ") + "]"))
  }

  var yaml: String { entries.map { "\($0.0): \($0.1)\n" }.joined() }

  static func quote(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\t": out += "\\t"
      default:
        if scalar.value < 0x20 {
          out += String(format: "\\u%04x", scalar.value)
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    return out + "\""
  }
}
