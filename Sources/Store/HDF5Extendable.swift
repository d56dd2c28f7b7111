import CHDF5
import Foundation

/// A chunked dataset that grows along axis 0: rows of `rowShape` are appended over time
/// (episode traces, loss curves). Stored with an unlimited first dimension, so h5py and h5dump
/// read it as an ordinary dataset of shape `[rowCount] + rowShape`.
public final class HDF5Extendable<T: HDF5Element> {
  /// The file this dataset belongs to (kept open while this object is alive).
  public let file: HDF5File
  /// The absolute path of the dataset inside the file.
  public let path: String
  /// The shape of one row (`[]` for a 1-D dataset of scalars).
  public let rowShape: [Int]
  let id: hid_t

  init(file: HDF5File, id: hid_t, path: String, rowShape: [Int]) {
    self.file = file
    self.id = id
    self.path = path
    self.rowShape = rowShape
  }

  deinit {
    let (file, id) = (file, id)
    HDF5Library.locked { if file.isOpen && id >= 0 { _ = H5Dclose(id) } }
  }

  private var rowSize: Int { rowShape.reduce(1, *) }

  private func error(_ kind: StoreError.Kind, _ message: String) -> StoreError {
    StoreError(kind, path: file.path, object: path, message)
  }

  private func currentRows() throws -> Int {
    let space = H5Handle(H5Dget_space(id), .dataspace)
    guard let dims = H5Types.dims(of: space.id), let rows = dims.first else {
      throw error(.library, HDF5Library.describe("cannot read the dataspace"))
    }
    return rows
  }

  /// The number of rows appended so far; throws `closed` once the file is closed.
  public var rowCount: Int {
    get throws { try file.withOpenFile(object: path) { try currentRows() } }
  }

  /// Appends `count` rows; `rows` holds `count * rowShape.product` values, row-major.
  public func append(_ rows: [T], count: Int) throws {
    try file.withOpenFile(object: path) {
      guard file.writable else { throw error(.invalidArgument, "the file is open read-only") }
      guard count >= 0, rows.count == count * rowSize else {
        throw error(
          .shapeMismatch,
          "appending \(count) rows of shape \(rowShape) needs \(max(0, count) * rowSize) values, found \(rows.count)")
      }
      guard count > 0 else { return }
      let old = try currentRows()
      let newDims = ([old + count] + rowShape).map { hsize_t($0) }
      guard H5Dset_extent(id, newDims) >= 0 else {
        throw error(.library, HDF5Library.describe("cannot extend to \(old + count) rows"))
      }
      let fileSpace = H5Handle(H5Dget_space(id), .dataspace)
      var start = [hsize_t](repeating: 0, count: newDims.count)
      start[0] = hsize_t(old)
      var countDims = newDims
      countDims[0] = hsize_t(count)
      guard H5Sselect_hyperslab(fileSpace.id, H5S_SELECT_SET, start, nil, countDims, nil) >= 0 else {
        throw error(.library, HDF5Library.describe("cannot select rows \(old)..<\(old + count)"))
      }
      let memSpace = H5Handle(H5Screate_simple(Int32(countDims.count), countDims, nil), .dataspace)
      let status = rows.withUnsafeBytes {
        H5Dwrite(id, T.hdf5Kind.nativeType, memSpace.id, fileSpace.id, h5s_p_default(), $0.baseAddress)
      }
      guard status >= 0 else { throw error(.library, HDF5Library.describe("cannot write rows")) }
    }
  }

  /// Appends one row of `rowShape.product` values.
  public func append(row: [T]) throws { try append(row, count: 1) }

  /// Reads every row: shape `[rowCount] + rowShape`.
  public func read() throws -> HDF5Array<T> {
    let dataset = try file.withOpenFile(object: path) { () -> HDF5Dataset in
      guard H5Iinc_ref(id) >= 0 else { throw error(.library, HDF5Library.describe("cannot share the dataset id")) }
      return HDF5Dataset(file: file, id: id, path: path)
    }
    return try dataset.read(as: T.self)
  }
}

extension HDF5Group {
  /// Creates an empty dataset that grows along axis 0 with rows of `rowShape`
  /// (chunks of `chunkRows` rows, gzip `compression` unless nil).
  public func createExtendable<T: HDF5Element>(
    _ name: String, as: T.Type, rowShape: [Int], chunkRows: Int = 256, compression: Int? = 4
  ) throws -> HDF5Extendable<T> {
    try withOpen(name) {
      try H5Path.validate(name, in: self)
      try requireWritable(name)
      guard rowShape.allSatisfy({ $0 > 0 }) else {
        throw error(.invalidArgument, name, "row shape \(rowShape) must have dimensions > 0")
      }
      guard chunkRows > 0 else {
        throw error(.invalidArgument, name, "chunkRows must be > 0, found \(chunkRows)")
      }
      let maxShape = [h5s_unlimited()] + rowShape.map { hsize_t($0) }
      let did = try createDataset(
        name, fileType: T.hdf5Kind.nativeType, shape: [0] + rowShape, maxShape: maxShape,
        chunks: [chunkRows] + rowShape, compression: compression)
      return HDF5Extendable(file: file, id: did, path: childPath(name), rowShape: rowShape)
    }
  }

  /// Reopens an extendable dataset; throws unless its dtype is `T.hdf5Kind` and axis 0 is unlimited.
  public func extendable<T: HDF5Element>(_ name: String, as: T.Type) throws -> HDF5Extendable<T> {
    try withOpen(name) {
      let dataset = try dataset(name)
      let found = try dataset.dtypeName
      guard found == T.hdf5Kind.rawValue else {
        throw error(.typeMismatch, name, "expected dtype \(T.hdf5Kind.rawValue) (reading as \(T.self)), found \(found)")
      }
      let maxShape = try dataset.maxShape
      guard let first = maxShape.first, first == nil else {
        throw error(
          .typeMismatch, name,
          "expected a dataset with an unlimited first dimension, found max shape \(maxShape.map { $0.map(String.init) ?? "unlimited" })"
        )
      }
      let shape = try dataset.shape
      let did = H5Dopen2(id, name, h5s_p_default())
      guard did >= 0 else { throw error(.library, name, HDF5Library.describe("cannot open dataset")) }
      return HDF5Extendable(file: file, id: did, path: childPath(name), rowShape: Array(shape.dropFirst()))
    }
  }
}
