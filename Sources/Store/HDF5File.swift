import CHDF5
import Foundation

/// An open HDF5 file.
///
/// Create or open one, then work through `root`. Groups and datasets opened from a file keep it
/// alive; `close()` (or deinit) closes the file and every object still open in it, after which
/// those objects throw `StoreError.Kind.closed`. Not thread-safe: use a file from one thread at a
/// time (all HDF5 calls are additionally serialized process-wide, see `HDF5Library`).
public final class HDF5File {
  /// The path the file was created or opened with.
  public let path: String
  /// Whether the file was opened for writing.
  public let writable: Bool
  private(set) var id: hid_t

  private init(path: String, id: hid_t, writable: Bool) {
    self.path = path
    self.id = id
    self.writable = writable
  }

  deinit { close() }

  /// Creates a new file at `path`, truncating any existing file.
  public static func create(_ path: String) throws -> HDF5File {
    try HDF5Library.locked {
      let fapl = H5Handle(makeAccessList(), .plist)
      let id = H5Fcreate(path, h5s_acc_trunc(), h5s_p_default(), fapl.id)
      guard id >= 0 else {
        throw StoreError(.io, path: path, HDF5Library.describe("cannot create HDF5 file"))
      }
      return HDF5File(path: path, id: id, writable: true)
    }
  }

  /// Opens an existing file, read-only unless `writable`.
  public static func open(_ path: String, writable: Bool = false) throws -> HDF5File {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      throw StoreError(.fileNotFound, path: path, "no such file (expected an HDF5 file)")
    }
    guard !isDirectory.boolValue else {
      throw StoreError(.notHDF5, path: path, "not an HDF5 file: found a directory")
    }
    return try HDF5Library.locked {
      let isHDF5 = H5Fis_hdf5(path)
      if isHDF5 == 0 {
        throw StoreError(.notHDF5, path: path, "not an HDF5 file (no HDF5 signature found)")
      }
      if isHDF5 < 0 {
        throw StoreError(.io, path: path, HDF5Library.describe("cannot read file"))
      }
      let fapl = H5Handle(makeAccessList(), .plist)
      let flags = writable ? h5s_acc_rdwr() : h5s_acc_rdonly()
      let id = H5Fopen(path, flags, fapl.id)
      guard id >= 0 else {
        let mode = writable ? "for writing" : "for reading"
        throw StoreError(.io, path: path, HDF5Library.describe("cannot open HDF5 file \(mode)"))
      }
      return HDF5File(path: path, id: id, writable: writable)
    }
  }

  /// Whether `path` exists and carries the HDF5 signature.
  public static func isHDF5(_ path: String) -> Bool {
    guard FileManager.default.fileExists(atPath: path) else { return false }
    return HDF5Library.locked { H5Fis_hdf5(path) > 0 }
  }

  /// The version of the linked HDF5 library, e.g. "1.10.8".
  public static var libraryVersion: String { HDF5Library.version }

  /// Whether the file is still open.
  public var isOpen: Bool { id >= 0 }

  /// The root group `/`; its attributes are the file's attributes.
  public var root: HDF5Group {
    HDF5Library.locked {
      let gid = isOpen ? H5Gopen2(id, "/", h5s_p_default()) : -1
      return HDF5Group(file: self, id: gid, path: "/")
    }
  }

  /// Flushes buffered data to the operating system.
  public func flush() throws {
    try withOpenFile(object: nil) {
      guard H5Fflush(id, H5F_SCOPE_GLOBAL) >= 0 else {
        throw StoreError(.io, path: path, HDF5Library.describe("cannot flush file"))
      }
    }
  }

  /// Closes the file and every object still open in it. Safe to call more than once.
  public func close() {
    HDF5Library.locked {
      guard id >= 0 else { return }
      _ = H5Fclose(id)
      id = -1
    }
  }

  /// Closes the file like `close()` but throws if the library could not write it out (e.g. the
  /// disk is full). Used before an artifact is moved to its final name.
  public func closeChecked() throws {
    try HDF5Library.locked {
      guard id >= 0 else { return }
      let status = H5Fclose(id)
      id = -1
      guard status >= 0 else { throw StoreError(.io, path: path, HDF5Library.describe("cannot close the file")) }
    }
  }

  /// Runs `body` under the HDF5 lock after checking that the file is open.
  func withOpenFile<R>(object: String?, _ body: () throws -> R) throws -> R {
    try HDF5Library.locked {
      guard id >= 0 else {
        throw StoreError(.closed, path: path, object: object, "the file is closed")
      }
      return try body()
    }
  }

  /// A file access list whose close degree is "strong": closing the file closes its objects,
  /// so a closed file is really closed on disk (needed before an artifact is renamed).
  private static func makeAccessList() -> hid_t {
    let fapl = H5Pcreate(h5s_p_file_access())
    if fapl >= 0 { _ = H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG) }
    return fapl
  }
}
