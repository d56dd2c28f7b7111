/// A small, tolerant HTML scanner that extracts the text of elements carrying a paragraph id,
/// as Python's `html.parser` does in the reference aligner (docs/datasets.md section 3a).
///
/// Kept elements: `p h1-h6 td li div span` whose `id` starts with `par_id`, `hd_id` or `bm_id`.
/// The text of a kept element is all character data inside it (nested elements included),
/// entities decoded, whitespace runs collapsed to one space and trimmed. The first non-empty text
/// per id wins. Entries are returned in the order their elements close.
public enum HTMLParagraphs {
  static let voidTags: Set<String> = ["br", "img", "input", "meta", "link", "hr"]
  static let keptTags: Set<String> = ["p", "h1", "h2", "h3", "h4", "h5", "h6", "td", "li", "div", "span"]
  static let idPrefixes = ["par_id", "hd_id", "bm_id"]

  /// One open element on the stack.
  private struct Open {
    var tag: String
    var id: String?
    var text: String
  }

  /// The (id, text) pairs of `html`, first occurrence per id, in closing order.
  public static func extract(_ html: String) -> [(id: String, text: String)] {
    var out: [(id: String, text: String)] = []
    var seen = Set<String>()
    var stack: [Open] = []
    let s = Array(html.unicodeScalars)
    var i = 0
    var textStart = 0

    func flushText(_ end: Int) {
      guard end > textStart else { return }
      let raw = String(String.UnicodeScalarView(s[textStart..<end]))
      let data = decodeEntities(raw)
      for k in stack.indices where stack[k].id != nil { stack[k].text += data }
    }
    func rawData(_ text: String) {
      for k in stack.indices where stack[k].id != nil { stack[k].text += text }
    }
    func start(_ tag: String, _ attrs: [String: String]) {
      if voidTags.contains(tag) { return }
      let id = attrs["id"] ?? ""
      let keep = keptTags.contains(tag) && idPrefixes.contains { id.hasPrefix($0) }
      stack.append(Open(tag: tag, id: keep ? id : nil, text: ""))
    }
    func end(_ tag: String) {
      guard let j = stack.lastIndex(where: { $0.tag == tag }) else { return }
      for open in stack[j...] {
        guard let id = open.id else { continue }
        let text = normalizeWhitespace(open.text)
        if !text.isEmpty && !seen.contains(id) {
          seen.insert(id)
          out.append((id, text))
        }
      }
      stack.removeSubrange(j...)
    }

    while i < s.count {
      guard s[i] == "<" else { i += 1; continue }
      // Comments, doctype, processing instructions: skipped.
      if match(s, i, "<!--") {
        flushText(i)
        i = find(s, i + 4, "-->").map { $0 + 3 } ?? s.count
        textStart = i
        continue
      }
      if i + 1 < s.count && (s[i + 1] == "!" || s[i + 1] == "?") {
        flushText(i)
        i = find(s, i + 2, ">").map { $0 + 1 } ?? s.count
        textStart = i
        continue
      }
      let closing = i + 1 < s.count && s[i + 1] == "/"
      let nameStart = closing ? i + 2 : i + 1
      guard nameStart < s.count, s[nameStart].properties.isAlphabetic else { i += 1; continue }  // a literal "<"
      guard let tagEnd = tagClose(s, nameStart) else { i += 1; continue }
      flushText(i)
      var j = nameStart
      while j < tagEnd && !isSpace(s[j]) && s[j] != "/" { j += 1 }
      let name = String(String.UnicodeScalarView(s[nameStart..<j])).lowercased()
      if closing {
        end(name)
      } else {
        let selfClosing = tagEnd > nameStart && s[tagEnd - 1] == "/"
        start(name, attributes(s, j, selfClosing ? tagEnd - 1 : tagEnd))
        if selfClosing {
          end(name)
        } else if name == "script" || name == "style" {  // raw text up to the end tag
          let close = find(s, tagEnd + 1, "</" + name, caseInsensitive: true) ?? s.count
          rawData(String(String.UnicodeScalarView(s[(tagEnd + 1)..<close])))
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

  /// Collapses runs of whitespace to one space and trims the ends.
  public static func normalizeWhitespace(_ text: String) -> String {
    var out = String.UnicodeScalarView()
    var pendingSpace = false
    for c in text.unicodeScalars {
      if isSpace(c) {
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
    guard text.contains("&") else { return text }
    let named: [String: Unicode.Scalar] = [
      "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{a0}",
    ]
    let s = Array(text.unicodeScalars)
    var out = String.UnicodeScalarView()
    var i = 0
    while i < s.count {
      if s[i] == "&", let semi = s[(i + 1)...].prefix(12).firstIndex(of: ";") {
        let body = String(String.UnicodeScalarView(s[(i + 1)..<semi]))
        var scalar: Unicode.Scalar?
        if body.hasPrefix("#x") || body.hasPrefix("#X") {
          scalar = UInt32(body.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init)
        } else if body.hasPrefix("#") {
          scalar = UInt32(body.dropFirst()).flatMap(Unicode.Scalar.init)
        } else {
          scalar = named[body]
        }
        if let scalar {
          out.append(scalar)
          i = semi + 1
          continue
        }
      }
      out.append(s[i])
      i += 1
    }
    return String(out)
  }

  /// Whitespace as Python's `str.isspace` sees it.
  static func isSpace(_ c: Unicode.Scalar) -> Bool {
    c.properties.isWhitespace || (0x1c...0x1f).contains(c.value)
  }

  /// The index of the `>` that ends the tag whose name starts at `from`, skipping quoted values.
  static func tagClose(_ s: [Unicode.Scalar], _ from: Int) -> Int? {
    var quote: Unicode.Scalar?
    var i = from
    while i < s.count {
      let c = s[i]
      if let q = quote {
        if c == q { quote = nil }
      } else if c == "\"" || c == "'" {
        if i > from && s[i - 1] == "=" || (i > from && isSpace(s[i - 1]) && previousNonSpace(s, i) == "=") {
          quote = c
        }
      } else if c == ">" {
        return i
      }
      i += 1
    }
    return nil
  }

  static func previousNonSpace(_ s: [Unicode.Scalar], _ i: Int) -> Unicode.Scalar? {
    var k = i - 1
    while k >= 0 && isSpace(s[k]) { k -= 1 }
    return k >= 0 ? s[k] : nil
  }

  /// Parses `name=value` pairs (quoted, unquoted or bare) in `s[from..<to]`; names lowercased,
  /// values entity-decoded.
  static func attributes(_ s: [Unicode.Scalar], _ from: Int, _ to: Int) -> [String: String] {
    var attrs: [String: String] = [:]
    var i = from
    func skipSpace() { while i < to && (isSpace(s[i]) || s[i] == "/") { i += 1 } }
    while true {
      skipSpace()
      guard i < to else { break }
      let nameStart = i
      while i < to && !isSpace(s[i]) && s[i] != "=" && s[i] != "/" { i += 1 }
      let name = String(String.UnicodeScalarView(s[nameStart..<i])).lowercased()
      while i < to && isSpace(s[i]) { i += 1 }
      var value = ""
      if i < to && s[i] == "=" {
        i += 1
        while i < to && isSpace(s[i]) { i += 1 }
        if i < to && (s[i] == "\"" || s[i] == "'") {
          let q = s[i]
          let vStart = i + 1
          i = vStart
          while i < to && s[i] != q { i += 1 }
          value = String(String.UnicodeScalarView(s[vStart..<min(i, to)]))
          i += 1
        } else {
          let vStart = i
          while i < to && !isSpace(s[i]) { i += 1 }
          value = String(String.UnicodeScalarView(s[vStart..<i]))
        }
      }
      if !name.isEmpty { attrs[name] = decodeEntities(value) }  // last one wins, as in Python
    }
    return attrs
  }

  static func match(_ s: [Unicode.Scalar], _ at: Int, _ pattern: String) -> Bool {
    let p = Array(pattern.unicodeScalars)
    guard at + p.count <= s.count else { return false }
    for k in 0..<p.count where s[at + k] != p[k] { return false }
    return true
  }

  static func find(_ s: [Unicode.Scalar], _ from: Int, _ pattern: String, caseInsensitive: Bool = false) -> Int? {
    let p = Array((caseInsensitive ? pattern.lowercased() : pattern).unicodeScalars)
    guard !p.isEmpty, from <= s.count - p.count else { return nil }
    for i in from...(s.count - p.count) {
      var ok = true
      for k in 0..<p.count {
        var c = s[i + k]
        if caseInsensitive, c.value < 128, let l = Unicode.Scalar(String(c).lowercased()) { c = l }
        if c != p[k] { ok = false; break }
      }
      if ok { return i }
    }
    return nil
  }
}
