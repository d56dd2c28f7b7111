import AutoLoss
import Engine
import Foundation

/// One validation check of every task of an ``NMTTask``.
public struct NMTCheck: Sendable, Equatable {
  public var step: Int
  /// Per task: validation loss (mean NLL per token), accuracy, and the mean training loss and
  /// accuracy of its last 10 steps (NaN before its first step).
  public var validationLoss: [Float]
  public var validationAccuracy: [Float]
  public var trainingLoss: [Float]
  public var trainingAccuracy: [Float]
  /// Steps taken of each task so far.
  public var taskSteps: [Int]
  /// MT validation perplexity.
  public var perplexity: Float { Foundation.exp(validationLoss[0]) }
}

/// Multi-task NMT as an ``AlternatingTask``: action m is one Adam step (task m's own optimizer) of
/// θ_e ∪ θ_d(m) on one training batch of task m. Task 0 is MT.
///
/// Every `validateEvery` steps all tasks are evaluated (teacher-forced, no dropout) on their
/// validation pairs (MT on `mtValidationLimit`, the others on `validationLimit`); the check's error is the MT validation perplexity, and the parameters of the
/// best MT check are kept for the test evaluation. Training stops after `patienceChecks` checks
/// without a new best validation loss in any task, or at `maxSteps`.
///
/// Features (official code `Nmt.get_state`, 6 per task, 18 for 3 tasks): (mean of the last 10
/// training losses − 2)/3, (latest validation loss − 2)/3, training − validation loss, mean
/// training accuracy of the last 10 steps, validation accuracy, (training − validation
/// accuracy)·10. Values not yet measured are 0.
public final class NMTTask: JointObjectiveTask {
  public let corpus: NMTCorpus
  public let config: NMTTaskConfig
  public let actionNames: [String]
  public let lossNames: [String]
  public let featureNames: [String]
  public let featureGroups: [(name: String, indices: [Int])]

  public private(set) var model: Seq2SeqModel
  private var optimizers: [Adam] = []
  private var jointOptimizer = Adam()
  private var batchers: [NMTBatcher] = []
  private var rng = SeededRandom(seed: 0)
  private let validationBatches: [[NMTBatch]]
  private var recentLoss: [[Float]]
  private var recentAccuracy: [[Float]]
  private var bestLoss: [Float]
  private var bestState: [String: Tensor] = [:]
  public private(set) var stepCount = 0
  public private(set) var checks: [ValidationCheck] = []
  /// The full record of every check.
  public private(set) var nmtChecks: [NMTCheck] = []
  public private(set) var bestValidationError: Float = .infinity
  public private(set) var latestLosses: [Float]
  public private(set) var taskSteps: [Int]
  private var checksSinceImprovement = 0
  public private(set) var stopReason = ""
  /// Thread CPU seconds spent in validation checks.
  public private(set) var validationSeconds = 0.0

  public init(corpus: NMTCorpus, config: NMTTaskConfig) {
    self.corpus = corpus
    self.config = config
    let names = corpus.taskNames
    actionNames = names
    lossNames = names
    let perTask = ["train_loss", "val_loss", "loss_gap", "train_acc", "val_acc", "acc_gap"]
    featureNames = names.flatMap { n in perTask.map { "\(n).\($0)" } } + (config.progressFeature ? ["progress"] : [])
    var lossIndices: [Int] = []
    var accuracyIndices: [Int] = []
    for t in 0..<names.count {
      let base: Int = 6 * t
      lossIndices += [base, base + 1, base + 2]
      accuracyIndices += [base + 3, base + 4, base + 5]
    }
    featureGroups = [("loss", lossIndices), ("accuracy", accuracyIndices)]
    validationBatches = corpus.tasks.indices.map { t in
      let limit = t == 0 && config.mtValidationLimit >= 0 ? config.mtValidationLimit : config.validationLimit
      return evaluationBatches(
        corpus.tasks[t].validation.prefix(limit > 0 ? limit : nil), batchSize: config.evaluationBatchSize)
    }
    let k = names.count
    recentLoss = Array(repeating: [], count: k)
    recentAccuracy = Array(repeating: [], count: k)
    bestLoss = Array(repeating: .infinity, count: k)
    latestLosses = Array(repeating: .nan, count: k)
    taskSteps = Array(repeating: 0, count: k)
    var r = SeededRandom(seed: 0)
    model = Self.makeModel(corpus: corpus, config: config, rng: &r)
  }

  static func makeModel(corpus: NMTCorpus, config: NMTTaskConfig, rng: inout SeededRandom) -> Seq2SeqModel {
    Seq2SeqModel(
      sourceVocabularySize: corpus.sourceVocabularySize,
      targetVocabularySizes: corpus.tasks.map(\.targetVocabularySize), config: config.model, rng: &rng)
  }

  public func reset(seed: UInt64) {
    rng = SeededRandom(seed: seed)
    model = Self.makeModel(corpus: corpus, config: config, rng: &rng)
    optimizers = corpus.tasks.map { _ in Adam(learningRate: config.learningRate) }
    jointOptimizer = Adam(learningRate: config.learningRate)
    batchers = corpus.tasks.map { NMTBatcher($0.train, batchSize: config.batchSize) }
    let k = corpus.tasks.count
    recentLoss = Array(repeating: [], count: k)
    recentAccuracy = Array(repeating: [], count: k)
    bestLoss = Array(repeating: .infinity, count: k)
    latestLosses = Array(repeating: .nan, count: k)
    taskSteps = Array(repeating: 0, count: k)
    stepCount = 0
    checks = []
    nmtChecks = []
    bestValidationError = .infinity
    bestState = model.stateDict()
    checksSinceImprovement = 0
    stopReason = ""
    validationSeconds = 0
    validate()
    // Until a task is stepped, its latest loss is its initial validation loss.
    latestLosses = nmtChecks[0].validationLoss
  }

