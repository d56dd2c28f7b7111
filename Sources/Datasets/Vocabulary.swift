/// A token vocabulary with the paper's reserved ids: 0 UNK, 1 START, 2 END, 3 PAD.
public struct Vocabulary: Sendable, Equatable {
  public static let unk: Int32 = 0, start: Int32 = 1, end: Int32 = 2, pad: Int32 = 3
  /// The reserved tokens, at ids 0...3.
  public static let reserved = ["<unk>", "<s>", "</s>", "<pad>"]

  /// Tokens by id; the first four are `reserved`.
  public private(set) var tokens: [String]
  private var ids: [String: Int32]

  /// The reserved tokens, then the most frequent tokens (count descending, then token order)
  /// with at least `minCount` occurrences, up to `maxSize` entries in all.
  public init(counts: [String: Int], maxSize: Int? = nil, minCount: Int = 1) {
    let ranked = counts.filter { $0.value >= minCount && !Self.reserved.contains($0.key) }
      .sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
      .map(\.key)
    let room = maxSize.map { max(0, $0 - Self.reserved.count) } ?? ranked.count
    self.tokens = Self.reserved + ranked.prefix(room)
    self.ids = Dictionary(uniqueKeysWithValues: tokens.enumerated().map { ($0.element, Int32($0.offset)) })
  }

  /// Counts the tokens of `sentences` and builds the vocabulary from them.
  public init(sentences: [[String]], maxSize: Int? = nil, minCount: Int = 1) {
    var counts: [String: Int] = [:]
    for s in sentences { for t in s { counts[t, default: 0] += 1 } }
    self.init(counts: counts, maxSize: maxSize, minCount: minCount)
  }

  /// A stored token list; it must start with the reserved tokens and hold no duplicates.
  public init(tokens: [String], path: String = "<memory>") throws {
    guard Array(tokens.prefix(Self.reserved.count)) == Self.reserved else {
      throw DatasetError.unexpected(
        path, expected: "a vocabulary starting with \(Self.reserved)", found: "\(Array(tokens.prefix(4)))")
    }
    var ids: [String: Int32] = [:]
    for (i, t) in tokens.enumerated() {
      guard ids[t] == nil else {
        throw DatasetError.unexpected(path, expected: "unique tokens", found: "'\(t)' twice (ids \(ids[t]!) and \(i))")
      }
      ids[t] = Int32(i)
    }
    self.tokens = tokens
    self.ids = ids
  }

  /// The number of ids, reserved ones included.
  public var count: Int { tokens.count }

  /// The id of `token`, or `unk`.
  public func id(_ token: String) -> Int32 { ids[token] ?? Self.unk }

  /// The ids of a sentence, optionally wrapped in START ... END.
  public func encode(_ sentence: [String], addStart: Bool = false, addEnd: Bool = false) -> [Int32] {
    (addStart ? [Self.start] : []) + sentence.map(id) + (addEnd ? [Self.end] : [])
  }

  /// The tokens of `ids`, dropping START, END and PAD; unknown ids decode to `<unk>`.
  public func decode(_ ids: [Int32]) -> [String] {
    ids.compactMap { id in
      if id == Self.start || id == Self.end || id == Self.pad { return nil }
      return id >= 0 && Int(id) < tokens.count ? tokens[Int(id)] : Self.reserved[0]
    }
  }
}
