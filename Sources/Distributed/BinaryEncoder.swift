import Foundation

/// Encodes `Encodable` values to a compact binary form that ``BinaryDecoder`` reads back exactly:
/// `Float` and `Double` travel by bit pattern (NaN payloads and signed zeros included), and arrays
/// of `Float`, `Double` and `Int32` are packed.
public struct BinaryEncoder {
  public init() {}

  /// The bytes of `value`.
  public func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
    var out: [UInt8] = []
    try Self.node(for: value, codingPath: []).write(to: &out)
    return out
  }

  static func node<T: Encodable>(for value: T, codingPath: [CodingKey]) throws -> BinaryNode {
    if let scalar = scalar(value) { return scalar }
    let encoder = NodeEncoder(node: MutableNode(), codingPath: codingPath)
    try value.encode(to: encoder)
    return encoder.node.frozen
  }

  /// Scalars and packed arrays, which bypass `encode(to:)`. Matched on the exact static type
  /// (a cast would also turn an empty `[UInt32]` into a `[Float]`).
  static func scalar<T>(_ value: T) -> BinaryNode? {
    func exact<U>(_: U.Type) -> U? { T.self == U.self ? value as? U : nil }
    if let v = exact(Float.self) { return .float(v.bitPattern) }
    if let v = exact(Double.self) { return .double(v.bitPattern) }
    if let v = exact([Float].self) { return .floats(v.map(\.bitPattern)) }
    if let v = exact([Double].self) { return .doubles(v.map(\.bitPattern)) }
    if let v = exact([Int32].self) { return .int32s(v) }
    if let v = exact([UInt32].self) { return .uint32s(v) }
    if let v = exact(Bool.self) { return .bool(v) }
    if let v = exact(String.self) { return .string(v) }
    if let v = exact(Int.self) { return .int(Int64(v)) }
    if let v = exact(Int8.self) { return .int(Int64(v)) }
    if let v = exact(Int16.self) { return .int(Int64(v)) }
    if let v = exact(Int32.self) { return .int(Int64(v)) }
    if let v = exact(Int64.self) { return .int(v) }
    if let v = exact(UInt.self) { return .uint(UInt64(v)) }
    if let v = exact(UInt8.self) { return .uint(UInt64(v)) }
    if let v = exact(UInt16.self) { return .uint(UInt64(v)) }
    if let v = exact(UInt32.self) { return .uint(UInt64(v)) }
    if let v = exact(UInt64.self) { return .uint(v) }
    return nil
  }
}

/// A node under construction: containers hold references and fill them in place.
final class MutableNode {
  enum Content {
    case value(BinaryNode)
    case keyed([String: MutableNode])
    case unkeyed([MutableNode])
  }
  var content: Content = .value(.null)

  var frozen: BinaryNode {
    switch content {
    case .value(let n): return n
    case .keyed(let d): return .keyed(d.mapValues(\.frozen))
    case .unkeyed(let a): return .unkeyed(a.map(\.frozen))
    }
  }

  func makeKeyed() {
    if case .keyed = content { return }
    content = .keyed([:])
  }

  func makeUnkeyed() {
    if case .unkeyed = content { return }
    content = .unkeyed([])
  }

  func set(_ child: MutableNode, forKey key: String) {
    guard case .keyed(var d) = content else { return }
    content = .value(.null)
    d[key] = child
    content = .keyed(d)
  }

  func append(_ child: MutableNode) {
    guard case .unkeyed(var a) = content else { return }
    content = .value(.null)
    a.append(child)
    content = .unkeyed(a)
  }

  var count: Int {
    if case .unkeyed(let a) = content { return a.count }
    return 0
  }

  static func leaf<T: Encodable>(_ value: T, codingPath: [CodingKey]) throws -> MutableNode {
    let n = MutableNode()
    n.content = .value(try BinaryEncoder.node(for: value, codingPath: codingPath))
    return n
  }

  static var null: MutableNode { MutableNode() }
}

private final class NodeEncoder: Encoder {
  let node: MutableNode
  let codingPath: [CodingKey]
  var userInfo: [CodingUserInfoKey: Any] { [:] }
  init(node: MutableNode, codingPath: [CodingKey]) {
    self.node = node
    self.codingPath = codingPath
  }

  func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
    node.makeKeyed()
    return KeyedEncodingContainer(KeyedNodeContainer<Key>(node: node, codingPath: codingPath))
  }

  func unkeyedContainer() -> UnkeyedEncodingContainer {
    node.makeUnkeyed()
    return UnkeyedNodeContainer(node: node, codingPath: codingPath)
  }

  func singleValueContainer() -> SingleValueEncodingContainer {
    SingleNodeContainer(node: node, codingPath: codingPath)
  }
}

private struct KeyedNodeContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
  let node: MutableNode
  let codingPath: [CodingKey]

  mutating func encodeNil(forKey key: Key) throws { node.set(.null, forKey: key.stringValue) }
  mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
    node.set(try .leaf(value, codingPath: codingPath + [key]), forKey: key.stringValue)
  }

  mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
    -> KeyedEncodingContainer<NestedKey>
  {
    let child = MutableNode()
    node.set(child, forKey: key.stringValue)
    return NodeEncoder(node: child, codingPath: codingPath + [key]).container(keyedBy: keyType)
  }

  mutating func nestedUnkeyedContainer(forKey key: Key) -> UnkeyedEncodingContainer {
    let child = MutableNode()
    node.set(child, forKey: key.stringValue)
    return NodeEncoder(node: child, codingPath: codingPath + [key]).unkeyedContainer()
  }

  mutating func superEncoder() -> Encoder { superEncoder(key: "super") }
  mutating func superEncoder(forKey key: Key) -> Encoder { superEncoder(key: key.stringValue) }
  private func superEncoder(key: String) -> Encoder {
    let child = MutableNode()
    node.set(child, forKey: key)
    return NodeEncoder(node: child, codingPath: codingPath)
  }
}

private struct UnkeyedNodeContainer: UnkeyedEncodingContainer {
  let node: MutableNode
  let codingPath: [CodingKey]
  var count: Int { node.count }

  mutating func encodeNil() throws { node.append(.null) }
  mutating func encode<T: Encodable>(_ value: T) throws { node.append(try .leaf(value, codingPath: codingPath)) }
  mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
    -> KeyedEncodingContainer<NestedKey>
  {
    let child = MutableNode()
    node.append(child)
    return NodeEncoder(node: child, codingPath: codingPath).container(keyedBy: keyType)
  }
  mutating func nestedUnkeyedContainer() -> UnkeyedEncodingContainer {
    let child = MutableNode()
    node.append(child)
    return NodeEncoder(node: child, codingPath: codingPath).unkeyedContainer()
  }
  mutating func superEncoder() -> Encoder {
    let child = MutableNode()
    node.append(child)
    return NodeEncoder(node: child, codingPath: codingPath)
  }
}

private struct SingleNodeContainer: SingleValueEncodingContainer {
  let node: MutableNode
  let codingPath: [CodingKey]
  mutating func encodeNil() throws { node.content = .value(.null) }
  mutating func encode<T: Encodable>(_ value: T) throws {
    node.content = .value(try BinaryEncoder.node(for: value, codingPath: codingPath))
  }
}
