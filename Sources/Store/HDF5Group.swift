import CHDF5
import Foundation

/// A group inside an HDF5 file: creates and opens child groups and datasets, and holds
/// attributes (the root group's attributes are the file's attributes).
///
/// Names may be nested paths relative to this group (`"episodes/0007/actions"`); writing creates
/// missing intermediate groups. Datasets are never overwritten: writing an existing name throws
/// `.alreadyExists`. Attributes are replaced when set again.
public final class HDF5Group: HDF5AttributeOwner {
  /// The file this group belongs to (kept open while the group is alive).
  public let file: HDF5File
  /// The absolute path of this group inside the file, e.g. `/episodes/0007`.
  public let path: String
  let id: hid_t

  init(file: HDF5File, id: hid_t, path: String) {
    self.file = file
    self.id = id
    self.path = path
  }

  deinit {
    let (file, id) = (file, id)
    HDF5Library.locked { if file.isOpen && id >= 0 { _ = H5Gclose(id) } }
  }

  /// The absolute object path of `name` relative to this group.
  func childPath(_ name: String) -> String { H5Path.join(path, name) }

  func error(_ kind: StoreError.Kind, _ name: String?, _ message: String) -> StoreError {
    StoreError(kind, path: file.path, object: name.map(childPath) ?? path, message)
  }

  /// Runs `body` under the HDF5 lock after checking that the file and group are open.
  func withOpen<R>(_ name: String?, _ body: () throws -> R) throws -> R {
    try file.withOpenFile(object: name.map(childPath) ?? path) {
      guard id >= 0 else { throw error(.library, nil, "the group could not be opened") }
      return try body()
    }
  }

  func requireWritable(_ name: String) throws {
    guard file.writable else {
      throw error(.invalidArgument, name, "the file is open read-only")
    }
  }

  // MARK: Structure

  /// Creates a group (and any missing intermediate groups). Throws if `name` already exists.
  public func createGroup(_ name: String) throws -> HDF5Group {
    try withOpen(name) {
      try H5Path.validate(name, in: self)
      try requireWritable(name)
      if existsUnlocked(name) {
        throw error(.alreadyExists, name, "cannot create group: an object of that name exists")
      }
      let lcpl = H5Handle(H5Path.linkCreateList(), .plist)
      let gid = H5Gcreate2(id, name, lcpl.id, h5s_p_default(), h5s_p_default())
      guard gid >= 0 else {
        throw error(.library, name, HDF5Library.describe("cannot create group"))
      }
      return HDF5Group(file: file, id: gid, path: childPath(name))
    }
  }

  /// Opens the group `name`, creating it (and intermediates) if it does not exist.
  public func requireGroup(_ name: String) throws -> HDF5Group {
    try withOpen(name) { existsUnlocked(name) ? try group(name) : try createGroup(name) }
  }

  /// Opens an existing child group.
  public func group(_ name: String) throws -> HDF5Group {
    try withOpen(name) {
      try H5Path.validate(name, in: self)
      try expect(name, H5O_TYPE_GROUP)
      let gid = H5Gopen2(id, name, h5s_p_default())
      guard gid >= 0 else { throw error(.library, name, HDF5Library.describe("cannot open group")) }
      return HDF5Group(file: file, id: gid, path: childPath(name))
    }
  }

  /// Opens an existing child dataset (for its attributes, shape or data).
  public func dataset(_ name: String) throws -> HDF5Dataset {
    try withOpen(name) {
      try H5Path.validate(name, in: self)
      try expect(name, H5O_TYPE_DATASET)
      let did = H5Dopen2(id, name, h5s_p_default())
      guard did >= 0 else {
        throw error(.library, name, HDF5Library.describe("cannot open dataset"))
      }
      return HDF5Dataset(file: file, id: did, path: childPath(name))
    }
  }

  /// Whether an object (group or dataset) named `name` exists below this group (false once the
  /// file is closed; every read or write on a closed file throws `closed`).
  public func contains(_ name: String) -> Bool {
    probe { existsUnlocked(name) }
  }

  /// Whether `name` exists and is a group (false once the file is closed).
  public func isGroup(_ name: String) -> Bool {
    probe { objectType(name) == H5O_TYPE_GROUP }
  }

  /// Whether `name` exists and is a dataset (false once the file is closed).
  public func isDataset(_ name: String) -> Bool {
    probe { objectType(name) == H5O_TYPE_DATASET }
  }

