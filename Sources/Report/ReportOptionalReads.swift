import Foundation
import Store

/// Reads of the optional parts of an artifact (attributes or datasets older or smaller runs may
/// not have). Presence is checked explicitly: an absent part returns nil and is listed in the
/// report's "Skipped inputs" as "missing: <what>" (so a value shown as n/a or left out has a stated
/// reason); a part that is present but cannot be read throws, and the caller's artifact is then
/// listed as skipped with the error.
extension ReportInputs {
  /// Notes that `what` (an attribute or dataset of `group`) is absent.
  public func noteMissing(_ group: HDF5Group, _ what: String) {
    // Keyed by file and part name, so a part absent in every episode group is listed once.
    skip("\(group.file.path) (\(what))", because: "missing: \(what) (first seen in \(group.path))")
  }

  /// Attribute `name` of `group`, or nil (noted as missing) when absent.
  public func optionalAttribute<T: HDF5Element>(_ group: HDF5Group, _ name: String, as type: T.Type) throws -> T? {
    guard group.hasAttribute(name) else {
      noteMissing(group, "attribute \(name)")
      return nil
    }
    return try group.attribute(name, as: type)
  }

  /// String attribute `name` of `group`, or nil (noted as missing) when absent.
  public func optionalString(_ group: HDF5Group, _ name: String) throws -> String? {
    guard group.hasAttribute(name) else {
      noteMissing(group, "attribute \(name)")
      return nil
    }
    return try group.attributeString(name)
  }

  /// Dataset `name` of `group`, or nil (noted as missing) when absent.
  public func optionalValues<T: HDF5Element>(_ group: HDF5Group, _ name: String, as type: T.Type) throws -> [T]? {
    guard group.isDataset(name) else {
      noteMissing(group, "dataset \(name)")
      return nil
    }
    return try group.read(name, as: type).values
  }

  /// String dataset `name` of `group`, or nil (noted as missing) when absent.
  public func optionalStrings(_ group: HDF5Group, _ name: String) throws -> [String]? {
    guard group.isDataset(name) else {
      noteMissing(group, "dataset \(name)")
      return nil
    }
    return try group.readStrings(name)
  }

  /// Group `name` of `group`, or nil (noted as missing) when absent.
  public func optionalGroup(_ group: HDF5Group, _ name: String) throws -> HDF5Group? {
    guard group.isGroup(name) else {
      noteMissing(group, "group \(name)")
      return nil
    }
    return try group.group(name)
  }
}

extension ReportInputs {
  /// `open(_:schema:)` for a section that can go on without this artifact: nil when it cannot be
  /// opened, in which case `open` has already listed it in "Skipped inputs" with the error.
  public func openIfReadable(_ artifact: ResolvedArtifact, schema: String) -> HDF5File? {
    do {
      return try open(artifact, schema: schema)
    } catch {
      return nil  // recorded by `open` (skip list), shown in the report
    }
  }
}
