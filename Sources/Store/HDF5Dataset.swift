import CHDF5
import Foundation

/// An open dataset: its shape, dtype, data and attributes.
///
/// Get one with `HDF5Group.dataset(_:)`. Dataset attributes use the same calls as group
/// attributes: `try group.dataset("losses").setAttribute("units", "nats")`.
public final class HDF5Dataset: HDF5AttributeOwner {
  /// The file this dataset belongs to (kept open while the dataset is alive).
  public let file: HDF5File
  /// The absolute path of this dataset inside the file.
  public let path: String
  let id: hid_t

  init(file: HDF5File, id: hid_t, path: String) {
    self.file = file
    self.id = id
    self.path = path
  }

  deinit {
    let (file, id) = (file, id)
    HDF5Library.locked { if file.isOpen && id >= 0 { _ = H5Dclose(id) } }
  }

  func error(_ kind: StoreError.Kind, _ message: String) -> StoreError {
    StoreError(kind, path: file.path, object: path, message)
  }

  func withOpen<R>(_ body: () throws -> R) throws -> R {
    try file.withOpenFile(object: path, body)
  }

  /// The dimensions (`[]` for a scalar).
  public var shape: [Int] {
    get throws {
      try withOpen {
        let space = H5Handle(H5Dget_space(id), .dataspace)
        guard space.id >= 0, let dims = H5Types.dims(of: space.id) else {
          throw error(.library, HDF5Library.describe("cannot read the dataspace"))
        }
        return dims
      }
    }
  }

  /// The maximum dimensions; `nil` entries are unlimited.
  public var maxShape: [Int?] {
    get throws {
      try withOpen {
        let space = H5Handle(H5Dget_space(id), .dataspace)
        let rank = H5Sget_simple_extent_ndims(space.id)
        guard rank >= 0 else { throw error(.library, HDF5Library.describe("cannot read the dataspace")) }
        var dims = [hsize_t](repeating: 0, count: Int(rank))
        var maxDims = [hsize_t](repeating: 0, count: Int(rank))
        _ = H5Sget_simple_extent_dims(space.id, &dims, &maxDims)
        return maxDims.map { $0 == h5s_unlimited() ? nil : Int($0) }
      }
    }
  }

  /// "float32", "float64", "int32", "int64", "uint8", "string", or another HDF5 class name.
  public var dtypeName: String {
    get throws {
      try withOpen {
        let type = H5Handle(H5Dget_type(id), .datatype)
        guard type.id >= 0 else { throw error(.library, HDF5Library.describe("cannot read the dtype")) }
        return H5Types.name(of: type.id)
      }
    }
  }

  /// The chunk dimensions, or nil for a contiguous or compact dataset.
  public var chunks: [Int]? {
    get throws {
      try withOpen {
        let dcpl = H5Handle(H5Dget_create_plist(id), .plist)
        guard H5Pget_layout(dcpl.id) == H5D_CHUNKED else { return nil }
        var dims = [hsize_t](repeating: 0, count: 32)
        let rank = H5Pget_chunk(dcpl.id, 32, &dims)
        return rank < 0 ? nil : dims.prefix(Int(rank)).map { Int($0) }
      }
    }
  }

  /// Reads the whole dataset; throws `.typeMismatch` unless the dtype is `T.hdf5Kind`.
  public func read<T: HDF5Element>(as: T.Type) throws -> HDF5Array<T> {
    try withOpen {
      let type = H5Handle(H5Dget_type(id), .datatype)
      let found = H5Types.name(of: type.id)
      guard found == T.hdf5Kind.rawValue else {
        throw error(.typeMismatch, "expected dtype \(T.hdf5Kind.rawValue) (reading as \(T.self)), found \(found)")
      }
      let space = H5Handle(H5Dget_space(id), .dataspace)
      guard let dims = H5Types.dims(of: space.id) else {
        throw error(.library, HDF5Library.describe("cannot read the dataspace"))
      }
      let count = H5Types.count(of: space.id)
      if count == 0 { return HDF5Array(shape: dims, values: []) }
      var status: herr_t = 0
      let values = [T](unsafeUninitializedCapacity: count) { buffer, initialized in
        status = H5Dread(id, T.hdf5Kind.nativeType, h5s_s_all(), h5s_s_all(), h5s_p_default(), buffer.baseAddress)
        initialized = status >= 0 ? count : 0
      }
      guard status >= 0 else { throw error(.library, HDF5Library.describe("cannot read the data")) }
      return HDF5Array(shape: dims, values: values)
    }
  }

