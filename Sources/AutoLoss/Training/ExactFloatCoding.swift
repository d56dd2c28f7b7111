import Engine

// Floats in trainer payloads and snapshots are coded as their IEEE bit patterns, so that NaN,
// ±infinity and every last bit survive any Encoder (JSON included) and a resumed or distributed run
// sees exactly the values of an uninterrupted single-process one.

/// Bit-exact encoding of floats: each `Float` is written as its `UInt32` bit pattern.
extension KeyedEncodingContainer {
  /// Encodes `value` as its bit pattern.
  public mutating func encodeExact(_ value: Float, forKey key: Key) throws {
    try encode(value.bitPattern, forKey: key)
  }

  /// Encodes `values` as their bit patterns.
  public mutating func encodeExact(_ values: [Float], forKey key: Key) throws {
    try encode(values.map(\.bitPattern), forKey: key)
  }
}

/// Bit-exact decoding of floats written as `UInt32` bit patterns.
extension KeyedDecodingContainer {
  /// Decodes a float written by ``KeyedEncodingContainer/encodeExact(_:forKey:)-(Float,_)``.
  public func decodeExact(_ type: Float.Type, forKey key: Key) throws -> Float {
    Float(bitPattern: try decode(UInt32.self, forKey: key))
  }

  /// Decodes floats written by ``KeyedEncodingContainer/encodeExact(_:forKey:)-([Float],_)``.
  public func decodeExact(_ type: [Float].Type, forKey key: Key) throws -> [Float] {
    try decode([UInt32].self, forKey: key).map(Float.init(bitPattern:))
  }
}

extension ValidationCheck: Codable {
  enum CodingKeys: String, CodingKey { case step, error, extra }

  /// Decodes a check; `error` and `extra` are read from their bit patterns.
  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    self.init(
      step: try c.decode(Int.self, forKey: .step), error: try c.decodeExact(Float.self, forKey: .error),
      extra: try c.decodeExact(Float.self, forKey: .extra))
  }

  /// Encodes a check; `error` and `extra` are written as their bit patterns.
  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(step, forKey: .step)
    try c.encodeExact(error, forKey: .error)
    try c.encodeExact(extra, forKey: .extra)
  }
}

extension EpisodeTrace: Codable {
  enum CodingKeys: String, CodingKey {
    case actions, probabilities, features, losses, checks, steps, bestValidationError, testError, outcome
  }

  /// Decodes a trace; floats are read from their bit patterns.
  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    self.init()
    actions = try c.decode([Int32].self, forKey: .actions)
    probabilities = try c.decodeExact([Float].self, forKey: .probabilities)
    features = try c.decodeExact([Float].self, forKey: .features)
    losses = try c.decodeExact([Float].self, forKey: .losses)
    checks = try c.decode([ValidationCheck].self, forKey: .checks)
    steps = try c.decode(Int.self, forKey: .steps)
    bestValidationError = try c.decodeExact(Float.self, forKey: .bestValidationError)
    testError = try c.decodeExact(Float.self, forKey: .testError)
    outcome = try c.decode(String.self, forKey: .outcome)
  }

  /// Encodes a trace; floats are written as their bit patterns, so NaN and ±∞ survive JSON.
  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(actions, forKey: .actions)
    try c.encodeExact(probabilities, forKey: .probabilities)
    try c.encodeExact(features, forKey: .features)
    try c.encodeExact(losses, forKey: .losses)
    try c.encode(checks, forKey: .checks)
    try c.encode(steps, forKey: .steps)
    try c.encodeExact(bestValidationError, forKey: .bestValidationError)
    try c.encodeExact(testError, forKey: .testError)
    try c.encode(outcome, forKey: .outcome)
  }
}

extension EpisodeTrace: Equatable {
  /// Bitwise equality of every recorded value (NaN equals NaN when the bits agree).
  public static func == (a: EpisodeTrace, b: EpisodeTrace) -> Bool {
    func same(_ x: [Float], _ y: [Float]) -> Bool { x.map(\.bitPattern) == y.map(\.bitPattern) }
    func same(_ x: [ValidationCheck], _ y: [ValidationCheck]) -> Bool {
      x.count == y.count
        && zip(x, y).allSatisfy {
          $0.step == $1.step && $0.error.bitPattern == $1.error.bitPattern && $0.extra.bitPattern == $1.extra.bitPattern
        }
    }
    return a.actions == b.actions && same(a.probabilities, b.probabilities) && same(a.features, b.features)
      && same(a.losses, b.losses) && same(a.checks, b.checks) && a.steps == b.steps
      && a.bestValidationError.bitPattern == b.bestValidationError.bitPattern
      && a.testError.bitPattern == b.testError.bitPattern && a.outcome == b.outcome
  }
}

/// Named parameter tensors in a Codable, bit-exact form (controller weights in snapshots).
public struct ParameterSet: Codable, Sendable, Equatable {
  /// Parameter names, sorted.
  public var names: [String]
  /// The shape of each parameter, in the order of ``names``.
  public var shapes: [[Int]]
  /// The row-major values of each parameter, in the order of ``names``.
  public var values: [[Float]]

  /// Copies named tensors (a module's `stateDict()`), sorted by name.
  public init(_ state: [String: Tensor]) {
    let sorted = state.sorted { $0.key < $1.key }
    names = sorted.map(\.key)
    shapes = sorted.map(\.value.shape)
    values = sorted.map(\.value.data)
  }

  /// The tensors by name.
  public var tensors: [String: Tensor] {
    var out: [String: Tensor] = [:]
    for (i, name) in names.enumerated() { out[name] = Tensor(shape: shapes[i], data: values[i]) }
    return out
  }

  enum CodingKeys: String, CodingKey { case names, shapes, values }

  /// Decodes a parameter set from bit patterns.
  ///
  /// - Throws: `DecodingError.dataCorrupted` when names, shapes and value counts do not agree.
  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    names = try c.decode([String].self, forKey: .names)
    shapes = try c.decode([[Int]].self, forKey: .shapes)
    values = try c.decode([[UInt32]].self, forKey: .values).map { $0.map(Float.init(bitPattern:)) }
    guard shapes.count == names.count, values.count == names.count,
      zip(shapes, values).allSatisfy({ $0.0.reduce(1, *) == $0.1.count })
    else {
      throw DecodingError.dataCorruptedError(
        forKey: .values, in: c, debugDescription: "parameter names, shapes and value counts do not agree")
    }
  }

  /// Encodes the parameters; values are written as their bit patterns.
  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(names, forKey: .names)
    try c.encode(shapes, forKey: .shapes)
    try c.encode(values.map { $0.map(\.bitPattern) }, forKey: .values)
  }

  /// Bitwise equality of names, shapes and values.
  public static func == (a: ParameterSet, b: ParameterSet) -> Bool {
    a.names == b.names && a.shapes == b.shapes
      && a.values.map { $0.map(\.bitPattern) } == b.values.map { $0.map(\.bitPattern) }
  }
}
