import Foundation

/// Writes one artifact atomically.
///
/// The HDF5 file is created as a hidden temporary (`.tmp-…`) in the final folder, with the
/// provenance attributes already on its root group. `commit()` closes it, fsyncs it, moves it to
/// its final name without ever replacing an existing file, fsyncs the folder and (for versioned
/// artifacts) updates `latest`. A writer that is discarded or deinitialized without a commit
/// removes its temporary file, so a failed stage leaves nothing under a final name.
///
/// ```swift
/// let writer = try store.writer(stage: "controllers", name: "gan-mnist", provenance: provenance)
/// try writer.root.write("summary/reward", rewards, shape: [rewards.count])
/// let artifact = try writer.commit()   // artifacts/controllers/gan-mnist/v0003.h5
/// ```
public final class ArtifactWriter {
  enum Destination {
    case versioned(ArtifactStore, stage: String, name: String)
    case plain(String, overwrite: Bool)
  }

  /// The open temporary file; write datasets and attributes through `root`.
  public let file: HDF5File
  /// The temporary path being written.
  public let temporaryPath: String
  /// The planned version (the committed one may be higher if another writer got there first);
  /// 0 for an unversioned writer.
  public let version: Int
  /// The provenance written on the root group.
  public let provenance: Provenance
  /// Whether `commit()` succeeded.
  public private(set) var isCommitted = false
  private var isFinished = false
  private let destination: Destination
  private let directory: String

  /// The root group of the artifact being written.
  public var root: HDF5Group { file.root }

  /// A writer for the next version of `stage/name` in `store`.
  public convenience init(
    store: ArtifactStore, stage: String, name: String, provenance: Provenance
  ) throws {
    try ArtifactStore.validate(stage: stage, name: name)
    try self.init(
      destination: .versioned(store, stage: stage, name: name),
      directory: store.directory(stage: stage, name: name),
      version: store.nextVersion(stage: stage, name: name), baseName: name, provenance: provenance)
  }

  /// A writer for a plain (unversioned) file such as `data/mnist.h5`. Without `overwrite`,
  /// committing fails if the file exists; with it, the file is replaced atomically.
  public convenience init(path: String, provenance: Provenance, overwrite: Bool = false) throws {
    let directory = (path as NSString).deletingLastPathComponent
    try self.init(
      destination: .plain(path, overwrite: overwrite), directory: directory.isEmpty ? "." : directory,
      version: 0, baseName: (path as NSString).lastPathComponent, provenance: provenance)
  }

  private init(
    destination: Destination, directory: String, version: Int, baseName: String, provenance: Provenance
  ) throws {
    try FileSystem.createDirectory(directory)
    let temp = (directory as NSString).appendingPathComponent(".tmp-\(baseName)-\(FileSystem.uniqueSuffix()).h5")
    let file = try HDF5File.create(temp)
    do {
      try provenance.write(to: file.root)
    } catch {
      file.close()
      FileSystem.remove(temp)
      throw error
    }
    self.file = file
    self.temporaryPath = temp
    self.version = version
    self.provenance = provenance
    self.destination = destination
    self.directory = directory
  }

  deinit {
    if !isFinished { discard() }
  }

  /// Closes the file and moves it to its final name; returns its path, version and SHA-256.
  @discardableResult
  public func commit() throws -> ResolvedArtifact {
    guard !isFinished else {
      throw StoreError(
        .invalidArgument, path: temporaryPath,
        "the artifact writer is already \(isCommitted ? "committed" : "discarded")")
    }
    do {
      try file.flush()
      file.close()
      try FileSystem.fsyncFile(temporaryPath)
      let sha256 = try SHA256.hex(ofFile: temporaryPath)
      let result: ResolvedArtifact
      switch destination {
      case .versioned(let store, let stage, let name):
        var candidate = max(version, store.nextVersion(stage: stage, name: name))
        while true {
          let target = store.path(stage: stage, name: name, version: candidate)
          if try FileSystem.moveNoReplace(temporaryPath, to: target) { break }
          candidate += 1
        }
        try FileSystem.fsyncDirectory(directory)
        try store.updateLatest(stage: stage, name: name, version: candidate)
        result = ResolvedArtifact(
          path: store.path(stage: stage, name: name, version: candidate), version: candidate, sha256: sha256)
      case .plain(let path, let overwrite):
        if overwrite {
          try FileSystem.replace(temporaryPath, with: path)
        } else if try !FileSystem.moveNoReplace(temporaryPath, to: path) {
          throw StoreError(.alreadyExists, path: path, "the file exists; not overwriting it")
        }
        try FileSystem.fsyncDirectory(directory)
        result = ResolvedArtifact(path: path, version: 0, sha256: sha256)
      }
      isCommitted = true
      isFinished = true
      return result
    } catch {
      discard()
      throw error
    }
  }

  /// Abandons the artifact: closes and removes the temporary file. Safe to call more than once.
  public func discard() {
    guard !isFinished else { return }
    isFinished = true
    file.close()
    FileSystem.remove(temporaryPath)
  }
}
