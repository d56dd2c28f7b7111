import Datasets
import Foundation
import XCTest

/// Checks the readers on the real files `scripts/fetch_data.sh` puts in `data/raw`. Opt-in:
/// set `AUTOLOSS_RAW_DATA` to that folder; skipped otherwise (no downloads in tests).
final class RealDataTests: XCTestCase {
  func raw() throws -> String {
    guard let dir = ProcessInfo.processInfo.environment["AUTOLOSS_RAW_DATA"] else {
      throw XCTSkip("set AUTOLOSS_RAW_DATA=data/raw to check the fetched datasets")
    }
    return dir
  }

  func testMNIST() throws {
    let train = try IDX.read(directory: try raw() + "/mnist", split: .train)
    let test = try IDX.read(directory: try raw() + "/mnist", split: .test)
    XCTAssertEqual([train.count, train.rows, train.cols, test.count], [60000, 28, 28, 10000])
    XCTAssertEqual(Array(train.labels.prefix(10)), [5, 0, 4, 1, 9, 2, 1, 3, 1, 4])
    XCTAssertEqual(Array(test.labels.prefix(10)), [7, 2, 1, 0, 4, 1, 4, 9, 5, 9])
    var counts = [Int](repeating: 0, count: 10)
    for l in train.labels { counts[Int(l)] += 1 }
    XCTAssertEqual(counts, [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949])
  }

  func testFashionMNIST() throws {
    let train = try IDX.read(directory: try raw() + "/fashion-mnist", split: .train)
    XCTAssertEqual(train.count, 60000)
    XCTAssertEqual(Array(train.labels.prefix(8)), [9, 0, 0, 3, 0, 2, 7, 2])
    XCTAssertEqual(try IDX.read(directory: try raw() + "/fashion-mnist", split: .test).count, 10000)
  }

  func testLibreOfficeAlignment() throws {
    let root = try raw() + "/lohelp"
    let start = Date()
    let ende = try LibreOfficeHelp.align(sourceTree: root + "/en-us", targetTree: root + "/de")
    print("lohelp en-de: \(ende.count) pairs in \(Date().timeIntervalSince(start)) s")
    XCTAssertEqual(ende.count, 52830)
    let entr = try LibreOfficeHelp.align(sourceTree: root + "/en-us", targetTree: root + "/tr")
    XCTAssertEqual(entr.count, 36413)
    // Line-for-line comparison with scripts/data/align_lohelp.py output, when given.
    if let prefix = ProcessInfo.processInfo.environment["AUTOLOSS_LOHELP_REFERENCE"] {
      let reference = try ParallelCorpus.read(source: prefix + ".src", target: prefix + ".tgt")
      XCTAssertEqual(reference.count, ende.count)
      var differ = 0
      for i in 0..<min(reference.count, ende.count)
      where reference.source[i] != ende.source[i] || reference.target[i] != ende.target[i] {
        if differ < 3 { print("differs at \(i):\n  \(reference.source[i])\n  \(ende.source[i])") }
        differ += 1
      }
      XCTAssertEqual(differ, 0)
    }
  }

  func testTreebanks() throws {
    let web = try CoNLLU.read(try raw() + "/treebank-tr/web.conllu")
    let wiki = try CoNLLU.read(try raw() + "/treebank-tr/wiki.conllu")
    XCTAssertEqual(web.count, 2541)
    XCTAssertEqual(wiki.count, 2310)
    print(
      "treebank-tr tokens: web \(web.reduce(0) { $0 + $1.tokens.count }), wiki \(wiki.reduce(0) { $0 + $1.tokens.count })"
    )
    let silver = try raw() + "/silver-de/lohelp.de.conllu"
    if FileManager.default.fileExists(atPath: silver) {
      XCTAssertEqual(try CoNLLU.read(silver).count, 52830)
    }
  }

  func testBPEOnLibreOfficeEnglish() throws {
    let root = try raw() + "/lohelp"
    let corpus = try LibreOfficeHelp.align(sourceTree: root + "/en-us", targetTree: root + "/de")
    let tokenizer = Tokenizer()
    let sentences = corpus.source.map(tokenizer.tokenize)
    let start = Date()
    let bpe = BPE.learn(sentences: sentences, merges: 10_000)
    let learned = Date()
    let pieces = bpe.apply(sentences: sentences)
    print(
      "BPE: \(bpe.merges.count) merges learned in \(learned.timeIntervalSince(start)) s, applied in "
        + "\(Date().timeIntervalSince(learned)) s; \(sentences.joined().count) words -> \(pieces.joined().count) pieces"
    )
    XCTAssertEqual(pieces.map(BPE.join), sentences)
    XCTAssertLessThanOrEqual(Vocabulary(sentences: pieces).count, 10_000 + 4 + 200)
  }
}
