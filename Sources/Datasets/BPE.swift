/// One learned merge: adjacent symbols `left` and `right` become `left + right`.
public struct BPEMerge: Hashable, Sendable {
  public var left: String
  public var right: String

  public init(_ left: String, _ right: String) {
    self.left = left
    self.right = right
  }
}

/// Byte-pair encoding in the style of subword-nmt (Sennrich et al. 2016): words are split into
/// characters with an end-of-word marker `</w>` glued to the last one, and the most frequent
/// adjacent pair is merged repeatedly. Applying the codes merges pairs in learned order; pieces
/// of a word other than the last carry the continuation marker `@@` ("lower" -> "low@@ er").
public struct BPE: Sendable, Equatable {
  public static let endOfWord = "</w>"
  public static let continuation = "@@"

  /// The merges in the order they were learned (their rank).
  public private(set) var merges: [BPEMerge]
  private var ranks: [BPEMerge: Int]

  /// Codes from a merge list, e.g. read back from storage.
  public init(merges: [BPEMerge]) {
    self.merges = merges
    var ranks: [BPEMerge: Int] = [:]
    for (i, m) in merges.enumerated() where ranks[m] == nil { ranks[m] = i }
    self.ranks = ranks
  }

  /// Learns up to `merges` merges from word frequencies. Stops early when the most frequent pair
  /// occurs fewer than `minFrequency` times. Ties go to the lexicographically larger pair, as in
  /// subword-nmt, so the result does not depend on dictionary order.
  public static func learn(wordCounts: [String: Int], merges: Int, minFrequency: Int = 2) -> BPE {
    var learner = BPELearner(wordCounts: wordCounts)
    return BPE(merges: learner.run(merges: merges, minFrequency: minFrequency))
  }

  /// Learns from tokenized sentences (word frequencies counted over all of them).
  public static func learn(sentences: [[String]], merges: Int, minFrequency: Int = 2) -> BPE {
    var counts: [String: Int] = [:]
    for sentence in sentences { for word in sentence { counts[word, default: 0] += 1 } }
    return learn(wordCounts: counts, merges: merges, minFrequency: minFrequency)
  }

  /// The pieces of one word, all but the last ending in `@@`.
  public func segment(_ word: String) -> [String] {
    guard !word.isEmpty else { return [] }
    var symbols = word.map { String($0) }
    symbols[symbols.count - 1] += Self.endOfWord
    while symbols.count > 1 {
      var best: (rank: Int, merge: BPEMerge)?
      for i in 0..<(symbols.count - 1) {
        let m = BPEMerge(symbols[i], symbols[i + 1])
        if let r = ranks[m], best == nil || r < best!.rank { best = (r, m) }
      }
      guard let (_, merge) = best else { break }
      var merged: [String] = []
      var i = 0
      while i < symbols.count {
        if i + 1 < symbols.count && symbols[i] == merge.left && symbols[i + 1] == merge.right {
          merged.append(merge.left + merge.right)
          i += 2
        } else {
          merged.append(symbols[i])
          i += 1
        }
      }
      symbols = merged
    }
    let last = symbols.count - 1
    symbols[last] = String(symbols[last].dropLast(Self.endOfWord.count))
    if symbols[last].isEmpty { symbols.removeLast() }
    return symbols.enumerated().map { $0.offset < symbols.count - 1 ? $0.element + Self.continuation : $0.element }
  }

  /// Segments every token of a sentence (words seen before are looked up in a per-call cache).
  public func apply(_ tokens: [String]) -> [String] {
    var cache: [String: [String]] = [:]
    return apply(tokens, cache: &cache)
  }

  /// Segments many sentences with one shared cache.
  public func apply(sentences: [[String]]) -> [[String]] {
    var cache: [String: [String]] = [:]
    return sentences.map { apply($0, cache: &cache) }
  }

  func apply(_ tokens: [String], cache: inout [String: [String]]) -> [String] {
    var out: [String] = []
    for token in tokens {
      if let pieces = cache[token] {
        out += pieces
      } else {
        let pieces = segment(token)
        cache[token] = pieces
        out += pieces
      }
    }
    return out
  }

  /// Joins pieces back into words: the inverse of `apply` (the `@@ ` markers are removed).
  public static func join(_ pieces: [String]) -> [String] {
    var words: [String] = []
    var pending = ""
    for piece in pieces {
      if piece.hasSuffix(continuation) {
        pending += piece.dropLast(continuation.count)
      } else {
        words.append(pending + piece)
        pending = ""
      }
    }
    if !pending.isEmpty { words.append(pending) }
    return words
  }

  /// The codes as subword-nmt writes them: a version line, then one "left right" per line.
  public var codesText: String {
    "#version: 0.2\n" + merges.map { "\($0.left) \($0.right)\n" }.joined()
  }

  /// Parses `codesText`; `path` names the source in errors.
  public init(codesText: String, path: String = "<memory>") throws {
    var merges: [BPEMerge] = []
    for (i, line) in RawFile.lines(codesText).enumerated() {
      if i == 0 && line.hasPrefix("#version") { continue }
      let parts = line.split(separator: " ", omittingEmptySubsequences: false)
      guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
        throw DatasetError.unexpected(
          path, line: i + 1, expected: "two symbols separated by one space", found: "'\(line)'")
      }
      merges.append(BPEMerge(String(parts[0]), String(parts[1])))
    }
    self.init(merges: merges)
  }

  public static func == (a: BPE, b: BPE) -> Bool { a.merges == b.merges }
}

