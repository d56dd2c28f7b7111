import Foundation

/// The tree a ``BinaryEncoder`` builds and a ``BinaryDecoder`` reads: scalars as raw little-endian
/// bytes (floats by bit pattern, so NaN payloads survive), keyed and unkeyed containers, and packed
/// arrays of floats and integers.
indirect enum BinaryNode: Equatable {
  case null
  case bool(Bool)
  case int(Int64)
  case uint(UInt64)
  case float(UInt32)
  case double(UInt64)
  case string(String)
  case floats([UInt32])
  case doubles([UInt64])
  case int32s([Int32])
  case uint32s([UInt32])
  case keyed([String: BinaryNode])
  case unkeyed([BinaryNode])

  private enum Tag: UInt8 {
    case null, bool, int, uint, float, double, string, floats, doubles, int32s, keyed, unkeyed, uint32s
  }

  /// Appends this node's bytes to `out`.
  func write(to out: inout [UInt8]) {
    switch self {
    case .null: out.append(Tag.null.rawValue)
    case .bool(let v): out += [Tag.bool.rawValue, v ? 1 : 0]
    case .int(let v):
      out.append(Tag.int.rawValue)
      Self.put(UInt64(bitPattern: v), &out)
    case .uint(let v):
      out.append(Tag.uint.rawValue)
      Self.put(v, &out)
    case .float(let v):
      out.append(Tag.float.rawValue)
      Self.put(UInt64(v), &out)
    case .double(let v):
      out.append(Tag.double.rawValue)
      Self.put(v, &out)
    case .string(let s):
      out.append(Tag.string.rawValue)
      Self.putString(s, &out)
    case .floats(let a):
      out.append(Tag.floats.rawValue)
      Self.put(UInt64(a.count), &out)
      for v in a { withUnsafeBytes(of: v.littleEndian) { out += $0 } }
    case .doubles(let a):
      out.append(Tag.doubles.rawValue)
      Self.put(UInt64(a.count), &out)
      for v in a { Self.put(v, &out) }
    case .int32s(let a):
      out.append(Tag.int32s.rawValue)
      Self.put(UInt64(a.count), &out)
      for v in a { withUnsafeBytes(of: v.littleEndian) { out += $0 } }
    case .uint32s(let a):
      out.append(Tag.uint32s.rawValue)
      Self.put(UInt64(a.count), &out)
      for v in a { withUnsafeBytes(of: v.littleEndian) { out += $0 } }
    case .keyed(let d):
      out.append(Tag.keyed.rawValue)
      Self.put(UInt64(d.count), &out)
      for key in d.keys.sorted() {
        Self.putString(key, &out)
        d[key]!.write(to: &out)  // the key comes from d.keys
      }
    case .unkeyed(let a):
      out.append(Tag.unkeyed.rawValue)
      Self.put(UInt64(a.count), &out)
      for n in a { n.write(to: &out) }
    }
  }

  private static func put(_ v: UInt64, _ out: inout [UInt8]) {
    withUnsafeBytes(of: v.littleEndian) { out += $0 }
  }

  private static func putString(_ s: String, _ out: inout [UInt8]) {
    let bytes = Array(s.utf8)
    put(UInt64(bytes.count), &out)
    out += bytes
  }

  /// Reads one node from `bytes` at `offset`, advancing it.
  static func read(_ bytes: UnsafeRawBufferPointer, _ offset: inout Int) throws -> BinaryNode {
    let raw = try readByte(bytes, &offset)
    guard let tag = Tag(rawValue: raw) else { throw BinaryCodingError("unknown node tag \(raw) at byte \(offset - 1)") }
    switch tag {
    case .null: return .null
    case .bool: return .bool(try readByte(bytes, &offset) != 0)
    case .int: return .int(Int64(bitPattern: try readWord(bytes, &offset)))
    case .uint: return .uint(try readWord(bytes, &offset))
    case .float:
      let w = try readWord(bytes, &offset)
      guard let v = UInt32(exactly: w) else { throw BinaryCodingError("float bit pattern \(w) out of range") }
      return .float(v)
    case .double: return .double(try readWord(bytes, &offset))
    case .string: return .string(try readString(bytes, &offset))
    case .floats:
      let n = try readCount(bytes, &offset, elementSize: 4)
      let a = (0..<n).map { i in
        UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 4 * i, as: UInt32.self))
      }
      offset += 4 * n
      return .floats(a)
    case .doubles:
      let n = try readCount(bytes, &offset, elementSize: 8)
      let a = (0..<n).map { i in
        UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 8 * i, as: UInt64.self))
      }
      offset += 8 * n
      return .doubles(a)
    case .int32s:
      let n = try readCount(bytes, &offset, elementSize: 4)
      let a = (0..<n).map { i in
        Int32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 4 * i, as: Int32.self))
      }
      offset += 4 * n
      return .int32s(a)
    case .uint32s:
      let n = try readCount(bytes, &offset, elementSize: 4)
      let a = (0..<n).map { i in
        UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 4 * i, as: UInt32.self))
      }
      offset += 4 * n
      return .uint32s(a)
    case .keyed:
      let n = try readCount(bytes, &offset, elementSize: 2)
      var d: [String: BinaryNode] = [:]
      for _ in 0..<n {
        let key = try readString(bytes, &offset)
        d[key] = try read(bytes, &offset)
      }
      return .keyed(d)
    case .unkeyed:
      let n = try readCount(bytes, &offset, elementSize: 1)
      var a: [BinaryNode] = []
      a.reserveCapacity(n)
      for _ in 0..<n { a.append(try read(bytes, &offset)) }
      return .unkeyed(a)
    }
  }

  private static func readByte(_ bytes: UnsafeRawBufferPointer, _ offset: inout Int) throws -> UInt8 {
    guard offset < bytes.count else { throw BinaryCodingError("truncated buffer (\(bytes.count) bytes)") }
    offset += 1
    return bytes[offset - 1]
  }

  private static func readWord(_ bytes: UnsafeRawBufferPointer, _ offset: inout Int) throws -> UInt64 {
    guard offset + 8 <= bytes.count else { throw BinaryCodingError("truncated buffer (\(bytes.count) bytes)") }
    offset += 8
    return UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset - 8, as: UInt64.self))
  }

  /// A count of elements of at least `elementSize` bytes each that must fit in the rest of the buffer.
  private static func readCount(_ bytes: UnsafeRawBufferPointer, _ offset: inout Int, elementSize: Int) throws -> Int {
    let w = try readWord(bytes, &offset)
    guard w <= UInt64((bytes.count - offset) / elementSize) else {
      throw BinaryCodingError("count \(w) exceeds the \(bytes.count - offset) bytes left")
    }
    return Int(w)
  }

  private static func readString(_ bytes: UnsafeRawBufferPointer, _ offset: inout Int) throws -> String {
    let n = try readCount(bytes, &offset, elementSize: 1)
    let s = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + n]), as: UTF8.self)
    offset += n
    return s
  }
}

/// A malformed buffer or a value that does not fit the type being decoded.
public struct BinaryCodingError: Error, CustomStringConvertible, Sendable {
  public var description: String
  init(_ message: String) { description = "binary coding: " + message }
}
