/// One word line of a CoNLL-U sentence.
public struct CoNLLUToken: Sendable, Equatable {
  /// The 1-based word index (column ID).
  public var id: Int
  /// The word form (column FORM).
  public var form: String
  /// The part-of-speech tag (column UPOS).
  public var upos: String
  /// The head word index, 0 for the root, nil when the column is "_" (column HEAD).
  public var head: Int?
  /// The dependency relation, "_" when absent (column DEPREL).
  public var deprel: String

  public init(id: Int, form: String, upos: String, head: Int?, deprel: String) {
    self.id = id
    self.form = form
    self.upos = upos
    self.head = head
    self.deprel = deprel
  }
}

/// A sentence: its word tokens in order.
public struct CoNLLUSentence: Sendable, Equatable {
  public var tokens: [CoNLLUToken]
  /// The 1-based line of the sentence's first word, for messages.
  public var line: Int

  public init(tokens: [CoNLLUToken], line: Int) {
    self.tokens = tokens
    self.line = line
  }

  public var forms: [String] { tokens.map(\.form) }
  public var tags: [String] { tokens.map(\.upos) }
  public var relations: [String] { tokens.map(\.deprel) }
}

/// Reader of CoNLL-U files: 10 tab-separated columns per word line, blank lines between
/// sentences, `#` comment lines. Multiword-token ranges ("1-2") and empty nodes ("1.1") are
/// skipped. Malformed lines throw a `DatasetError` with file and line.
public enum CoNLLU {
  /// Reads a (possibly gzip-compressed) CoNLL-U file.
  public static func read(_ path: String) throws -> [CoNLLUSentence] {
    try parse(try RawFile.readText(path), path: path)
  }

  /// Parses CoNLL-U text; `path` names the source in errors.
  public static func parse(_ text: String, path: String = "<memory>") throws -> [CoNLLUSentence] {
    var sentences: [CoNLLUSentence] = []
    var current: [CoNLLUToken] = []
    var firstLine = 0
    func finish() {
      if !current.isEmpty { sentences.append(CoNLLUSentence(tokens: current, line: firstLine)) }
      current = []
    }
    for (index, rawLine) in RawFile.lines(text).enumerated() {
      let lineNumber = index + 1
      let line = rawLine.trimmingTrailingWhitespace()
      if line.isEmpty {
        finish()
        continue
      }
      if line.hasPrefix("#") { continue }
      let cols = line.utf8.split(separator: 9, omittingEmptySubsequences: false).map {
        String(decoding: $0, as: UTF8.self)
      }
      guard cols.count == 10 else {
        throw DatasetError.unexpected(
          path, line: lineNumber, expected: "10 tab-separated columns", found: "\(cols.count)")
      }
      let idText = cols[0]
      if idText.contains("-") || idText.contains(".") { continue }  // multiword range / empty node
      guard let id = Int(idText), id >= 1 else {
        throw DatasetError.unexpected(
          path, line: lineNumber, expected: "a word index in column ID", found: "'\(idText)'")
      }
      guard id == current.count + 1 else {
        throw DatasetError.unexpected(
          path, line: lineNumber, expected: "word index \(current.count + 1)", found: "\(id)")
      }
      var head: Int?
      if cols[6] != "_" {
        guard let h = Int(cols[6]), h >= 0 else {
          throw DatasetError.unexpected(
            path, line: lineNumber, expected: "a head index in column HEAD", found: "'\(cols[6])'")
        }
        head = h
      }
      if current.isEmpty { firstLine = lineNumber }
      current.append(
        CoNLLUToken(id: id, form: cols[1], upos: cols[3], head: head, deprel: cols[7]))
    }
    finish()
    return sentences
  }
}

extension String {
  func trimmingTrailingWhitespace() -> String {
    var s = Substring(self)
    while let last = s.last, last == " " || last == "\t" || last == "\r" { s = s.dropLast() }
    return String(s)
  }
}
