import Foundation

/// Writes one artifact atomically.
///
/// The HDF5 file is created as a hidden temporary (`.tmp-…`) in the final folder, with the
/// provenance attributes already on its root group. `commit()` closes it, fsyncs it, moves it to
/// its final name without ever replacing an existing file, fsyncs the folder and (for versioned
/// artifacts) updates `latest`. A writer that is discarded or deinitialized without a commit
/// removes its temporary file, so a failed stage leaves nothing under a final name.
///
/// Concurrency and crashes: a versioned writer holds the lock of its folder (`FolderLock`, the
/// file `.lock`) from creation to commit or discard, so two processes never write the same artifact
/// at once and `version` is the version the commit gets. A writer that finds the lock free (no
/// other writer in its process) removes the temporaries a killed writer left (`.tmp-…`, also inside
/// `vNNNN-…` folders beside the versions) and any `vNNNN-…` side folder of the version it is about
/// to write (output of a killed run). A plain-file writer takes no lock (its commit is one atomic
/// rename); it removes temporaries of the same file whose writing process no longer exists.
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
  private let lock: FolderLock?

  /// The root group of the artifact being written.
  public var root: HDF5Group { file.root }

  /// A writer for the next version of `stage/name` in `store`.
  public convenience init(
    store: ArtifactStore, stage: String, name: String, provenance: Provenance
  ) throws {
    try ArtifactStore.validate(stage: stage, name: name)
    let directory = store.directory(stage: stage, name: name)
    let lock = try FolderLock.acquire(folder: directory, timeout: store.lockTimeout)
    let version: Int
    do {
      if lock.isFirstHolder { try Self.removeLeftovers(in: directory) }
      version = lock.reserveVersion(minimum: try store.nextVersion(stage: stage, name: name))
      let stem = String(ArtifactStore.fileName(version: version).dropLast(3))
      for entry in try FileSystem.list(directory) where entry.hasPrefix(stem + "-") {
        try FileSystem.removeTree((directory as NSString).appendingPathComponent(entry))
      }
    } catch {
      lock.release()
      throw error
    }
    try self.init(
      destination: .versioned(store, stage: stage, name: name), directory: directory, version: version,
      baseName: name, provenance: provenance, lock: lock)
  }

  /// A writer for a plain (unversioned) file such as `data/mnist.h5`. Without `overwrite`,
  /// committing fails if the file exists; with it, the file is replaced atomically.
  public convenience init(path: String, provenance: Provenance, overwrite: Bool = false) throws {
    let folder = (path as NSString).deletingLastPathComponent
    let directory = folder.isEmpty ? "." : folder
    let base = (path as NSString).lastPathComponent
    try FileSystem.createDirectory(directory)
    try FileSystem.removeOrphanedTemporaries(in: directory, base: base)
    try self.init(
      destination: .plain(path, overwrite: overwrite), directory: directory, version: 0, baseName: base,
      provenance: provenance, lock: nil)
  }

  private init(
    destination: Destination, directory: String, version: Int, baseName: String, provenance: Provenance,
    lock: FolderLock?
  ) throws {
    let temp = (directory as NSString).appendingPathComponent(".tmp-\(baseName)-\(FileSystem.uniqueSuffix()).h5")
    let file: HDF5File
    do {
      file = try HDF5File.create(temp)
    } catch {
      Self.release(lock, version: version)
      throw error
    }
    do {
      try provenance.write(to: file.root)
    } catch {
      file.close()
      FileSystem.remove(temp)
      Self.release(lock, version: version)
      throw error
    }
    self.file = file
    self.temporaryPath = temp
    self.version = version
    self.provenance = provenance
    self.destination = destination
    self.directory = directory
    self.lock = lock
  }

  /// Removes what killed writers left in a versioned artifact folder: `.tmp-…` entries in it and
  /// in its `vNNNN-…` side folders. Call only as the first holder of the folder's lock.
  static func removeLeftovers(in directory: String) throws {
    try FileSystem.removeStaleTemporaries(in: directory)
    for entry in try FileSystem.list(directory) where entry.hasPrefix("v") && entry.contains("-") {
      let side = (directory as NSString).appendingPathComponent(entry)
      var isDirectory: ObjCBool = false
      if FileManager.default.fileExists(atPath: side, isDirectory: &isDirectory), isDirectory.boolValue {
        try FileSystem.removeStaleTemporaries(in: side)
      }
    }
  }

  private static func release(_ lock: FolderLock?, version: Int) {
    guard let lock else { return }
    if version > 0 { lock.releaseVersion(version) }
    lock.release()
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
      try file.closeChecked()
      try FileSystem.fsyncFile(temporaryPath)
      let sha256 = try SHA256.hex(ofFile: temporaryPath)
      let result: ResolvedArtifact
      switch destination {
      case .versioned(let store, let stage, let name):
        // Under the folder lock `version` is free; the loop guards against writers that do not
        // take the lock (older builds).
        var candidate = version
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
      Self.release(lock, version: version)
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
    Self.release(lock, version: version)
  }
}
