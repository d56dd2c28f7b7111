import Datasets
import XCTest

final class TokenizerTests: XCTestCase {
  func testSplitsPunctuationAndNormalisesDigits() {
    let t = Tokenizer()
    XCTAssertEqual(
      t.tokenize("Press (Ctrl+F5), then \"OK\"... It's 3.5 e-mail 2019!"),
      [
        "Press", "(", "Ctrl", "+", "F0", ")", ",", "then", "\"", "OK", "\"", ".", ".", ".", "It's", "0.0", "e-mail",
        "0000", "!",
      ])
    XCTAssertEqual(Tokenizer(lowercase: true).tokenize("Über ALLES"), ["über", "alles"])
    XCTAssertEqual(Tokenizer(digits: .keep).tokenize("F5 2019"), ["F5", "2019"])
    XCTAssertEqual(Tokenizer(digits: .strip).tokenize("F5 2019"), ["F", "0"])
    XCTAssertEqual(Tokenizer().tokenize("  \t "), [])
  }
}

final class BPETests: XCTestCase {
  let sentences: [[String]] = [
    ["low", "lower", "lowest", "newer", "newest", "wider"],
    ["low", "low", "newer", "newer", "newest", "widest"],
    ["the", "lowest", "newest", "widest", "lower"],
  ]

  func tokenCount(_ bpe: BPE) -> Int { bpe.apply(sentences: sentences).reduce(0) { $0 + $1.count } }

  func testMergesReduceTokenCount() {
    let none = BPE.learn(sentences: sentences, merges: 0)
    let few = BPE.learn(sentences: sentences, merges: 5)
    let many = BPE.learn(sentences: sentences, merges: 40)
    XCTAssertEqual(none.merges.count, 0)
    XCTAssertEqual(few.merges.count, 5)
    let characters = sentences.joined().reduce(0) { $0 + $1.count }
    XCTAssertEqual(tokenCount(none), characters)
    XCTAssertLessThan(tokenCount(few), tokenCount(none))
    XCTAssertLessThan(tokenCount(many), tokenCount(few))
    // Frequent words become single pieces; a word seen once is cut.
    XCTAssertEqual(many.segment("newest"), ["newest"])
  }

  func testLearningMatchesANaiveRecount() {
    // Reference: recompute every pair count from scratch at each step.
    var counts: [String: Int] = [:]
    for s in sentences { for w in s { counts[w, default: 0] += 1 } }
    var words = counts.map { (w, c) -> ([String], Int) in
      var syms = w.map { String($0) }
      syms[syms.count - 1] += "</w>"
      return (syms, c)
    }
    var expected: [BPEMerge] = []
    for _ in 0..<30 {
      var pairs: [BPEMerge: Int] = [:]
      for (syms, c) in words where syms.count > 1 {
        for i in 0..<(syms.count - 1) { pairs[BPEMerge(syms[i], syms[i + 1]), default: 0] += c }
      }
      guard
        let best = pairs.max(by: { a, b in
          a.value != b.value ? a.value < b.value : (a.key.left, a.key.right) < (b.key.left, b.key.right)
        }), best.value >= 2
      else { break }
      expected.append(best.key)
      words = words.map { (syms, c) in
        var out: [String] = []
        var i = 0
        while i < syms.count {
          if i + 1 < syms.count && syms[i] == best.key.left && syms[i + 1] == best.key.right {
            out.append(syms[i] + syms[i + 1])
            i += 2
          } else {
            out.append(syms[i])
            i += 1
          }
        }
        return (out, c)
      }
    }
    XCTAssertEqual(BPE.learn(sentences: sentences, merges: 30).merges, expected)
  }

  func testApplyIsDeterministicAndJoinsBack() throws {
    let bpe = BPE.learn(sentences: sentences, merges: 12)
    let text = ["the", "lowest", "wider", "unseen", "a", "newest"]
    let pieces = bpe.apply(text)
    XCTAssertEqual(pieces, bpe.apply(text))
    XCTAssertEqual(BPE.learn(sentences: sentences, merges: 12), bpe)
    XCTAssertTrue(pieces.contains { $0.hasSuffix("@@") })
    XCTAssertEqual(BPE.join(pieces), text)
    XCTAssertEqual(pieces.joined(separator: " ").replacingOccurrences(of: "@@ ", with: ""), text.joined(separator: " "))
    XCTAssertEqual(bpe.segment("a"), ["a"])
    XCTAssertEqual(bpe.segment(""), [])
    // Codes survive a text round trip.
    XCTAssertEqual(try BPE(codesText: bpe.codesText), bpe)
    assertDatasetError(["codes:2:", "two symbols"]) { try BPE(codesText: "#version: 0.2\nabc\n", path: "codes") }
  }
}

final class VocabularyTests: XCTestCase {
  func testReservedIdsAndOrdering() throws {
    let v = Vocabulary(sentences: [["b", "a", "b", "c"], ["b", "a"]], maxSize: 6)
    XCTAssertEqual(v.tokens, ["<unk>", "<s>", "</s>", "<pad>", "b", "a"])
    XCTAssertEqual(Vocabulary.unk, 0)
    XCTAssertEqual(Vocabulary.start, 1)
    XCTAssertEqual(Vocabulary.end, 2)
    XCTAssertEqual(Vocabulary.pad, 3)
    XCTAssertEqual(v.encode(["a", "c", "b"], addStart: true, addEnd: true), [1, 5, 0, 4, 2])
    XCTAssertEqual(v.decode([1, 5, 0, 4, 2, 3, 3]), ["a", "<unk>", "b"])
    XCTAssertEqual(try Vocabulary(tokens: v.tokens), v)
    assertDatasetError(["vocab", "starting with"]) { try Vocabulary(tokens: ["a"], path: "vocab") }
  }
}
