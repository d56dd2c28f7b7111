import Foundation

/// Decodes values written by ``BinaryEncoder``.
public struct BinaryDecoder {
  public init() {}

  /// The value of type `T` in `bytes` (which must hold exactly one encoded value).
  public func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
    let node = try bytes.withUnsafeBytes { raw -> BinaryNode in
      var offset = 0
      let node = try BinaryNode.read(raw, &offset)
      guard offset == raw.count else {
        throw BinaryCodingError("\(raw.count - offset) trailing bytes after the value")
      }
      return node
    }
    return try Self.value(type, from: node, codingPath: [])
  }

  static func value<T: Decodable>(_ type: T.Type, from node: BinaryNode, codingPath: [CodingKey]) throws -> T {
    if let scalar = try scalar(type, from: node, codingPath: codingPath) { return scalar }
    return try T(from: NodeDecoder(node: node, codingPath: codingPath))
  }

  /// Scalars and packed arrays (the counterpart of `BinaryEncoder.scalar`); nil for other types.
  static func scalar<T>(_ type: T.Type, from node: BinaryNode, codingPath: [CodingKey]) throws -> T? {
    func fail(_ expected: String) -> Error {
      DecodingError.typeMismatch(
        type,
        .init(codingPath: codingPath, debugDescription: "expected \(expected), found \(node)".prefix(200).description))
    }
    func integer<I: FixedWidthInteger>(_: I.Type) throws -> I {
      switch node {
      case .int(let v): if let x = I(exactly: v) { return x }
      case .uint(let v): if let x = I(exactly: v) { return x }
      default: break
      }
      throw fail("an integer fitting \(I.self)")
    }
    let result: Any
    switch ObjectIdentifier(type) {
    case ObjectIdentifier(Float.self):
      guard case .float(let b) = node else { throw fail("a Float") }
      result = Float(bitPattern: b)
    case ObjectIdentifier(Double.self):
      guard case .double(let b) = node else { throw fail("a Double") }
      result = Double(bitPattern: b)
    case ObjectIdentifier([Float].self):
      guard case .floats(let a) = node else { throw fail("packed Floats") }
      result = a.map(Float.init(bitPattern:))
    case ObjectIdentifier([Double].self):
      guard case .doubles(let a) = node else { throw fail("packed Doubles") }
      result = a.map(Double.init(bitPattern:))
    case ObjectIdentifier([UInt32].self):
      guard case .uint32s(let a) = node else { throw fail("packed UInt32s") }
      result = a
    case ObjectIdentifier([Int32].self):
      guard case .int32s(let a) = node else { throw fail("packed Int32s") }
      result = a
    case ObjectIdentifier(Bool.self):
      guard case .bool(let b) = node else { throw fail("a Bool") }
      result = b
    case ObjectIdentifier(String.self):
      guard case .string(let s) = node else { throw fail("a String") }
      result = s
    case ObjectIdentifier(Int.self): result = try integer(Int.self)
    case ObjectIdentifier(Int8.self): result = try integer(Int8.self)
    case ObjectIdentifier(Int16.self): result = try integer(Int16.self)
    case ObjectIdentifier(Int32.self): result = try integer(Int32.self)
    case ObjectIdentifier(Int64.self): result = try integer(Int64.self)
    case ObjectIdentifier(UInt.self): result = try integer(UInt.self)
    case ObjectIdentifier(UInt8.self): result = try integer(UInt8.self)
    case ObjectIdentifier(UInt16.self): result = try integer(UInt16.self)
    case ObjectIdentifier(UInt32.self): result = try integer(UInt32.self)
    case ObjectIdentifier(UInt64.self): result = try integer(UInt64.self)
    default: return nil
    }
    return result as? T
  }
}

private struct NodeDecoder: Decoder {
  let node: BinaryNode
  let codingPath: [CodingKey]
  var userInfo: [CodingUserInfoKey: Any] { [:] }

