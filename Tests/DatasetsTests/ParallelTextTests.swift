import Datasets
import XCTest

final class ParallelTextTests: TempDirTestCase {
  func testReadsAlignedFiles() throws {
    let s = try write("a.en", text: "Hello world\r\nSecond line\n")
    let t = try write("a.de", Array(try Gzip.compress(Array("Hallo Welt\nZweite Zeile\n".utf8))))
    let corpus = try ParallelCorpus.read(source: s, target: t)
    XCTAssertEqual(corpus.source, ["Hello world", "Second line"])
    XCTAssertEqual(corpus.target, ["Hallo Welt", "Zweite Zeile"])
    try corpus.write(source: dir + "/o.en", target: dir + "/o.de")
    XCTAssertEqual(try ParallelCorpus.read(source: dir + "/o.en", target: dir + "/o.de"), corpus)
  }

  func testLineCountMismatchNamesBothFiles() throws {
    let s = try write("b.en", text: "one\ntwo\nthree\n")
    let t = try write("b.de", text: "eins\nzwei\n")
    assertDatasetError(["b.en", "b.de", "3 lines", "has 2"]) { try ParallelCorpus.read(source: s, target: t) }
  }
}

final class LibreOfficeHelpTests: TempDirTestCase {
  let english = """
    <!DOCTYPE html><html><head><meta charset="utf-8"/><title>Cells</title>
    <script type="text/javascript">var x = "<p id='par_id999'>no</p>";</script></head>
    <body><!-- <p id="par_id0">comment</p> -->
    <h1 id="hd_id1"><a name="x"></a>Centering   Cells</h1>
    <p id="par_id2" class="paragraph">Horizontally centers the <span class="emph">contents</span>
      of the cell.</p>
    <p id="par_id3">Use &lt;Tab&gt; &amp; &quot;Enter&quot; &#8211; 5 &gt; 3<br/>done.</p>
    <p id="par_id4">LibreOffice</p>
    <p id="other_5">Not a paragraph id.</p>
    <div id="bm_id6"><p id="par_id7">Inner</p> outer</div>
    <p id="par_id8">Only in English.</p>
    <p id="par_id2">Duplicate id, ignored.</p>
    <td id=par_id9>Unquoted &#x41;ttribute</td>
    </body></html>
    """
  let german = """
    <html><body>
    <h1 id="hd_id1">Zellen zentrieren</h1>
    <p id="par_id2">Der Inhalt der <span>Zelle</span> wird horizontal zentriert.</p>
    <p id="par_id3">&lt;Tab&gt; und &quot;Eingabe&quot;</p>
    <p id="par_id4">LibreOffice</p>
    <div id="bm_id6"><p id="par_id7">Innen</p> außen</div>
    <td id=par_id9>Ohne Anführungszeichen</td>
    </body></html>
    """

  func testExtractsParagraphText() {
    let paragraphs = HTMLParagraphs.extract(english)
    let byId = Dictionary(paragraphs.map { ($0.id, $0.text) }, uniquingKeysWith: { a, _ in a })
    XCTAssertEqual(byId["hd_id1"], "Centering Cells")
    XCTAssertEqual(byId["par_id2"], "Horizontally centers the contents of the cell.")
    XCTAssertEqual(byId["par_id3"], "Use <Tab> & \"Enter\" \u{2013} 5 > 3done.")
    XCTAssertEqual(byId["par_id7"], "Inner")
    XCTAssertEqual(byId["bm_id6"], "Inner outer")
    XCTAssertEqual(byId["par_id9"], "Unquoted Attribute")
    XCTAssertNil(byId["other_5"])
    XCTAssertNil(byId["par_id0"])
    XCTAssertNil(byId["par_id999"])
    XCTAssertEqual(paragraphs.filter { $0.id == "par_id2" }.count, 1)
    // Closing order: the inner paragraph closes before its div.
    let order = paragraphs.map(\.id)
    XCTAssertLessThan(order.firstIndex(of: "par_id7")!, order.firstIndex(of: "bm_id6")!)
  }

  func testAlignsTwoTreesByFileAndId() throws {
    try write("en/text/scalc/guide/cells.html", text: english)
    try write("de/text/scalc/guide/cells.html", text: german)
    try write("en/text/only_en.html", text: english)
    let corpus = try LibreOfficeHelp.align(sourceTree: dir + "/en", targetTree: dir + "/de")
    XCTAssertEqual(
      corpus.source,
      [
        "Centering Cells", "Horizontally centers the contents of the cell.",
        "Use <Tab> & \"Enter\" \u{2013} 5 > 3done.", "Inner", "Inner outer", "Unquoted Attribute",
      ])
    XCTAssertEqual(
      corpus.target,
      [
        "Zellen zentrieren", "Der Inhalt der Zelle wird horizontal zentriert.", "<Tab> und \"Eingabe\"",
        "Innen", "Innen außen", "Ohne Anführungszeichen",
      ])
    assertDatasetError(["nowhere"]) { try LibreOfficeHelp.align(sourceTree: dir + "/nowhere", targetTree: dir + "/de") }
  }

  func testWalkOrderMatchesPythonOsWalkSorted() throws {
    for name in ["b.html", "a/z.html", "a.html", "c/d/e.html", "notes.txt"] { try write("t/" + name, text: "") }
    XCTAssertEqual(try LibreOfficeHelp.htmlPages(under: dir + "/t"), ["a.html", "b.html", "a/z.html", "c/d/e.html"])
  }
}
