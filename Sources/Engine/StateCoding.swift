// Bit-exact Codable forms of training state (optimizer moments, random streams), so that a run
// saved to JSON (or any Encoder) and restored continues exactly as an uninterrupted one: floats are
// coded as their IEEE bit patterns, so NaN, ±infinity and every last bit survive.

extension AdamState: Codable {
  enum CodingKeys: String, CodingKey { case stepCount, m, v }

  /// Decodes a state written by ``encode(to:)``.
  ///
  /// - Throws: `DecodingError.dataCorrupted` when the first and second moments do not pair up.
  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    let m = try c.decode([[UInt32]].self, forKey: .m).map { $0.map(Float.init(bitPattern:)) }
    let v = try c.decode([[UInt32]].self, forKey: .v).map { $0.map(Float.init(bitPattern:)) }
    guard m.count == v.count, zip(m, v).allSatisfy({ $0.0.count == $0.1.count }) else {
      throw DecodingError.dataCorruptedError(
        forKey: .v, in: c, debugDescription: "Adam state: first moments \(m.map(\.count)), second \(v.map(\.count))")
    }
    self.init(stepCount: try c.decode(Int.self, forKey: .stepCount), m: m, v: v)
  }

  /// Encodes the step count and the moments (as bit patterns).
  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(stepCount, forKey: .stepCount)
    try c.encode(m.map { $0.map(\.bitPattern) }, forKey: .m)
    try c.encode(v.map { $0.map(\.bitPattern) }, forKey: .v)
  }

  /// Bitwise equality (NaN equals NaN when the bits agree).
  public static func == (a: AdamState, b: AdamState) -> Bool {
    a.stepCount == b.stepCount && a.m.map { $0.map(\.bitPattern) } == b.m.map { $0.map(\.bitPattern) }
      && a.v.map { $0.map(\.bitPattern) } == b.v.map { $0.map(\.bitPattern) }
  }
}

/// The generator's four state words: a restored generator continues the same stream.
extension SeededRandom: Codable, Equatable {
  /// Decodes a generator from its four state words.
  ///
  /// - Throws: `DecodingError.dataCorrupted` unless there are exactly four words.
  public init(from decoder: Decoder) throws {
    var c = try decoder.unkeyedContainer()
    var words: [UInt64] = []
    while !c.isAtEnd { words.append(try c.decode(UInt64.self)) }
    guard words.count == 4 else {
      throw DecodingError.dataCorrupted(
        .init(
          codingPath: decoder.codingPath, debugDescription: "SeededRandom: expected 4 state words, found \(words.count)"
        ))
    }
    self.init(seed: 0)
    s = (words[0], words[1], words[2], words[3])
  }

  /// Encodes the four state words.
  public func encode(to encoder: Encoder) throws {
    var c = encoder.unkeyedContainer()
    for w in [s.0, s.1, s.2, s.3] { try c.encode(w) }
  }

  /// Whether two generators are at the same point of the same stream.
  public static func == (a: SeededRandom, b: SeededRandom) -> Bool { a.s == b.s }
}
