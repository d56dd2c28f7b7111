import CHDF5
import Foundation

/// The numeric storage types the Store layer writes and reads.
public enum HDF5ScalarKind: String, Sendable, CaseIterable {
  case float32, float64, int32, int64, uint8

  /// The native in-memory HDF5 type (call under the HDF5 lock).
  var nativeType: hid_t {
    switch self {
    case .float32: return h5s_native_float()
    case .float64: return h5s_native_double()
    case .int32: return h5s_native_int32()
    case .int64: return h5s_native_int64()
    case .uint8: return h5s_native_uint8()
    }
  }
}

/// A Swift scalar that maps one to one onto an HDF5 numeric type.
///
/// Conformances: `Float` (float32), `Double` (float64), `Int32`, `Int64`, `UInt8`, and `Int`
/// (stored as int64). Reading checks that the stored dtype is exactly the element's kind.
public protocol HDF5Element: BitwiseCopyable, Sendable {
  static var hdf5Kind: HDF5ScalarKind { get }
}

extension Float: HDF5Element { public static var hdf5Kind: HDF5ScalarKind { .float32 } }
extension Double: HDF5Element { public static var hdf5Kind: HDF5ScalarKind { .float64 } }
extension Int32: HDF5Element { public static var hdf5Kind: HDF5ScalarKind { .int32 } }
extension Int64: HDF5Element { public static var hdf5Kind: HDF5ScalarKind { .int64 } }
extension UInt8: HDF5Element { public static var hdf5Kind: HDF5ScalarKind { .uint8 } }
extension Int: HDF5Element {
  public static var hdf5Kind: HDF5ScalarKind { MemoryLayout<Int>.size == 8 ? .int64 : .int32 }
}

/// An n-dimensional array read from a dataset: row-major `values`, `shape` of any rank
/// (`[]` for a scalar, whose `values` has one element).
public struct HDF5Array<T> {
  public let shape: [Int]
  public let values: [T]

  public init(shape: [Int], values: [T]) {
    self.shape = shape
    self.values = values
  }

  /// The number of elements (the product of `shape`, 1 for a scalar).
  public var count: Int { values.count }
}

extension HDF5Array: Sendable where T: Sendable {}
extension HDF5Array: Equatable where T: Equatable {}

/// Helpers that describe HDF5 datatypes and dataspaces (call under the HDF5 lock).
enum H5Types {
  /// A short dtype name: "float32", "int16", "uint8", "string", "compound", ...
  static func name(of type: hid_t) -> String {
    let size = H5Tget_size(type)
    switch H5Tget_class(type) {
    case H5T_FLOAT: return "float\(size * 8)"
    case H5T_INTEGER:
      return H5Tget_sign(type) == H5T_SGN_NONE ? "uint\(size * 8)" : "int\(size * 8)"
    case H5T_STRING: return "string"
    case H5T_COMPOUND: return "compound"
    case H5T_ENUM: return "enum"
    case H5T_BITFIELD: return "bitfield"
    case H5T_OPAQUE: return "opaque"
    case H5T_REFERENCE: return "reference"
    case H5T_VLEN: return "vlen"
    case H5T_ARRAY: return "array"
    case H5T_TIME: return "time"
    default: return "unknown"
    }
  }

  /// The dimensions of a dataspace: `[]` for scalar and null spaces.
  static func dims(of space: hid_t) -> [Int]? {
    let rank = H5Sget_simple_extent_ndims(space)
    guard rank >= 0 else { return nil }
    if rank == 0 { return [] }
    var dims = [hsize_t](repeating: 0, count: Int(rank))
    guard H5Sget_simple_extent_dims(space, &dims, nil) >= 0 else { return nil }
    return dims.map { Int($0) }
  }

  /// The number of elements a dataspace holds (0 for a null space).
  static func count(of space: hid_t) -> Int {
    if H5Sget_simple_extent_type(space) == H5S_NULL { return 0 }
    let n = H5Sget_simple_extent_npoints(space)
    return n < 0 ? 0 : Int(n)
  }

  /// A new dataspace for `shape` (scalar for `[]`), or a negative id on failure.
  static func dataspace(_ shape: [Int], maxShape: [hsize_t]? = nil) -> hid_t {
    if shape.isEmpty { return H5Screate(H5S_SCALAR) }
    let dims = shape.map { hsize_t($0) }
    if let maxShape { return H5Screate_simple(Int32(dims.count), dims, maxShape) }
    return H5Screate_simple(Int32(dims.count), dims, nil)
  }

  /// A new variable-length UTF-8 string type.
  static func variableString() -> hid_t {
    let type = H5Tcopy(h5s_c_s1())
    guard type >= 0 else { return type }
    _ = H5Tset_size(type, h5s_variable())
    _ = H5Tset_cset(type, H5T_CSET_UTF8)
    return type
  }

  /// Reads every string of a string-typed dataset or attribute, variable or fixed length.
  /// `read(memType, buffer)` performs the H5Dread/H5Aread; returns nil on failure.
  static func readStrings(
    fileType: hid_t, space: hid_t, read: (hid_t, UnsafeMutableRawPointer) -> herr_t
  ) -> [String]? {
    let n = count(of: space)
    if n == 0 { return [] }
    if H5Tis_variable_str(fileType) > 0 {
      let memType = H5Handle(variableString(), .datatype)
      var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: n)
      let status = pointers.withUnsafeMutableBytes { read(memType.id, $0.baseAddress!) }
      guard status >= 0 else { return nil }
      let strings = pointers.map { $0.map { String(cString: $0) } ?? "" }
      _ = pointers.withUnsafeMutableBytes {
        H5Dvlen_reclaim(memType.id, space, h5s_p_default(), $0.baseAddress!)
      }
      return strings
    }
    let size = H5Tget_size(fileType)
    guard size > 0 else { return nil }
    let memType = H5Handle(H5Tcopy(h5s_c_s1()), .datatype)
    _ = H5Tset_size(memType.id, size)
    _ = H5Tset_strpad(memType.id, H5T_STR_NULLPAD)
    _ = H5Tset_cset(memType.id, H5Tget_cset(fileType))
    var bytes = [UInt8](repeating: 0, count: n * size)
    let status = bytes.withUnsafeMutableBytes { read(memType.id, $0.baseAddress!) }
    guard status >= 0 else { return nil }
    return (0..<n).map { i in
      var item = bytes[(i * size)..<((i + 1) * size)]
      while let last = item.last, last == 0 || last == 0x20 && H5Tget_strpad(fileType) == H5T_STR_SPACEPAD {
        item.removeLast()
      }
      if let nul = item.firstIndex(of: 0) { item = item[..<nul] }
      return String(decoding: item, as: UTF8.self)
    }
  }

  /// Writes `strings` with a variable-length UTF-8 memory type through `write`.
  static func writeStrings(
    _ strings: [String], write: (hid_t, UnsafeRawPointer) -> herr_t
  ) -> herr_t {
    let memType = H5Handle(variableString(), .datatype)
    guard memType.id >= 0 else { return -1 }
    let pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    defer { for pointer in pointers { free(pointer) } }
    return pointers.withUnsafeBytes { write(memType.id, $0.baseAddress!) }
  }
}