  /// Reads a string dataset (variable or fixed length) of any shape, flattened.
  public func readStrings() throws -> [String] {
    try withOpen {
      let type = H5Handle(H5Dget_type(id), .datatype)
      guard H5Tget_class(type.id) == H5T_STRING else {
        throw error(.typeMismatch, "expected dtype string, found \(H5Types.name(of: type.id))")
      }
      let space = H5Handle(H5Dget_space(id), .dataspace)
      let strings = H5Types.readStrings(fileType: type.id, space: space.id) { memType, buffer in
        H5Dread(id, memType, h5s_s_all(), h5s_s_all(), h5s_p_default(), buffer)
      }
      guard let strings else { throw error(.library, HDF5Library.describe("cannot read the strings")) }
      return strings
    }
  }

  public var objectID: Int64 { id }
}

extension HDF5Group {
  /// Writes a new numeric dataset of `shape` (row-major `values`; `[]` is a scalar).
  ///
  /// `chunks` sets the chunk shape (clamped to the data shape); `compression` is a gzip level 0-9
  /// and implies chunking (chunks are chosen if not given). Scalars and datasets with a zero-length
  /// dimension are always stored contiguous, uncompressed. Throws if `name` exists.
  public func write<T: HDF5Element>(
    _ name: String, _ values: [T], shape: [Int], chunks: [Int]? = nil, compression: Int? = nil
  ) throws {
    try withOpen(name) {
      try H5Path.validate(name, in: self)
      try requireWritable(name)
      guard shape.allSatisfy({ $0 >= 0 }) else {
        throw error(.invalidArgument, name, "invalid shape \(shape): dimensions must be >= 0")
      }
      let count = shape.reduce(1, *)
      guard values.count == count else {
        throw error(.shapeMismatch, name, "shape \(shape) needs \(count) values, found \(values.count)")
      }
      let did = try createDataset(
        name, fileType: T.hdf5Kind.nativeType, shape: shape, maxShape: nil,
        chunks: chunks, compression: compression)
      let dataset = H5Handle(did, .dataset)
      guard count > 0 else { return }
      let status = values.withUnsafeBytes {
        H5Dwrite(dataset.id, T.hdf5Kind.nativeType, h5s_s_all(), h5s_s_all(), h5s_p_default(), $0.baseAddress)
      }
      guard status >= 0 else { throw error(.library, name, HDF5Library.describe("cannot write the data")) }
    }
  }

  /// Writes a new scalar dataset.
  public func write<T: HDF5Element>(_ name: String, scalar value: T) throws {
    try write(name, [value], shape: [])
  }

  /// Reads a numeric dataset; throws `.typeMismatch` unless its dtype is `T.hdf5Kind`.
  public func read<T: HDF5Element>(_ name: String, as type: T.Type) throws -> HDF5Array<T> {
    try dataset(name).read(as: type)
  }

  /// The dimensions of dataset `name` (`[]` for a scalar).
  public func shape(of name: String) throws -> [Int] { try dataset(name).shape }

  /// The dtype of dataset `name`: "float32", "float64", "int32", "int64", "uint8", "string", ...
  public func dtypeName(of name: String) throws -> String { try dataset(name).dtypeName }

