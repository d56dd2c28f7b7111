/// A small, tolerant HTML scanner that extracts the text of elements carrying a paragraph id,
/// as Python's `html.parser` does in the reference aligner (docs/datasets.md section 3a).
///
/// Kept elements: `p h1-h6 td li div span` whose `id` starts with `par_id`, `hd_id` or `bm_id`.
/// The text of a kept element is all character data inside it (nested elements included),
/// entities decoded, whitespace runs collapsed to one space and trimmed. The first non-empty text
/// per id wins. Entries are returned in the order their elements close. An end tag closes the
/// innermost open element of that name and everything opened after it; stray end tags are
/// ignored. The scanner works on UTF-8 bytes (all markup is ASCII).
public enum HTMLParagraphs {
  static let voidTags: Set<String> = ["br", "img", "input", "meta", "link", "hr"]
  static let keptTags: Set<String> = ["p", "h1", "h2", "h3", "h4", "h5", "h6", "td", "li", "div", "span"]
  static let idPrefixes = ["par_id", "hd_id", "bm_id"]

  /// One open element on the stack; `text` is non-nil for kept elements.
  private struct Open {
    var tag: String
    var id: String?
    var text: [UInt8]?
  }

  /// The (id, text) pairs of `html`, first occurrence per id, in closing order.
  public static func extract(_ html: String) -> [(id: String, text: String)] {
    extract(bytes: Array(html.utf8))
  }

  /// The same for UTF-8 bytes (invalid sequences become U+FFFD).
  public static func extract(bytes s: [UInt8]) -> [(id: String, text: String)] {
    var out: [(id: String, text: String)] = []
    var seen = Set<String>()
    var stack: [Open] = []
    var keptOpen = 0
    var i = 0
    var textStart = 0

    func addData(_ data: [UInt8]) {
      for k in stack.indices where stack[k].text != nil { stack[k].text! += data }
    }
    func flushText(_ end: Int) {
      guard keptOpen > 0, end > textStart else { return }
      addData(decodeEntities(s[textStart..<end]))
    }
    func start(_ tag: String, id: String) {
      if voidTags.contains(tag) { return }
      let keep = keptTags.contains(tag) && idPrefixes.contains { id.hasPrefix($0) }
      stack.append(Open(tag: tag, id: keep ? id : nil, text: keep ? [] : nil))
      if keep { keptOpen += 1 }
    }
    func end(_ tag: String) {
      guard let j = stack.lastIndex(where: { $0.tag == tag }) else { return }
      for open in stack[j...] {
        guard let id = open.id, let bytes = open.text else { continue }
        keptOpen -= 1
        let text = normalizeWhitespace(String(decoding: bytes, as: UTF8.self))
        if !text.isEmpty && !seen.contains(id) {
          seen.insert(id)
          out.append((id, text))
        }
      }
      stack.removeSubrange(j...)
    }

    let lt = UInt8(ascii: "<")
    let bang = UInt8(ascii: "!")
    let question = UInt8(ascii: "?")
    let slash = UInt8(ascii: "/")
    while i < s.count {
      guard s[i] == lt else {
        i += 1
        continue
      }
      if match(s, i, "<!--") {  // comment
        flushText(i)
        i = find(s, i + 4, "-->").map { $0 + 3 } ?? s.count
        textStart = i
        continue
      }
      if i + 1 < s.count && (s[i + 1] == bang || s[i + 1] == question) {  // doctype, PI
        flushText(i)
        i = find(s, i + 2, ">").map { $0 + 1 } ?? s.count
        textStart = i
        continue
      }
      let closing = i + 1 < s.count && s[i + 1] == slash
      let nameStart = closing ? i + 2 : i + 1
      guard nameStart < s.count, isASCIILetter(s[nameStart]) else {
        i += 1
        continue
      }  // a literal "<"
      guard let tagEnd = tagClose(s, nameStart) else {
        i += 1
        continue
      }
      flushText(i)
      var j = nameStart
      while j < tagEnd && !isSpace(s[j]) && s[j] != slash { j += 1 }
      let name = lowercaseASCII(s[nameStart..<j])
      if closing {
        end(name)
      } else {
        let selfClosing = s[tagEnd - 1] == slash
        start(name, id: idAttribute(s, j, selfClosing ? tagEnd - 1 : tagEnd))
        if selfClosing {
          end(name)
        } else if name == "script" || name == "style" {  // raw text up to the end tag
          let close = find(s, tagEnd + 1, "</" + name, caseInsensitive: true) ?? s.count
          if keptOpen > 0 { addData(Array(s[(tagEnd + 1)..<close])) }
          i = close
          textStart = close
          continue
        }
      }
      i = tagEnd + 1
      textStart = i
    }
    flushText(s.count)
    return out
  }

  /// Collapses runs of whitespace (Unicode, as Python's `\s`) to one space and trims the ends.
  public static func normalizeWhitespace(_ text: String) -> String {
    var out = String.UnicodeScalarView()
    var pendingSpace = false
    for c in text.unicodeScalars {
      if isUnicodeSpace(c) {
        pendingSpace = !out.isEmpty
      } else {
        if pendingSpace { out.append(" ") }
        pendingSpace = false
        out.append(c)
      }
    }
    return String(out)
  }