  public func step(_ action: Int) {
    precondition(action >= 0 && action < corpus.tasks.count, "action \(action) of \(corpus.tasks.count)")
    let indices = batchers[action].next(rng: &rng)
    let batch = NMTBatch(corpus.tasks[action].train, indices: indices)
    let r = model.trainingStep(
      task: action, batch: batch, optimizer: optimizers[action], clipNorm: config.clipNorm, rng: &rng)
    record(action, r)
    finishStep()
  }

  /// A step on Σ_m w_m ℓ_m, each loss on its own batch, with a separate joint Adam.
  public func stepJoint(weights: [Float]) {
    let params = model.parameters
    model.zeroGrad()
    for (m, w) in weights.enumerated() where w > 0 {
      let batch = NMTBatch(corpus.tasks[m].train, indices: batchers[m].next(rng: &rng))
      let (loss, r) = model.loss(task: m, batch: batch, training: true, rng: &rng)
      (loss * w).backward()
      record(m, r)
    }
    clipGradients(params, maxNorm: config.clipNorm)
    jointOptimizer.step(params)
    model.zeroGrad()
    finishStep()
  }

  private func record(_ task: Int, _ r: Seq2SeqStepResult) {
    latestLosses[task] = r.loss
    taskSteps[task] += 1
    recentLoss[task].append(r.loss)
    recentAccuracy[task].append(r.accuracy)
    if recentLoss[task].count > 10 {
      recentLoss[task].removeFirst()
      recentAccuracy[task].removeFirst()
    }
  }

  private func finishStep() {
    stepCount += 1
    if stepCount % config.validateEvery == 0 { validate() }
    if stopReason.isEmpty && stepCount >= config.maxSteps { stopReason = "step cap" }
  }

  private static func mean(_ xs: [Float]) -> Float { xs.isEmpty ? .nan : xs.reduce(0, +) / Float(xs.count) }

  private func validate() {
    let start = threadCPUSeconds()
    var losses: [Float] = []
    var accuracies: [Float] = []
    for t in corpus.tasks.indices {
      let e = model.evaluate(task: t, batches: validationBatches[t])
      losses.append(e.tokens > 0 ? Float(e.nll / Double(e.tokens)) : .nan)
      accuracies.append(e.tokens > 0 ? Float(e.correct) / Float(e.tokens) : .nan)
    }
    validationSeconds += threadCPUSeconds() - start
    let check = NMTCheck(
      step: stepCount, validationLoss: losses, validationAccuracy: accuracies,
      trainingLoss: recentLoss.map(Self.mean), trainingAccuracy: recentAccuracy.map(Self.mean), taskSteps: taskSteps)
    nmtChecks.append(check)
    let ppl = check.perplexity
    checks.append(ValidationCheck(step: stepCount, error: ppl, extra: losses[0]))
    if ppl < bestValidationError {
      bestValidationError = ppl
      bestState = model.stateDict()
    }
    var improved = false
    for t in losses.indices where losses[t] < bestLoss[t] {
      bestLoss[t] = losses[t]
      improved = true
    }
    checksSinceImprovement = improved ? 0 : checksSinceImprovement + 1
    if stopReason.isEmpty && checksSinceImprovement >= config.patienceChecks { stopReason = "patience" }
  }

  public var isFinished: Bool { !stopReason.isEmpty }

  public func features() -> [Float] {
    var f: [Float] = []
    let last = nmtChecks.last
    for t in corpus.tasks.indices {
      let trainLoss = Self.mean(recentLoss[t])
      let trainAcc = Self.mean(recentAccuracy[t])
      let valLoss = last?.validationLoss[t] ?? .nan
      let valAcc = last?.validationAccuracy[t] ?? .nan
      let values: [Float] = [
        (trainLoss - 2) / 3, (valLoss - 2) / 3, trainLoss - valLoss, trainAcc, valAcc, (trainAcc - valAcc) * 10,
      ]
      f += values.map { $0.isFinite ? $0 : 0 }
    }
    if config.progressFeature { f.append(Float(stepCount) / Float(max(config.maxSteps, 1))) }
    return f
  }

  /// The controller's feature count for `taskCount` tasks: six per task (losses, accuracies and
  /// their gaps), plus the progress with `config.progressFeature`.
  public static func featureCount(taskCount: Int, config: NMTTaskConfig) -> Int {
    6 * taskCount + (config.progressFeature ? 1 : 0)
  }

  /// Loads the parameters of the best MT validation check.
  public func restoreBest() {
    model.restoreOwnCheckpoint(bestState)
  }

  /// The parameters of the best MT validation check.
  public var bestParameters: [String: Tensor] { bestState }

  /// MT test perplexity of the best checkpoint.
  public func testError() -> Float {
    let current = model.stateDict()
    restoreBest()
    let e = model.evaluate(
      task: 0, batches: evaluationBatches(corpus.tasks[0].test, batchSize: config.evaluationBatchSize))
    model.restoreOwnCheckpoint(current)
    return perplexity(nll: e.nll, tokens: e.tokens)
  }

  /// The negative log of the best validation perplexity (unused by the online controller).
  public func reward(bestValidationError: Float) -> Float { -Foundation.log(bestValidationError) }
}
