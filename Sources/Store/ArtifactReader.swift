import Foundation

/// Opens artifacts after checking their `schema` and `schema_version` root attributes.
///
/// Every failure names the file, the expected schema and version range, and what was found,
/// e.g. `artifacts/x/v0001.h5: expected schema 'autoloss/controller-run' version 1, found schema
/// 'autoloss/scorer' version 2`.
public enum ArtifactReader {
  /// Opens `path` read-only; throws unless it is an HDF5 file whose `schema` equals `schema`
  /// and whose `schema_version` is in `supportedVersions`.
  public static func open(
    _ path: String, schema: String, supportedVersions: ClosedRange<Int>
  ) throws -> HDF5File {
    let expected = "expected schema '\(schema)' version \(describe(supportedVersions))"
    let file: HDF5File
    do {
      file = try HDF5File.open(path)
    } catch let error as StoreError {
      throw StoreError(error.kind, path: path, "\(error.message); \(expected)")
    }
    let root = file.root
    guard root.hasAttribute("schema") else {
      throw StoreError(
        .schemaMismatch, path: path, "\(expected), found no 'schema' attribute (not an autoloss artifact?)")
    }
    let foundSchema: String
    do {
      foundSchema = try root.attributeString("schema")
    } catch let error as StoreError {
      throw StoreError(
        .schemaMismatch, path: path, "\(expected), found an unreadable 'schema' attribute: \(error.message)")
    }
    var foundVersion: Int?
    var versionProblem = "no 'schema_version'"
    if root.hasAttribute("schema_version") {
      do {
        foundVersion = try Provenance.readInteger(root, "schema_version")
      } catch let error as StoreError {
        versionProblem = "an unreadable 'schema_version' (\(error.message))"
      }
    }
    guard foundSchema == schema, let version = foundVersion, supportedVersions.contains(version) else {
      let versionText = foundVersion.map { "version \($0)" } ?? versionProblem
      throw StoreError(.schemaMismatch, path: path, "\(expected), found schema '\(foundSchema)' \(versionText)")
    }
    return file
  }

  /// Opens a resolved artifact (see `open(_:schema:supportedVersions:)`).
  public static func open(
    _ artifact: ResolvedArtifact, schema: String, supportedVersions: ClosedRange<Int>
  ) throws -> HDF5File {
    try open(artifact.path, schema: schema, supportedVersions: supportedVersions)
  }

  /// Reads the provenance attributes of an artifact.
  public static func provenance(of path: String) throws -> Provenance {
    try Provenance.read(from: HDF5File.open(path).root)
  }

  static func describe(_ range: ClosedRange<Int>) -> String {
    range.lowerBound == range.upperBound ? "\(range.lowerBound)" : "\(range.lowerBound)...\(range.upperBound)"
  }
}