  /// Decodes `&amp; &lt; &gt; &quot; &apos; &nbsp;` and numeric references `&#NNN;` `&#xHH;`;
  /// anything else is left as written.
  public static func decodeEntities(_ text: String) -> String {
    String(decoding: decodeEntities(ArraySlice(text.utf8)), as: UTF8.self)
  }

  static let named: [String: Unicode.Scalar] = [
    "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{a0}",
  ]

  static func decodeEntities(_ s: ArraySlice<UInt8>) -> [UInt8] {
    let amp = UInt8(ascii: "&")
    let semi = UInt8(ascii: ";")
    guard s.contains(amp) else { return Array(s) }
    var out: [UInt8] = []
    out.reserveCapacity(s.count)
    var i = s.startIndex
    while i < s.endIndex {
      if s[i] == amp, let end = s[(i + 1)..<min(i + 13, s.endIndex)].firstIndex(of: semi) {
        let body = String(decoding: s[(i + 1)..<end], as: UTF8.self)
        var scalar: Unicode.Scalar?
        if body.hasPrefix("#x") || body.hasPrefix("#X") {
          scalar = UInt32(body.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init)
        } else if body.hasPrefix("#") {
          scalar = UInt32(body.dropFirst()).flatMap(Unicode.Scalar.init)
        } else {
          scalar = named[body]
        }
        if let scalar {
          out += Array(String(Character(scalar)).utf8)
          i = end + 1
          continue
        }
      }
      out.append(s[i])
      i += 1
    }
    return out
  }

  static func isUnicodeSpace(_ c: Unicode.Scalar) -> Bool {
    c.value < 128
      ? (c.value == 32 || (9...13).contains(c.value) || (0x1c...0x1f).contains(c.value)) : c.properties.isWhitespace
  }

  static func isSpace(_ b: UInt8) -> Bool { b == 32 || (9...13).contains(b) }
  static func isASCIILetter(_ b: UInt8) -> Bool { (65...90).contains(b) || (97...122).contains(b) }

  static func lowercaseASCII(_ bytes: ArraySlice<UInt8>) -> String {
    String(decoding: bytes.map { (65...90).contains($0) ? $0 + 32 : $0 }, as: UTF8.self)
  }

  /// The index of the `>` that ends the tag whose name starts at `from`, skipping quoted
  /// attribute values.
  static func tagClose(_ s: [UInt8], _ from: Int) -> Int? {
    let dq = UInt8(ascii: "\"")
    let sq = UInt8(ascii: "'")
    let eq = UInt8(ascii: "=")
    let gt = UInt8(ascii: ">")
    var quote: UInt8?
    var lastNonSpace: UInt8 = 0
    var i = from
    while i < s.count {
      let c = s[i]
      if let q = quote {
        if c == q { quote = nil }
      } else if (c == dq || c == sq) && lastNonSpace == eq {
        quote = c
      } else if c == gt {
        return i
      }
      if !isSpace(c) { lastNonSpace = c }
      i += 1
    }
    return nil
  }

  /// The entity-decoded value of the last `id` attribute in `s[from..<to]`, or "".
  static func idAttribute(_ s: [UInt8], _ from: Int, _ to: Int) -> String {
    let eq = UInt8(ascii: "=")
    let slash = UInt8(ascii: "/")
    let dq = UInt8(ascii: "\"")
    let sq = UInt8(ascii: "'")
    var id = ""
    var i = from
    while true {
      while i < to && (isSpace(s[i]) || s[i] == slash) { i += 1 }
      guard i < to else { break }
      let nameStart = i
      while i < to && !isSpace(s[i]) && s[i] != eq && s[i] != slash { i += 1 }
      let isId =
        i - nameStart == 2 && (s[nameStart] | 32) == UInt8(ascii: "i") && (s[nameStart + 1] | 32) == UInt8(ascii: "d")
      while i < to && isSpace(s[i]) { i += 1 }
      guard i < to && s[i] == eq else { continue }
      i += 1
      while i < to && isSpace(s[i]) { i += 1 }
      var value: ArraySlice<UInt8> = []
      if i < to && (s[i] == dq || s[i] == sq) {
        let q = s[i]
        let vStart = i + 1
        i = vStart
        while i < to && s[i] != q { i += 1 }
        value = s[vStart..<min(i, to)]
        i += 1
      } else {
        let vStart = i
        while i < to && !isSpace(s[i]) { i += 1 }
        value = s[vStart..<i]
      }
      if isId { id = String(decoding: decodeEntities(value), as: UTF8.self) }  // last one wins, as in Python
    }
    return id
  }

  static func match(_ s: [UInt8], _ at: Int, _ pattern: String) -> Bool {
    let p = Array(pattern.utf8)
    guard at + p.count <= s.count else { return false }
    for k in 0..<p.count where s[at + k] != p[k] { return false }
    return true
  }

  static func find(_ s: [UInt8], _ from: Int, _ pattern: String, caseInsensitive: Bool = false) -> Int? {
    let p = Array(pattern.lowercased().utf8)
    guard !p.isEmpty, from <= s.count - p.count else { return nil }
    for i in from...(s.count - p.count) {
      var ok = true
      for k in 0..<p.count {
        let c = caseInsensitive && (65...90).contains(s[i + k]) ? s[i + k] + 32 : s[i + k]
        if c != p[k] {
          ok = false
          break
        }
      }
      if ok { return i }
    }
    return nil
  }
}