/// The incremental learner: interned symbols, pair counts, an index from pairs to the words that
/// contain them, and a lazy max-heap of (count, pair).
struct BPELearner {
  var symbols: [String] = []
  var symbolIds: [String: Int32] = [:]
  var words: [[Int32]] = []
  var freqs: [Int] = []
  var pairCounts: [UInt64: Int] = [:]
  var pairWords: [UInt64: [Int32]] = [:]
  var heap: [(count: Int, pair: UInt64)] = []

  init(wordCounts: [String: Int]) {
    let sorted = wordCounts.filter { !$0.key.isEmpty && $0.value > 0 }.sorted { $0.key < $1.key }
    for (word, freq) in sorted {
      var ids = word.map { intern(String($0)) }
      ids[ids.count - 1] = intern(String(word.last!) + BPE.endOfWord)
      let w = Int32(words.count)
      words.append(ids)
      freqs.append(freq)
      for i in 0..<(ids.count - 1) {
        let p = Self.key(ids[i], ids[i + 1])
        pairCounts[p, default: 0] += freq
        pairWords[p, default: []].append(w)
      }
    }
    for (p, c) in pairCounts { push(c, p) }
  }

  mutating func intern(_ s: String) -> Int32 {
    if let id = symbolIds[s] { return id }
    let id = Int32(symbols.count)
    symbols.append(s)
    symbolIds[s] = id
    return id
  }

  static func key(_ a: Int32, _ b: Int32) -> UInt64 { UInt64(UInt32(a)) << 32 | UInt64(UInt32(b)) }

  /// Whether entry x ranks above entry y: higher count, then the larger (left, right) strings.
  func above(_ x: (count: Int, pair: UInt64), _ y: (count: Int, pair: UInt64)) -> Bool {
    if x.count != y.count { return x.count > y.count }
    let xl = symbols[Int(x.pair >> 32)]
    let yl = symbols[Int(y.pair >> 32)]
    if xl != yl { return xl > yl }
    return symbols[Int(x.pair & 0xffff_ffff)] > symbols[Int(y.pair & 0xffff_ffff)]
  }

  mutating func push(_ count: Int, _ pair: UInt64) {
    heap.append((count, pair))
    var i = heap.count - 1
    while i > 0 {
      let parent = (i - 1) / 2
      guard above(heap[i], heap[parent]) else { break }
      heap.swapAt(i, parent)
      i = parent
    }
  }

  mutating func pop() -> (count: Int, pair: UInt64)? {
    guard let top = heap.first else { return nil }
    let last = heap.removeLast()
    if !heap.isEmpty {
      heap[0] = last
      var i = 0
      while true {
        let l = 2 * i + 1
        let r = l + 1
        var best = i
        if l < heap.count && above(heap[l], heap[best]) { best = l }
        if r < heap.count && above(heap[r], heap[best]) { best = r }
        if best == i { break }
        heap.swapAt(i, best)
        i = best
      }
    }
    return top
  }

  mutating func run(merges: Int, minFrequency: Int) -> [BPEMerge] {
    var out: [BPEMerge] = []
    var stamp = [Int](repeating: -1, count: words.count)
    while out.count < merges, let top = pop() {
      guard pairCounts[top.pair] == top.count, top.count > 0 else { continue }  // stale entry
      guard top.count >= minFrequency else { break }
      let a = Int32(top.pair >> 32)
      let b = Int32(top.pair & 0xffff_ffff)
      out.append(BPEMerge(symbols[Int(a)], symbols[Int(b)]))
      let ab = intern(symbols[Int(a)] + symbols[Int(b)])
      var changed = Set<UInt64>()
      for w in pairWords[top.pair] ?? [] where stamp[Int(w)] != out.count {
        stamp[Int(w)] = out.count
        let old = words[Int(w)]
        let f = freqs[Int(w)]
        var new: [Int32] = []
        var i = 0
        var hit = false
        while i < old.count {
          if i + 1 < old.count && old[i] == a && old[i + 1] == b {
            new.append(ab)
            i += 2
            hit = true
          } else {
            new.append(old[i])
            i += 1
          }
        }
        guard hit else { continue }
        for j in 0..<(old.count - 1) {
          let p = Self.key(old[j], old[j + 1])
          pairCounts[p, default: 0] -= f
          changed.insert(p)
        }
        for j in 0..<(new.count - 1) {
          let p = Self.key(new[j], new[j + 1])
          pairCounts[p, default: 0] += f
          changed.insert(p)
          if new[j] == ab || new[j + 1] == ab { pairWords[p, default: []].append(w) }
        }
        words[Int(w)] = new
      }
      pairWords[top.pair] = nil
      for p in changed {
        let c = pairCounts[p] ?? 0
        if c > 0 { push(c, p) } else { pairCounts[p] = nil }
      }
    }
    return out
  }
}
