import AutoLoss
import Engine
import Foundation

/// Constants of a task-loss + L1 problem (paper-spec sections 2 and 3).
public struct RegularizedTaskConfig: Sendable, Codable, Equatable {
  /// Weight λ of the L1 penalty λ·Σ|w|.
  public var lambda: Float
  /// Adam learning rate (one Adam shared by both actions, as in the official code).
  public var learningRate: Float
  /// Keep one Adam per action instead of one shared Adam.
  public var separateOptimizers = false
  /// Validate every this many steps.
  public var validateEvery = 10
  /// Stop after this many checks in a row without a better validation error.
  public var patienceChecks: Int
  /// Stop after this many steps.
  public var maxSteps: Int
  /// Reward constant C of the episode reward.
  public var rewardScale: Float

  /// The regression task of the paper: λ 0.2, Adam 5e-4, patience 100 checks, at most 20 000 steps, R = 20000 / MSE.
  public static let regression = RegularizedTaskConfig(
    lambda: 0.2, learningRate: 5e-4, patienceChecks: 100, maxSteps: 20_000, rewardScale: 20_000)
  /// The classification task: λ 0.02, Adam 1e-3, patience 20 checks, at most 2000 steps, R = −1000 / accuracy.
  public static let classification = RegularizedTaskConfig(
    lambda: 0.02, learningRate: 1e-3, patienceChecks: 20, maxSteps: 2_000, rewardScale: 1_000)

  public init(lambda: Float, learningRate: Float, patienceChecks: Int, maxSteps: Int, rewardScale: Float) {
    self.lambda = lambda
    self.learningRate = learningRate
    self.patienceChecks = patienceChecks
    self.maxSteps = maxSteps
    self.rewardScale = rewardScale
  }
}

/// Which of the two paper tasks a ``RegularizedTask`` is.
public enum RegularizedTaskKind: String, Sendable, Codable, CaseIterable {
  case regression
  case classification
}

/// The regression or classification task of the paper as an ``AlternatingTask``: action 0 is one
/// Adam step on the task loss (MSE or cross-entropy), action 1 one Adam step on λ·Σ|w|; both on the
/// full training split. The model is validated every `validateEvery` steps; the best checkpoint is
/// kept for the test evaluation.
///
/// Features (paper section 4.1, four groups; "latest history values"):
/// - progress: t / maxSteps;
/// - gradient: log10 of ‖∇ℓ‖ / √dim(Θ) for each loss, when that loss was last stepped;
/// - loss: the task loss and the L1 loss, log1p-compressed for regression;
/// - validation: the latest validation error, its EMA (0.9), the EMA of its relative improvement
///   per check, and the generalization gap (validation − training loss) / training loss.
public final class RegularizedTask: JointObjectiveTask, ThresholdSignalTask {
  public let kind: RegularizedTaskKind
  public let config: RegularizedTaskConfig
  public let data: TaskData

  public let actionNames: [String]
  public let lossNames: [String]
  public let featureNames = [
    "progress", "grad_norm_task", "grad_norm_l1", "loss_task", "loss_l1", "val_error", "val_error_ema",
    "val_improvement_ema", "generalization_gap",
  ]
  public let featureGroups: [(name: String, indices: [Int])] = [
    ("progress", [0]), ("gradient", [1, 2]), ("loss", [3, 4]), ("validation", [5, 6, 7, 8]),
  ]

  private var model: RegularizedModel {
    didSet { params = model.parameters }
  }
  /// `model.parameters`, listed once per model (the list is built from names on every call).
  private var params: [Variable] = []
  /// Run the task steps on the autodiff tape instead of the models' tape-free path (for tests
  /// that compare the two).
  var usesTape = false
  private var optimizers: [Adam] = []
  private var bestState: [String: Tensor] = [:]
  public private(set) var stepCount = 0
  private var history: ValidationHistory
  public var checks: [ValidationCheck] { history.checks }
  public var bestValidationError: Float { history.bestError }
  // Latest history values.
  private var trainTaskLoss: Float = .nan
  private var l1Loss: Float = .nan
  private var taskGradNorm: Float = .nan
  private var l1GradNorm: Float = .nan
  private var validationLoss: Float = .nan
  private var validationError: Float = .nan
  private var validationErrorEMA: Float = .nan
  private var improvementEMA: Float = 0

  public init(kind: RegularizedTaskKind, data: TaskData, config: RegularizedTaskConfig? = nil) {
    self.kind = kind
    self.data = data
    self.config = config ?? (kind == .regression ? .regression : .classification)
    let taskLossName = kind == .regression ? "MSE" : "CE"
    actionNames = [taskLossName, "L1"]
    lossNames = [taskLossName, "L1"]
    history = ValidationHistory(patienceChecks: self.config.patienceChecks, maxSteps: self.config.maxSteps)
    var rng = SeededRandom(seed: 0)
    model = Self.makeModel(kind: kind, inputSize: data.train.x.shape[1], rng: &rng)
    params = model.parameters
  }

  static func makeModel(kind: RegularizedTaskKind, inputSize: Int, rng: inout SeededRandom) -> RegularizedModel {
    switch kind {
    case .regression: return QuadraticRegressor(inputSize: inputSize, rng: &rng)
    case .classification: return MLPClassifier(inputSize: inputSize, rng: &rng)
    }
  }

