import CHDF5
import Foundation

/// Attribute access shared by groups and datasets (the object's id must stay open).
struct H5Attributes {
  let file: HDF5File
  let id: hid_t
  let path: String

  func error(_ kind: StoreError.Kind, _ name: String, _ message: String) -> StoreError {
    StoreError(kind, path: file.path, object: "\(path) @\(name)", message)
  }

  func withOpen<R>(_ name: String, _ body: () throws -> R) throws -> R {
    try file.withOpenFile(object: "\(path) @\(name)") {
      guard id >= 0 else { throw error(.library, name, "the object could not be opened") }
      return try body()
    }
  }

  /// Creates (replacing any existing) attribute `name` and writes it with `write`.
  private func create(
    _ name: String, fileType: hid_t, shape: [Int], write: (hid_t) -> herr_t
  ) throws {
    try withOpen(name) {
      guard !name.isEmpty else { throw error(.invalidArgument, name, "attribute names must not be empty") }
      guard file.writable else { throw error(.invalidArgument, name, "the file is open read-only") }
      if H5Aexists(id, name) > 0, H5Adelete(id, name) < 0 {
        throw error(.library, name, HDF5Library.describe("cannot replace attribute"))
      }
      let space = H5Handle(
        shape == [0] ? H5Screate(H5S_NULL) : H5Types.dataspace(shape), .dataspace)
      let attr = H5Handle(H5Acreate2(id, name, fileType, space.id, h5s_p_default(), h5s_p_default()), .attribute)
      guard attr.id >= 0 else { throw error(.library, name, HDF5Library.describe("cannot create attribute")) }
      guard shape != [0] else { return }
      guard write(attr.id) >= 0 else { throw error(.library, name, HDF5Library.describe("cannot write attribute")) }
    }
  }

  func set(_ name: String, string value: String) throws {
    try HDF5Library.locked {
      let type = H5Handle(H5Types.variableString(), .datatype)
      try create(name, fileType: type.id, shape: []) { attr in
        H5Types.writeStrings([value]) { memType, buffer in H5Awrite(attr, memType, buffer) }
      }
    }
  }

  func set<T: HDF5Element>(_ name: String, values: [T], shape: [Int]) throws {
    try create(name, fileType: T.hdf5Kind.nativeType, shape: shape) { attr in
      values.withUnsafeBytes { H5Awrite(attr, T.hdf5Kind.nativeType, $0.baseAddress) }
    }
  }

  /// Opens attribute `name` and passes its id, type and space to `body`.
  private func open<R>(_ name: String, _ body: (hid_t, hid_t, hid_t) throws -> R) throws -> R {
    try withOpen(name) {
      guard H5Aexists(id, name) > 0 else {
        _ = HDF5Library.takeErrorDetail()
        throw error(.objectNotFound, name, "no such attribute")
      }
      let attr = H5Handle(H5Aopen(id, name, h5s_p_default()), .attribute)
      guard attr.id >= 0 else { throw error(.library, name, HDF5Library.describe("cannot open attribute")) }
      let type = H5Handle(H5Aget_type(attr.id), .datatype)
      let space = H5Handle(H5Aget_space(attr.id), .dataspace)
      return try body(attr.id, type.id, space.id)
    }
  }

  func string(_ name: String) throws -> String {
    try open(name) { attr, type, space in
      guard H5Tget_class(type) == H5T_STRING else {
        throw error(.typeMismatch, name, "expected a string attribute, found \(H5Types.name(of: type))")
      }
      let strings = H5Types.readStrings(fileType: type, space: space) { memType, buffer in
        H5Aread(attr, memType, buffer)
      }
      guard let strings else { throw error(.library, name, HDF5Library.describe("cannot read attribute")) }
      guard strings.count == 1 else {
        throw error(.shapeMismatch, name, "expected one string, found \(strings.count)")
      }
      return strings[0]
    }
  }

  func array<T: HDF5Element>(_ name: String, as: T.Type) throws -> [T] {
    try open(name) { attr, type, space in
      let found = H5Types.name(of: type)
      guard found == T.hdf5Kind.rawValue else {
        throw error(.typeMismatch, name, "expected dtype \(T.hdf5Kind.rawValue) (reading as \(T.self)), found \(found)")
      }
      let count = H5Types.count(of: space)
      if count == 0 { return [] }
      var status: herr_t = 0
      let values = [T](unsafeUninitializedCapacity: count) { buffer, initialized in
        status = H5Aread(attr, T.hdf5Kind.nativeType, buffer.baseAddress)
        initialized = status >= 0 ? count : 0
      }
      guard status >= 0 else { throw error(.library, name, HDF5Library.describe("cannot read attribute")) }
      return values
    }
  }

  func scalar<T: HDF5Element>(_ name: String, as type: T.Type) throws -> T {
    let values = try array(name, as: type)
    guard values.count == 1 else {
      throw error(.shapeMismatch, name, "expected a scalar, found \(values.count) values")
    }
    return values[0]
  }

  func dtypeName(_ name: String) throws -> String {
    try open(name) { _, type, _ in H5Types.name(of: type) }
  }

  func names() throws -> [String] {
    try file.withOpenFile(object: path) {
      var info = H5O_info_t()
      guard H5Oget_info2(id, &info, UInt32(H5O_INFO_NUM_ATTRS)) >= 0 else {
        throw StoreError(.library, path: file.path, object: path, HDF5Library.describe("cannot list attributes"))
      }
      var names: [String] = []
      for index in 0..<info.num_attrs {
        let name = H5Path.readName { buffer, size in
          H5Aget_name_by_idx(id, ".", H5_INDEX_NAME, H5_ITER_INC, index, buffer, size, h5s_p_default())
        }
        guard let name else {
          throw StoreError(
            .library, path: file.path, object: path, HDF5Library.describe("cannot read attribute name \(index)"))
        }
        names.append(name)
      }
      return names.sorted()
    }
  }

  /// Whether the attribute exists; false also once the file is closed (reads then throw `closed`).
  func has(_ name: String) -> Bool {
    HDF5Library.locked {
      guard file.isOpen else { return false }
      let exists = id >= 0 && H5Aexists(id, name) > 0
      if !exists { _ = HDF5Library.takeErrorDetail() }
      return exists
    }
  }

  func delete(_ name: String) throws {
    try withOpen(name) {
      guard file.writable else { throw error(.invalidArgument, name, "the file is open read-only") }
      guard H5Aexists(id, name) > 0 else { throw error(.objectNotFound, name, "no such attribute") }
      guard H5Adelete(id, name) >= 0 else {
        throw error(.library, name, HDF5Library.describe("cannot delete attribute"))
      }
    }
  }
}
