import Foundation
import Pipeline
import Store
import XCTest

final class PrepTextTests: PipelineTempDirTestCase {
  static let words = [
    "the", "cell", "contents", "are", "centered", "horizontally", "select", "a", "range", "of", "cells",
  ]
  static let germanWords = [
    "der", "inhalt", "zelle", "wird", "zentriert", "wählen", "sie", "einen", "bereich", "von", "zellen",
  ]

  /// `n` deterministic sentences of 3-8 words drawn from `vocabulary`.
  func sentences(_ n: Int, _ vocabulary: [String], seed: Int) -> [String] {
    (0..<n).map { i in
      let length = 3 + (i * 7 + seed) % 6
      return (0..<length).map { vocabulary[(i * 13 + $0 * 5 + seed) % vocabulary.count] }.joined(separator: " ") + " ."
    }
  }

  func conllu(_ n: Int) -> String {
    var text = ""
    for i in 0..<n {
      text += "# sent_id = s\(i)\n"
      let length = 3 + i % 5
      for j in 0..<length {
        let form = Self.germanWords[(i + j * 3) % Self.germanWords.count]
        let upos = j % 2 == 0 ? "NOUN" : "VERB"
        text += "\(j + 1)\t\(form)\t_\t\(upos)\t_\t_\t\(j == 0 ? 0 : 1)\t\(j == 0 ? "root" : "obj")\t_\t_\n"
      }
      text += "\n"
    }
    return text
  }

  func userOptions() throws -> PrepOptions {
    var o = PrepOptions()
    o.dataDir = dir + "/data"
    o.name = "toy"
    o.sourceText = try write(
      "text/train.de", text: sentences(60, Self.germanWords, seed: 1).joined(separator: "\n") + "\n")
    o.targetText = try write("text/train.en", text: sentences(60, Self.words, seed: 2).joined(separator: "\n") + "\n")
    o.auxCoNLLU = ["pos=" + (try write("text/tags.conllu", text: conllu(30)))]
    o.text.sourceMerges = 30
    o.text.targetMerges = 30
    return o
  }

  func testUserCorpusLayout() throws {
    let result = try DatasetPrep.prepare("text", options: try userOptions())
    XCTAssertEqual(result.path, dir + "/data/toy.h5")
    let root = try DatasetFiles.open(result.path).root
    let source = try root.readStrings("vocab/source")
    XCTAssertEqual(Array(source.prefix(4)), ["<unk>", "<s>", "</s>", "<pad>"])
    XCTAssertEqual(Array(try root.readStrings("vocab/pos").prefix(4)), ["<unk>", "<s>", "</s>", "<pad>"])
    XCTAssertTrue(try root.readStrings("vocab/pos").contains("NOUN"))
    XCTAssertEqual(try root.attributeString("tasks"), "mt,pos")
    XCTAssertEqual(try root.group("pos").attributeString("target_vocab"), "/vocab/pos")
    var total = 0
    for task in ["mt", "pos"] {
      for split in DatasetFiles.splits {
        let group = try root.group("\(task)/\(split)")
        let ids = try group.read("source_ids", as: Int32.self)
        let offsets = try group.read("source_offsets", as: Int64.self).values
        let targetIds = try group.read("target_ids", as: Int32.self).values
        let targetOffsets = try group.read("target_offsets", as: Int64.self).values
        let count = Int(try group.attribute("count", as: Int64.self))
        XCTAssertGreaterThan(count, 0, "\(task)/\(split)")
        XCTAssertEqual(offsets.count, count + 1)
        XCTAssertEqual(offsets.first, 0)
        XCTAssertEqual(Int(offsets.last!), ids.count)
        XCTAssertEqual(Int(targetOffsets.last!), targetIds.count)
        if task == "pos" { XCTAssertEqual(offsets, targetOffsets, "one label per source piece") }
        if task == "mt" { total += count }
        XCTAssertTrue(ids.values.allSatisfy { $0 >= 4 && Int($0) < source.count || $0 == 0 })
      }
    }
    XCTAssertEqual(total, Int(try root.attribute("pairs_kept", as: Int64.self)))
    // Pieces of the training sources join back to words of the corpus.
    let ids = try root.read("mt/train/source_ids", as: Int32.self).values
    let offsets = try root.read("mt/train/source_offsets", as: Int64.self).values
    var words = ""
    var pending = ""
    for id in ids[Int(offsets[0])..<Int(offsets[1])] {
      let piece = source[Int(id)]
      if piece.hasSuffix("@@") {
        pending += piece.dropLast(2)
      } else {
        words += pending + piece + " "
        pending = ""
      }
    }
    XCTAssertTrue(sentences(60, Self.germanWords, seed: 1).contains(words.trimmingCharacters(in: .whitespaces)), words)
    XCTAssertTrue(result.summary.contains { $0.hasPrefix("vocabularies") })
  }

