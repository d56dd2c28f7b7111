import Datasets
import XCTest

final class CoNLLUTests: TempDirTestCase {
  let good = """
    # sent_id = 1
    # text = Vámonos al mar.
    1-2\tVámonos\t_\t_\t_\t_\t_\t_\t_\t_
    1\tVamos\tir\tVERB\t_\t_\t0\troot\t_\t_
    2\tnos\tnosotros\tPRON\t_\t_\t1\tobj\t_\t_
    3-4\tal\t_\t_\t_\t_\t_\t_\t_\t_
    3\ta\ta\tADP\t_\t_\t5\tcase\t_\t_
    4\tel\tel\tDET\t_\t_\t5\tdet\t_\t_
    5\tmar\tmar\tNOUN\t_\t_\t1\tobl\t_\t_
    5.1\tgo\t_\tVERB\t_\t_\t_\t_\t_\t_
    6\t.\t.\tPUNCT\t_\t_\t1\tpunct\t_\t_

    1\tHi\thi\tINTJ\t_\t_\t_\t_\t_\t_
    """  // no final newline: the last sentence still counts

  func testReadsSentencesSkippingRangesAndEmptyNodes() throws {
    let path = try write("good.conllu", text: good)
    let sentences = try CoNLLU.read(path)
    XCTAssertEqual(sentences.count, 2)
    XCTAssertEqual(sentences[0].forms, ["Vamos", "nos", "a", "el", "mar", "."])
    XCTAssertEqual(sentences[0].tags, ["VERB", "PRON", "ADP", "DET", "NOUN", "PUNCT"])
    XCTAssertEqual(sentences[0].relations, ["root", "obj", "case", "det", "obl", "punct"])
    XCTAssertEqual(sentences[0].tokens.map(\.head), [0, 1, 5, 5, 1, 1])
    XCTAssertEqual(sentences[0].line, 4)
    XCTAssertEqual(sentences[1].tokens, [CoNLLUToken(id: 1, form: "Hi", upos: "INTJ", head: nil, deprel: "_")])
  }

  func testMalformedLineReportsFileAndLine() throws {
    let bad = "# c\n1\tA\ta\tNOUN\t_\t_\t0\troot\t_\t_\n2 B b NOUN _ _ 1 dep _ _\n"
    let path = try write("bad.conllu", text: bad)
    assertDatasetError(["bad.conllu:3:", "10 tab-separated columns", "found 1"]) { try CoNLLU.read(path) }
    assertDatasetError(["x:2:", "word index 2", "found 3"]) {
      try CoNLLU.parse("1\tA\ta\tX\t_\t_\t0\troot\t_\t_\n3\tB\tb\tX\t_\t_\t1\tdep\t_\t_\n", path: "x")
    }
    assertDatasetError(["y:1:", "HEAD", "'up'"]) { try CoNLLU.parse("1\tA\ta\tX\t_\t_\tup\troot\t_\t_\n", path: "y") }
  }
}