  public func reset(seed: UInt64) {
    var rng = SeededRandom(seed: seed)
    model = Self.makeModel(kind: kind, inputSize: data.train.x.shape[1], rng: &rng)
    let count = config.separateOptimizers ? 2 : 1
    optimizers = (0..<count).map { _ in Adam(learningRate: config.learningRate) }
    stepCount = 0
    history = ValidationHistory(patienceChecks: config.patienceChecks, maxSteps: config.maxSteps)
    improvementEMA = 0
    validationErrorEMA = .nan
    // Nothing of the previous episode may leak into this one (a reused task must repeat a fresh one).
    validationError = .nan
    validationLoss = .nan
    let train = model.evaluate(data.train)
    trainTaskLoss = train.loss
    l1Loss = l1Value()
    taskGradNorm = .nan
    l1GradNorm = .nan
    validate()
  }

  private func l1Value() -> Float {
    var s: Float = 0
    for p in params {
      p.value.data.withUnsafeBufferPointer { w in for v in w { s += abs(v) } }
    }
    return config.lambda * s
  }

  public func step(_ action: Int) {
    precondition(action == 0 || action == 1, "action \(action) of a two-action task")
    if usesTape { model.zeroGrad() }
    if action == 0 {
      if usesTape {
        let loss = model.taskLoss(data.train)
        loss.backward()
        trainTaskLoss = loss.value.scalar
      } else {
        trainTaskLoss = model.taskLossAndGradient(data.train, scale: 1)
      }
      taskGradNorm = normalizedGradientNorm(params)
    } else {
      if usesTape {
        (config.lambda * l1Penalty(params)).backward()
      } else {
        for p in params { p.setL1Gradient(lambda: config.lambda) }
      }
      l1GradNorm = normalizedGradientNorm(params)
    }
    optimizers[config.separateOptimizers ? action : 0].step(params)
    l1Loss = l1Value()
    finishStep()
  }

  public func stepJoint(weights: [Float]) {
    precondition(weights.count == 2, "joint weights \(weights) for two losses")
    if usesTape {
      model.zeroGrad()
      let task = model.taskLoss(data.train)
      var loss = task * weights[0]
      if weights[1] != 0 { loss = loss + config.lambda * weights[1] * l1Penalty(params) }
      loss.backward()
      trainTaskLoss = task.value.scalar
    } else {
      trainTaskLoss = model.taskLossAndGradient(data.train, scale: weights[0])
      if weights[1] != 0 {
        for p in params { p.setL1Gradient(lambda: config.lambda * weights[1], accumulate: true) }
      }
    }
    taskGradNorm = normalizedGradientNorm(params)
    optimizers[0].step(params)
    l1Loss = l1Value()
    finishStep()
  }

  private func finishStep() {
    stepCount += 1
    if stepCount % config.validateEvery == 0 { validate() }
  }

  private func validate() {
    let v = model.evaluate(data.validation)
    let previous = validationError
    validationLoss = v.loss
    validationError = v.error
    validationErrorEMA = validationErrorEMA.isNaN ? v.error : 0.9 * validationErrorEMA + 0.1 * v.error
    if previous.isFinite && previous > 0 {
      improvementEMA = 0.9 * improvementEMA + 0.1 * (previous - v.error) / previous
    }
    if history.record(ValidationCheck(step: stepCount, error: v.error, extra: v.loss)) {
      bestState = model.stateDict()
    }
  }

  public var isFinished: Bool { !stopReason.isEmpty }

  public var stopReason: String { history.stopReason(stepCount: stepCount) }

  public var latestLosses: [Float] { [trainTaskLoss, l1Loss] }

  /// S1-S3 signals. The L1 gradient norm is computed from the current weights (its gradient is
  /// λ·sign(w), so its normalized norm is λ·√(nonzero / total)); the task gradient norm is the one
  /// of the latest task step (unknown before the first).
  public var thresholdSignals: ThresholdSignals {
    var nonzero = 0
    var total = 0
    for p in params {
      total += p.value.count
      for v in p.value.data where v != 0 { nonzero += 1 }
    }
    let l1Norm = total > 0 ? config.lambda * (Float(nonzero) / Float(total)).squareRoot() : 0
    return ThresholdSignals(
      validationTaskLoss: validationLoss, trainingTaskLoss: trainTaskLoss, regularizationLoss: l1Loss,
      regularizationGradientNorm: l1Norm, taskGradientNorm: taskGradNorm)
  }

  public func features() -> [Float] {
    let logOffset: Float = kind == .regression ? 0 : 2
    func gradFeature(_ g: Float) -> Float { g.isNaN ? 0 : log10(max(g, 1e-8)) + logOffset }
    func compress(_ x: Float) -> Float { kind == .regression ? log1p(max(x, 0)) : x }
    let errorScale: Float = kind == .regression ? 1 : 10
    func clip(_ x: Float, _ b: Float) -> Float { x.isFinite ? min(max(x, -b), b) : 0 }
    let gap = trainTaskLoss > 0 ? (validationLoss - trainTaskLoss) / trainTaskLoss : 0
    return [
      Float(stepCount) / Float(config.maxSteps),
      gradFeature(taskGradNorm),
      gradFeature(l1GradNorm),
      clip(compress(trainTaskLoss), 20),
      clip(l1Loss, 20),
      clip(compress(validationError * errorScale), 20),
      clip(compress(validationErrorEMA * errorScale), 20),
      clip(improvementEMA * 100, 5),
      clip(gap, 5),
    ]
  }

  public func testError() -> Float {
    guard let test = data.test else { return .nan }
    let current = model.stateDict()
    if !bestState.isEmpty { model.restoreOwnCheckpoint(bestState) }
    let error = model.evaluate(test).error
    model.restoreOwnCheckpoint(current)
    return error
  }

  public func reward(bestValidationError: Float) -> Float {
    switch kind {
    case .regression:
      return config.rewardScale / max(bestValidationError, 1e-6)
    case .classification:
      return -config.rewardScale / max(1 - bestValidationError, 0.5)
    }
  }
}