  func testMisalignedCorpusNamesBothFiles() throws {
    var o = try userOptions()
    o.targetText = try write("text/short.en", text: sentences(59, Self.words, seed: 2).joined(separator: "\n") + "\n")
    assertThrowsMentioning(["train.de", "short.en", "60", "59"]) { try DatasetPrep.prepare("text", options: o) }
    XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/data/toy.h5"))
  }

  func testMalformedCoNLLUNamesFileAndLine() throws {
    var o = try userOptions()
    let path = try write("text/bad.conllu", text: conllu(3) + "1\tonly\tthree\n")
    o.auxCoNLLU = ["pos=" + path]
    assertThrowsMentioning([path + ":", "10 tab-separated columns"]) { try DatasetPrep.prepare("text", options: o) }
    o.auxCoNLLU = ["pos=" + dir + "/text/none.conllu"]
    assertThrowsMentioning(["none.conllu", "not found"]) { try DatasetPrep.prepare("text", options: o) }
    XCTAssertEqual(files(in: dir + "/data"), [])
  }

  func testAuxSpecParsing() throws {
    let specs = try AuxTaskSpec.parse(["a/web.conllu", "dep:deprel=a/x.conllu", "dep:deprel=b/y.conllu"])
    XCTAssertEqual(specs.map(\.task), ["web", "dep"])
    XCTAssertEqual(specs[1].column, .deprel)
    XCTAssertEqual(specs[1].files, ["a/x.conllu", "b/y.conllu"])
    assertThrowsMentioning(["upos or deprel"]) { try AuxTaskSpec.parse(["t:feats=f.conllu"]) }
  }

  /// nmt-tr-en on tiny LibreOffice trees and a tiny treebank: tasks mt, pos, dep.
  func testLibreOfficeTurkishWithTreebank() throws {
    let tr = sentences(40, Self.germanWords, seed: 3)
    let en = sentences(40, Self.words, seed: 4)
    func page(_ lines: [String]) -> String {
      "<html><body>"
        + lines.enumerated().map { "<p id=\"par_id\($0.offset)\" class=\"x\">\($0.element)</p>\n" }.joined()
        + "</body></html>"
    }
    try write("raw/lohelp/tr/text/a.html", text: page(tr))
    try write("raw/lohelp/en-us/text/a.html", text: page(en))
    try write("raw/treebank-tr/web.conllu", text: conllu(20))
    try write("raw/treebank-tr/wiki.conllu", text: conllu(15))
    var o = PrepOptions()
    o.dataDir = dir + "/data"
    o.rawDir = dir + "/raw"
    o.text.sourceMerges = 20
    o.text.targetMerges = 20
    let result = try DatasetPrep.prepare("nmt-tr-en", options: o)
    let root = try DatasetFiles.open(result.path).root
    XCTAssertEqual(try root.attributeString("tasks"), "mt,pos,dep")
    XCTAssertEqual(try root.attributeString("source_language"), "tr")
    XCTAssertTrue(try root.readStrings("vocab/deprel").contains("obj"))
    XCTAssertEqual(try root.group("dep").attributeString("target_vocab"), "/vocab/deprel")
    XCTAssertEqual(try root.group("dep").attributeString("label_column"), "deprel")
    XCTAssertEqual(
      try root.read("pos/test/source_ids", as: Int32.self).values,
      try root.read("dep/test/source_ids", as: Int32.self).values, "pos and dep share the sentence split")
    let kept = Int(try root.attribute("pairs_kept", as: Int64.self))
    XCTAssertGreaterThan(kept, 30)
    XCTAssertEqual(try Provenance.read(from: root).inputs.count, 4)
  }
}
