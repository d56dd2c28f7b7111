import Engine

/// One alternating-optimization problem: K actions, each a (loss, parameter block) pair, on a task
/// model that is trained from scratch in every episode.
///
/// A task validates itself on its own schedule (for example every 10 steps), keeps its best
/// checkpoint, and says when training is over (patience or step cap). Errors are "lower is better"
/// throughout (MSE, classification error, 1/IS, perplexity).
public protocol AlternatingTask: AnyObject {
  /// Names of the actions, e.g. `["MSE", "L1"]`.
  var actionNames: [String] { get }
  /// Names of the loss values reported per step (same order as ``latestLosses``).
  var lossNames: [String] { get }
  /// Names of the controller features, in the order of ``features()``.
  var featureNames: [String] { get }
  /// Feature groups for ablations: group name and the feature indices it covers.
  var featureGroups: [(name: String, indices: [Int])] { get }

  /// Re-initializes the task model and its optimizer state from `seed`.
  func reset(seed: UInt64)
  /// Runs one optimizer step of `action` on one batch (and a validation check when one is due).
  func step(_ action: Int)
  /// The controller's state: normalized features from the latest history values.
  func features() -> [Float]
  /// The latest value of each loss (updated when that loss is evaluated).
  var latestLosses: [Float] { get }

  /// Steps taken in this episode.
  var stepCount: Int { get }
  /// Every validation check so far.
  var checks: [ValidationCheck] { get }
  /// The best validation error so far (lower is better).
  var bestValidationError: Float { get }
  /// Whether the stopping rule has ended training.
  var isFinished: Bool { get }
  /// Why training ended (`"patience"` or `"step cap"`), empty while it runs.
  var stopReason: String { get }
  /// The test error of the best checkpoint (by validation error).
  func testError() -> Float
  /// The episode reward for a run that reached `bestValidationError` (paper section 2/3 forms).
  func reward(bestValidationError: Float) -> Float
}

/// A task with a joint objective Σ_m w_m·ℓ_m (the grid-search baseline DGS and "without L1").
/// Schedules that decide `.joint` run only on tasks that adopt this protocol.
public protocol JointObjectiveTask: AlternatingTask {
  /// Runs one optimizer step on the joint objective Σ weights[m]·loss[m].
  func stepJoint(weights: [Float])
}

/// A task that reports the quantities the hand-designed threshold rules S1-S3 compare.
public protocol ThresholdSignalTask: AlternatingTask {
  /// Quantities the threshold rules S1-S3 compare (see ``ThresholdRule``).
  var thresholdSignals: ThresholdSignals { get }
}

/// One validation check of a task model.
public struct ValidationCheck: Sendable, Equatable {
  /// The task step count when the check ran.
  public var step: Int
  /// The validation error (lower is better).
  public var error: Float
  /// Task-specific extra metric (validation loss for classification, for example).
  public var extra: Float

  /// Creates a check at `step` with its validation error and an optional extra metric (NaN when absent).
  public init(step: Int, error: Float, extra: Float = .nan) {
    self.step = step
    self.error = error
    self.extra = extra
  }
}

/// The three ratios of the hand-designed schedules of the paper (section 5.1.1): each rule takes
/// the regularization action when (A − B) / B exceeds its threshold.
public struct ThresholdSignals: Sendable {
  /// S1: task loss on validation (A) and on training data (B).
  public var validationTaskLoss: Float
  /// S1 B: the task loss on training data.
  public var trainingTaskLoss: Float
  /// S2: regularization loss (A) and task loss on validation (B).
  public var regularizationLoss: Float
  /// S3: gradient norms of the regularization loss (A) and the task loss (B).
  public var regularizationGradientNorm: Float
  /// S3 B: the gradient norm of the task loss.
  public var taskGradientNorm: Float

  /// Creates the signals; pass NaN or ∞ for one that is not known yet (the rule then takes the task action).
  public init(
    validationTaskLoss: Float, trainingTaskLoss: Float, regularizationLoss: Float,
    regularizationGradientNorm: Float, taskGradientNorm: Float
  ) {
    self.validationTaskLoss = validationTaskLoss
    self.trainingTaskLoss = trainingTaskLoss
    self.regularizationLoss = regularizationLoss
    self.regularizationGradientNorm = regularizationGradientNorm
    self.taskGradientNorm = taskGradientNorm
  }
}
