/// What the tokenizer does with digits.
public enum DigitPolicy: String, Sendable, CaseIterable {
  /// Leave digits alone.
  case keep
  /// Replace every digit by "0" ("2019" -> "0000"), as the paper describes.
  case zero
  /// Delete digits, leaving "0" when a token becomes empty (the released code's behaviour).
  case strip
}

/// A rule-based word tokenizer: splits on whitespace, then splits punctuation and symbols off as
/// separate tokens. A `.`, `,`, `'`, `-` or `’` between two letters or digits stays inside the word
/// ("3.5", "e-mail", "don't"). Optionally lowercases and normalises digits.
public struct Tokenizer: Sendable, Equatable {
  public var lowercase: Bool
  public var digits: DigitPolicy

  public init(lowercase: Bool = false, digits: DigitPolicy = .zero) {
    self.lowercase = lowercase
    self.digits = digits
  }

  /// The tokens of one line.
  public func tokenize(_ line: String) -> [String] {
    var tokens: [String] = []
    let text = lowercase ? line.lowercased() : line
    for chunk in text.split(whereSeparator: { $0.isWhitespace }) {
      let chars = Array(chunk)
      var word = ""
      func flush() {
        if !word.isEmpty { tokens.append(normalizeDigits(word)) }
        word = ""
      }
      for (i, c) in chars.enumerated() {
        if c.isLetter || c.isNumber {
          word.append(c)
        } else if ".,'-’".contains(c), i > 0, i + 1 < chars.count, Self.isWordChar(chars[i - 1]),
          Self.isWordChar(chars[i + 1])
        {
          word.append(c)
        } else {
          flush()
          tokens.append(String(c))
        }
      }
      flush()
    }
    return tokens
  }

  static func isWordChar(_ c: Character) -> Bool { c.isLetter || c.isNumber }

  func normalizeDigits(_ token: String) -> String {
    switch digits {
    case .keep:
      return token
    case .zero:
      guard token.contains(where: \.isWholeNumberDigit) else { return token }
      return String(token.map { $0.isWholeNumberDigit ? "0" : $0 })
    case .strip:
      guard token.contains(where: \.isWholeNumberDigit) else { return token }
      let kept = String(token.filter { !$0.isWholeNumberDigit })
      return kept.isEmpty ? "0" : kept
    }
  }
}

extension Character {
  /// An ASCII or other decimal digit.
  var isWholeNumberDigit: Bool { isWholeNumber && wholeNumberValue.map { (0...9).contains($0) } == true }
}