  func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
    guard case .keyed(let d) = node else {
      throw DecodingError.typeMismatch(
        [String: Any].self, .init(codingPath: codingPath, debugDescription: "expected a keyed container"))
    }
    return KeyedDecodingContainer(KeyedNodeReader<Key>(values: d, codingPath: codingPath))
  }

  func unkeyedContainer() throws -> UnkeyedDecodingContainer {
    guard case .unkeyed(let a) = node else {
      throw DecodingError.typeMismatch(
        [Any].self, .init(codingPath: codingPath, debugDescription: "expected an unkeyed container"))
    }
    return UnkeyedNodeReader(items: a, codingPath: codingPath)
  }

  func singleValueContainer() throws -> SingleValueDecodingContainer {
    SingleNodeReader(node: node, codingPath: codingPath)
  }
}

private struct KeyedNodeReader<Key: CodingKey>: KeyedDecodingContainerProtocol {
  let values: [String: BinaryNode]
  let codingPath: [CodingKey]
  var allKeys: [Key] { values.keys.compactMap(Key.init(stringValue:)) }

  func contains(_ key: Key) -> Bool { values[key.stringValue] != nil }

  private func node(_ key: Key) throws -> BinaryNode {
    guard let n = values[key.stringValue] else {
      throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "no value for the key"))
    }
    return n
  }

  func decodeNil(forKey key: Key) throws -> Bool { try node(key) == .null }
  func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
    try BinaryDecoder.value(type, from: node(key), codingPath: codingPath + [key])
  }
  func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
    -> KeyedDecodingContainer<NestedKey>
  {
    try NodeDecoder(node: node(key), codingPath: codingPath + [key]).container(keyedBy: type)
  }
  func nestedUnkeyedContainer(forKey key: Key) throws -> UnkeyedDecodingContainer {
    try NodeDecoder(node: node(key), codingPath: codingPath + [key]).unkeyedContainer()
  }
  func superDecoder() throws -> Decoder { NodeDecoder(node: values["super"] ?? .null, codingPath: codingPath) }
  func superDecoder(forKey key: Key) throws -> Decoder {
    NodeDecoder(node: try node(key), codingPath: codingPath + [key])
  }
}

private struct UnkeyedNodeReader: UnkeyedDecodingContainer {
  let items: [BinaryNode]
  let codingPath: [CodingKey]
  var currentIndex = 0
  var count: Int? { items.count }
  var isAtEnd: Bool { currentIndex >= items.count }

  init(items: [BinaryNode], codingPath: [CodingKey]) {
    self.items = items
    self.codingPath = codingPath
  }

  private mutating func next<T>(_ type: T.Type) throws -> BinaryNode {
    guard !isAtEnd else {
      throw DecodingError.valueNotFound(
        type, .init(codingPath: codingPath, debugDescription: "unkeyed container is at its end"))
    }
    currentIndex += 1
    return items[currentIndex - 1]
  }

  mutating func decodeNil() throws -> Bool {
    guard !isAtEnd, items[currentIndex] == .null else { return false }
    currentIndex += 1
    return true
  }
  mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
    try BinaryDecoder.value(type, from: next(type), codingPath: codingPath)
  }
  mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws
    -> KeyedDecodingContainer<NestedKey>
  {
    try NodeDecoder(node: next([String: Any].self), codingPath: codingPath).container(keyedBy: type)
  }
  mutating func nestedUnkeyedContainer() throws -> UnkeyedDecodingContainer {
    try NodeDecoder(node: next([Any].self), codingPath: codingPath).unkeyedContainer()
  }
  mutating func superDecoder() throws -> Decoder { NodeDecoder(node: try next(Any.self), codingPath: codingPath) }
}

private struct SingleNodeReader: SingleValueDecodingContainer {
  let node: BinaryNode
  let codingPath: [CodingKey]
  func decodeNil() -> Bool { node == .null }
  func decode<T: Decodable>(_ type: T.Type) throws -> T {
    try BinaryDecoder.value(type, from: node, codingPath: codingPath)
  }
}
