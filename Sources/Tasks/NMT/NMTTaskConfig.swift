/// Training settings of the multi-task NMT task (paper-spec section 5).
public struct NMTTaskConfig: Sendable, Codable, Equatable {
  /// The model sizes.
  public var model = Seq2SeqConfig()
  /// Sentences per training batch (the paper: 128).
  public var batchSize = 128
  /// Adam learning rate of every task's optimizer (the paper: 5e-4; the code: 1e-3).
  public var learningRate: Float = 5e-4
  /// Global-norm clip of each update.
  public var clipNorm: Float = 1
  /// Validate every this many steps (the code: 50).
  public var validateEvery = 50
  /// Validation pairs per task used in the periodic checks (0: the whole split). Final numbers
  /// always use the whole split.
  public var validationLimit = 0
  /// MT validation pairs used in the periodic checks, whose perplexity is the segment reward and
  /// picks the best checkpoint (0: the whole split; −1: `validationLimit`). The reward needs at
  /// least 500 sentences (or the whole split) to rise above the noise of a small subset.
  public var mtValidationLimit = 0
  /// Sentences per evaluation batch.
  public var evaluationBatchSize = 64
  /// Stop after this many checks in a row in which no task improves its best validation loss
  /// (the code: 50).
  public var patienceChecks = 50
  /// Stop after this many steps.
  public var maxSteps = 100_000
  /// Append the training progress t / maxSteps to the controller's features (not in the official
  /// code, whose NMT features carry no sense of time).
  public var progressFeature = false

  public init() {}
}
