import Datasets
import Foundation

/// Settings of the text pipeline: tokenizer, length filter, BPE and splits.
public struct TextPrepSettings: Sendable {
  /// Pairs (and tagged sentences) are kept when both sides have `minLength...maxLength` word
  /// tokens (before BPE).
  public var minLength = 3
  public var maxLength = 50
  /// BPE merges learned on the training split, separately for source and target.
  public var sourceMerges = 8000
  public var targetMerges = 8000
  /// Lowercase before tokenizing.
  public var lowercase = false
  /// Digit handling of the tokenizer (the paper maps digits to 0).
  public var digits = DigitPolicy.zero
  /// Fractions of the MT pairs in validation and test (the rest is train).
  public var mtValidationFraction = 0.05
  public var mtTestFraction = 0.05
  /// Fractions of the tagged sentences in validation and test (the rest is train).
  public var auxValidationFraction = 0.1
  public var auxTestFraction = 0.1
  /// Caps on the token vocabularies (reserved ids included); nil keeps every piece seen in train.
  public var maxSourceVocabulary: Int?
  public var maxTargetVocabulary: Int?

  public init() {}

  var tokenizer: Tokenizer { Tokenizer(lowercase: lowercase, digits: digits) }

  func validate() throws {
    guard minLength >= 1, maxLength >= minLength else {
      throw PrepError("invalid length filter \(minLength)...\(maxLength) (expected 1 <= min <= max)")
    }
    guard sourceMerges >= 0, targetMerges >= 0 else {
      throw PrepError("invalid BPE merges \(sourceMerges)/\(targetMerges) (expected >= 0)")
    }
    for (name, a, b) in [
      ("MT", mtValidationFraction, mtTestFraction), ("auxiliary", auxValidationFraction, auxTestFraction),
    ] {
      guard a >= 0, b >= 0, a + b < 1 else {
        throw PrepError("invalid \(name) split fractions validation \(a), test \(b) (expected >= 0 with sum < 1)")
      }
    }
  }

  func record(into config: inout PrepConfig) {
    config.set("min_length", minLength)
    config.set("max_length", maxLength)
    config.set("length_unit", "word tokens before BPE, both sides")
    config.set("bpe_merges_source", sourceMerges)
    config.set("bpe_merges_target", targetMerges)
    config.set("lowercase", lowercase)
    config.set("digits", digits.rawValue)
    config.set("mt_split", "\(1 - mtValidationFraction - mtTestFraction)/\(mtValidationFraction)/\(mtTestFraction)")
    config.set(
      "aux_split", "\(1 - auxValidationFraction - auxTestFraction)/\(auxValidationFraction)/\(auxTestFraction)")
    if let maxSourceVocabulary { config.set("max_source_vocabulary", maxSourceVocabulary) }
    if let maxTargetVocabulary { config.set("max_target_vocabulary", maxTargetVocabulary) }
  }
}

/// One auxiliary tagging task read from CoNLL-U: `[TASK[:COLUMN]=]FILE`, COLUMN `upos` (default)
/// or `deprel`; TASK defaults to the file's stem. Several files may share a task.
public struct AuxTaskSpec: Sendable, Equatable {
  public enum Column: String, Sendable, CaseIterable {
    case upos, deprel
  }

  public var task: String
  public var column: Column
  public var files: [String]
  /// The label vocabulary's name under `/vocab` (`pos` for UPOS of task `pos`, else the task).
  public var vocabulary: String

  public init(task: String, column: Column, files: [String], vocabulary: String? = nil) {
    self.task = task
    self.column = column
    self.files = files
    self.vocabulary = vocabulary ?? task
  }

  /// Parses `--aux-conllu` values, merging files of the same task.
  public static func parse(_ values: [String]) throws -> [AuxTaskSpec] {
    var specs: [AuxTaskSpec] = []
    for value in values {
      var task: String
      var column = Column.upos
      var file = value
      if let eq = value.firstIndex(of: "="), !value[..<eq].contains("/") {
        file = String(value[value.index(after: eq)...])
        let head = value[..<eq]
        if let colon = head.firstIndex(of: ":") {
          let name = String(head[head.index(after: colon)...])
          guard let parsed = Column(rawValue: name.lowercased()) else {
            throw PrepError(
              "--aux-conllu \(value): expected column upos or deprel after ':', found '\(name)'")
          }
          column = parsed
          task = String(head[..<colon])
        } else {
          task = String(head)
        }
      } else {
        task = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
      }
      task = task.lowercased().map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()
      guard !task.isEmpty, task != "mt", task != "vocab", task != "bpe", !file.isEmpty else {
        throw PrepError(
          "--aux-conllu \(value): expected [TASK[:COLUMN]=]FILE with a task name other than mt, vocab, bpe")
      }
      if let i = specs.firstIndex(where: { $0.task == task }) {
        guard specs[i].column == column else {
          throw PrepError("--aux-conllu \(value): task '\(task)' already uses column \(specs[i].column.rawValue)")
        }
        specs[i].files.append(file)
      } else {
        specs.append(AuxTaskSpec(task: task, column: column, files: [file]))
      }
    }
    return specs
  }
}
