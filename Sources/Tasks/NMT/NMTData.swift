import Engine

/// Reserved token ids of every NMT vocabulary (paper-spec section 5).
public enum NMTToken {
  public static let unk: Int32 = 0
  public static let start: Int32 = 1
  public static let end: Int32 = 2
  public static let pad: Int32 = 3
}

/// A list of token-id sequences stored flat: sequence i is `ids[offsets[i]..<offsets[i+1]]`.
public struct SequenceList: Sendable, Equatable {
  public var ids: [Int32]
  public var offsets: [Int]

  public init(ids: [Int32], offsets: [Int]) {
    precondition(
      !offsets.isEmpty && offsets.first == 0 && offsets.last == ids.count, "offsets must run from 0 to \(ids.count)")
    self.ids = ids
    self.offsets = offsets
  }

  /// Builds the flat layout from separate sequences.
  public init(_ sequences: [[Int32]]) {
    var ids: [Int32] = []
    var offsets = [0]
    for s in sequences {
      ids += s
      offsets.append(ids.count)
    }
    self.init(ids: ids, offsets: offsets)
  }

  public var count: Int { offsets.count - 1 }
  public func length(_ i: Int) -> Int { offsets[i + 1] - offsets[i] }
  public subscript(i: Int) -> ArraySlice<Int32> { ids[offsets[i]..<offsets[i + 1]] }

  /// The sequences at `indices`, in that order.
  public func subset(_ indices: [Int]) -> SequenceList { SequenceList(indices.map { Array(self[$0]) }) }

  /// Replaces ids at or above `size` by UNK (a vocabulary cap for reduced profiles).
  public func capped(vocabularySize size: Int) -> SequenceList {
    SequenceList(ids: ids.map { Int($0) < size ? $0 : NMTToken.unk }, offsets: offsets)
  }
}

/// Aligned source and target sequences of one task and split (for tagging tasks the target is the
/// label sequence, as long as the source).
public struct SequencePairs: Sendable, Equatable {
  public var source: SequenceList
  public var target: SequenceList

  public init(source: SequenceList, target: SequenceList) {
    precondition(source.count == target.count, "\(source.count) sources for \(target.count) targets")
    self.source = source
    self.target = target
  }

  public var count: Int { source.count }
  /// Total target tokens (without END).
  public var targetTokens: Int { target.ids.count }

  /// The pairs at `indices`.
  public func subset(_ indices: [Int]) -> SequencePairs {
    SequencePairs(source: source.subset(indices), target: target.subset(indices))
  }

  /// The first `n` pairs (all when `n` is nil or larger).
  public func prefix(_ n: Int?) -> SequencePairs {
    guard let n, n < count else { return self }
    return subset(Array(0..<max(n, 0)))
  }

  /// Pairs whose source and target both have at most `maxLength` tokens.
  public func filtered(maxLength: Int) -> SequencePairs {
    subset((0..<count).filter { source.length($0) <= maxLength && target.length($0) <= maxLength })
  }
}

/// The train, validation and test splits of one task plus its output vocabulary size.
public struct NMTTaskData: Sendable {
  /// The task name (`mt`, `pos`, `dep`, ...).
  public var name: String
  public var train: SequencePairs
  public var validation: SequencePairs
  public var test: SequencePairs
  /// The decoder vocabulary size of this task (reserved ids included).
  public var targetVocabularySize: Int
  /// Decoder token strings (for BLEU on merged words); may be empty.
  public var targetVocabulary: [String]

  public init(
    name: String, train: SequencePairs, validation: SequencePairs, test: SequencePairs,
    targetVocabularySize: Int, targetVocabulary: [String] = []
  ) {
    self.name = name
    self.train = train
    self.validation = validation
    self.test = test
    self.targetVocabularySize = targetVocabularySize
    self.targetVocabulary = targetVocabulary
  }
}

/// Everything the multi-task NMT model trains on: the shared source vocabulary and one entry per
/// task, the main task (MT) first.
public struct NMTCorpus: Sendable {
  public var sourceVocabularySize: Int
  public var tasks: [NMTTaskData]

  public init(sourceVocabularySize: Int, tasks: [NMTTaskData]) {
    precondition(!tasks.isEmpty, "an NMT corpus needs at least the MT task")
    self.sourceVocabularySize = sourceVocabularySize
    self.tasks = tasks
  }

  public var taskNames: [String] { tasks.map(\.name) }
}