  /// Answers a yes/no question about this group under the HDF5 lock; false when the file is
  /// closed or the group could not be opened (the calls that read or write report those as errors).
  func probe(_ question: () -> Bool) -> Bool {
    HDF5Library.locked { file.isOpen && id >= 0 && question() }
  }

  /// The names of the direct children of this group, sorted.
  public func list() throws -> [String] {
    try withOpen(nil) {
      var info = H5G_info_t()
      guard H5Gget_info(id, &info) >= 0 else {
        throw error(.library, nil, HDF5Library.describe("cannot list group"))
      }
      var names: [String] = []
      for index in 0..<info.nlinks {
        let name = H5Path.readName { buffer, size in
          H5Lget_name_by_idx(id, ".", H5_INDEX_NAME, H5_ITER_INC, index, buffer, size, h5s_p_default())
        }
        guard let name else {
          throw error(.library, nil, HDF5Library.describe("cannot read the name of child \(index)"))
        }
        names.append(name)
      }
      return names.sorted()
    }
  }

  // MARK: Internals (call under the lock)

  func existsUnlocked(_ name: String) -> Bool {
    let parts = name.split(separator: "/", omittingEmptySubsequences: true)
    guard !parts.isEmpty else { return false }
    var prefix = name.hasPrefix("/") ? "/" : ""
    for part in parts {
      prefix += (prefix.isEmpty || prefix == "/" ? "" : "/") + part
      guard H5Lexists(id, prefix, h5s_p_default()) > 0 else {
        _ = HDF5Library.takeErrorDetail()
        return false
      }
    }
    let exists = H5Oexists_by_name(id, name, h5s_p_default()) > 0
    if !exists { _ = HDF5Library.takeErrorDetail() }
    return exists
  }

  func objectType(_ name: String) -> H5O_type_t? {
    guard existsUnlocked(name) else { return nil }
    var info = H5O_info_t()
    guard H5Oget_info_by_name2(id, name, &info, UInt32(H5O_INFO_BASIC), h5s_p_default()) >= 0 else {
      _ = HDF5Library.takeErrorDetail()
      return nil
    }
    return info.type
  }

  /// Throws unless `name` exists and has the given object type.
  func expect(_ name: String, _ type: H5O_type_t) throws {
    let wanted = type == H5O_TYPE_GROUP ? "a group" : "a dataset"
    guard let found = objectType(name) else {
      throw error(.objectNotFound, name, "no such object (expected \(wanted))")
    }
    guard found == type else {
      let what = found == H5O_TYPE_GROUP ? "a group" : found == H5O_TYPE_DATASET ? "a dataset" : "another object type"
      throw error(.typeMismatch, name, "expected \(wanted), found \(what)")
    }
  }
}

/// Object path helpers.
enum H5Path {
  static func join(_ base: String, _ name: String) -> String {
    if name.hasPrefix("/") { return normalize(name) }
    return normalize(base == "/" ? "/" + name : base + "/" + name)
  }

  static func normalize(_ path: String) -> String {
    "/" + path.split(separator: "/", omittingEmptySubsequences: true).joined(separator: "/")
  }

  /// Rejects empty names and names with "." or ".." components.
  static func validate(_ name: String, in group: HDF5Group) throws {
    let parts = name.split(separator: "/", omittingEmptySubsequences: true)
    guard !parts.isEmpty, !parts.contains(where: { $0 == "." || $0 == ".." }) else {
      throw StoreError(
        .invalidArgument, path: group.file.path, object: group.path,
        "invalid object name '\(name)' (expected a non-empty path without '.' or '..')")
    }
  }

  /// A link creation list that creates intermediate groups and marks names as UTF-8.
  static func linkCreateList() -> hid_t {
    let lcpl = H5Pcreate(h5s_p_link_create())
    if lcpl >= 0 {
      _ = H5Pset_create_intermediate_group(lcpl, 1)
      _ = H5Pset_char_encoding(lcpl, H5T_CSET_UTF8)
    }
    return lcpl
  }

  /// Calls a "get name" function twice: once for the length, once for the bytes.
  static func readName(_ get: (UnsafeMutablePointer<CChar>?, Int) -> Int) -> String? {
    let length = get(nil, 0)
    guard length >= 0 else { return nil }
    var buffer = [CChar](repeating: 0, count: length + 1)
    guard get(&buffer, length + 1) >= 0 else { return nil }
    return String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }
}

extension HDF5Group {
  public var objectID: Int64 { id }
}
