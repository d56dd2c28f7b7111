import Foundation

/// An error from the Store layer: HDF5 files, artifacts and PNG output.
///
/// `description` always names the file and, where there is one, the object path inside it,
/// followed by what was expected and what was found, e.g.
/// `/tmp/run.h5 [/episodes/0007/actions]: expected dtype float32, found int32`.
public struct StoreError: Error, CustomStringConvertible, LocalizedError, Sendable, Equatable {
  /// The broad category of a failure, for callers that want to branch on it.
  public enum Kind: String, Sendable, Equatable {
    case fileNotFound, notHDF5, objectNotFound, alreadyExists, typeMismatch, shapeMismatch
    case invalidArgument, schemaMismatch, closed, library, io, png
    /// Another process holds the lock of the folder being written (see `FolderLock`).
    case locked
  }

  public let kind: Kind
  /// The file the failure concerns.
  public let path: String
  /// The object path inside the file (e.g. `/episodes/0007/actions`), if any.
  public let object: String?
  /// What was expected and what was found.
  public let message: String

  public init(_ kind: Kind, path: String, object: String? = nil, _ message: String) {
    self.kind = kind
    self.path = path
    self.object = object
    self.message = message
  }

  public var description: String {
    if let object { return "\(path) [\(object)]: \(message)" }
    return "\(path): \(message)"
  }

  public var errorDescription: String? { description }
}