  /// Writes a new 1-D dataset of variable-length UTF-8 strings.
  public func writeStrings(_ name: String, _ values: [String]) throws {
    try withOpen(name) {
      try H5Path.validate(name, in: self)
      try requireWritable(name)
      let type = H5Handle(H5Types.variableString(), .datatype)
      let did = try createDataset(
        name, fileType: type.id, shape: [values.count], maxShape: nil, chunks: nil, compression: nil)
      let dataset = H5Handle(did, .dataset)
      guard !values.isEmpty else { return }
      let status = H5Types.writeStrings(values) { memType, buffer in
        H5Dwrite(dataset.id, memType, h5s_s_all(), h5s_s_all(), h5s_p_default(), buffer)
      }
      guard status >= 0 else { throw error(.library, name, HDF5Library.describe("cannot write the strings")) }
    }
  }

  /// Reads a string dataset (variable or fixed length) of any shape, flattened.
  public func readStrings(_ name: String) throws -> [String] { try dataset(name).readStrings() }

  /// Creates a dataset and returns its id (call under the lock).
  func createDataset(
    _ name: String, fileType: hid_t, shape: [Int], maxShape: [hsize_t]?, chunks: [Int]?,
    compression: Int?
  ) throws -> hid_t {
    if existsUnlocked(name) {
      throw error(.alreadyExists, name, "cannot create dataset: an object of that name exists")
    }
    if let compression, !(0...9).contains(compression) {
      throw error(.invalidArgument, name, "gzip level must be 0...9, found \(compression)")
    }
    if let chunks {
      guard chunks.count == shape.count || shape.isEmpty else {
        throw error(
          .invalidArgument, name, "chunks \(chunks) have rank \(chunks.count), the data has rank \(shape.count)")
      }
      guard chunks.allSatisfy({ $0 > 0 }) else {
        throw error(.invalidArgument, name, "chunk dimensions must be > 0, found \(chunks)")
      }
    }
    let space = H5Handle(H5Types.dataspace(shape, maxShape: maxShape), .dataspace)
    guard space.id >= 0 else {
      throw error(.library, name, HDF5Library.describe("cannot create a dataspace of shape \(shape)"))
    }
    let dcpl = H5Handle(H5Pcreate(h5s_p_dataset_create()), .plist)
    let extendable = maxShape != nil
    let canChunk = !shape.isEmpty && (extendable || !shape.contains(0))
    if canChunk && (chunks != nil || compression != nil || extendable) {
      let size = H5Tget_size(fileType)
      let chosen =
        chunks.map { zip($0, shape).map { c, d in extendable ? c : max(1, min(c, d)) } }
        ?? H5Path.defaultChunks(shape: shape, elementSize: size)
      let dims = chosen.map { hsize_t($0) }
      guard H5Pset_chunk(dcpl.id, Int32(dims.count), dims) >= 0 else {
        throw error(.invalidArgument, name, HDF5Library.describe("invalid chunks \(chosen) for shape \(shape)"))
      }
      if let compression {
        _ = H5Pset_shuffle(dcpl.id)
        guard H5Pset_deflate(dcpl.id, UInt32(compression)) >= 0 else {
          throw error(.library, name, HDF5Library.describe("cannot enable gzip compression"))
        }
      }
    }
    let lcpl = H5Handle(H5Path.linkCreateList(), .plist)
    let did = H5Dcreate2(id, name, fileType, space.id, lcpl.id, dcpl.id, h5s_p_default())
    guard did >= 0 else { throw error(.library, name, HDF5Library.describe("cannot create dataset")) }
    return did
  }
}

extension H5Path {
  /// Chunks of at most about 1 MiB: the data shape with the largest dimension halved until small.
  static func defaultChunks(shape: [Int], elementSize: Int) -> [Int] {
    var chunks = shape.map { max(1, $0) }
    let limit = max(1, (1 << 20) / max(1, elementSize))
    while chunks.reduce(1, *) > limit {
      let largest = chunks.indices.max(by: { chunks[$0] < chunks[$1] })!
      chunks[largest] = (chunks[largest] + 1) / 2
    }
    return chunks
  }
}
