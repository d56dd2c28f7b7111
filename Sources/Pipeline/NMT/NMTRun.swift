import AutoLoss
import Datasets
import Engine
import Foundation
import Tasks

/// One training run to do: a schedule, a seed, and what differs from the base configuration.
struct NMTRunSpec: Sendable {
  var schedule: NMTScheduleKind
  /// A label for the artifact group (e.g. `fixed-ratio`, `mix-0.60`).
  var label: String
  var seed: UInt64
  /// Task probabilities of random schedules.
  var mix: [Float] = []
  var switchStep = 0
  var maxSteps: Int
  /// AutoLoss: a controller to start from (transfer: frozen).
  var controller: [String: Tensor]? = nil
  var learn = true
  /// AutoLoss: ε-exploration of this run (0 for a frozen controller).
  var exploration: Float = 0
  /// Skip the final BLEU (tuning runs).
  var evaluateBLEU = true
}

/// Everything one run produced.
struct NMTRunResult: Sendable {
  var spec: NMTRunSpec
  var trace: EpisodeTrace
  var checks: [NMTCheck]
  /// Best MT validation perplexity among the periodic checks (on the validation subset).
  var bestCheckPerplexity: Float
  /// With the best checkpoint, on the whole splits.
  var validationPerplexity: Float
  var testPerplexity: Float
  var bleu: BLEUScore?
  /// Per task (MT first): teacher-forced per-token test accuracy of the best checkpoint.
  var testAccuracy: [Float]
  /// Wall seconds of the run, and thread CPU seconds: total, in periodic validation checks, and in
  /// the final evaluation (whole splits + greedy decoding of the test split).
  var seconds: Double
  var cpuSeconds = 0.0
  var validationSeconds: Double
  var finalEvaluationSeconds = 0.0
  /// FineTuned: the step it switched to MT only (−1: never).
  var switchedAt = -1
  var segmentSteps: [Int] = []
  var segmentRewards: [Float] = []
  var updateStats: [PPOUpdateStats] = []
  var controller: [String: Tensor] = [:]
}

enum NMTRunner {
  /// Trains one model under the spec's schedule and evaluates its best MT checkpoint.
  /// AutoLoss runs use `trainer` when given (a controller kept across meta-episodes), otherwise a
  /// fresh one (loaded from `spec.controller` when set).
  static func run(
    _ spec: NMTRunSpec, corpus: NMTCorpus, config: NMTExperimentConfig, progress: ProgressDisplay?,
    trainer given: PPOTrainer? = nil
  ) -> NMTRunResult {
    let start = Date()
    let cpuStart = threadCPUSeconds()
    var taskConfig = config.task
    taskConfig.maxSteps = spec.maxSteps
    let task = NMTTask(corpus: corpus, config: taskConfig)
    var trace: EpisodeTrace
    var online = OnlinePPOTrace()
    var controller: [String: Tensor] = [:]
    var switchedAt = -1
    switch spec.schedule {
    case .autoLoss, .autoLossTransfer:
      let trainer =
        given
        ?? PPOTrainer(
          featureCount: task.featureNames.count, actionCount: task.actionNames.count, config: config.ppo,
          seed: spec.seed ^ 0xC0A7)
      if given == nil, let state = spec.controller {
        // `NMTStage.execute` has loaded this state into a trainer of the same shape before any run.
        do { try trainer.load(state) } catch {
          preconditionFailure("nmt run \(spec.label): controller checked but does not load: \(error)")
        }
      }
      online = runOnlinePPO(
        task: task, trainer: trainer, seed: spec.seed, exploration: spec.exploration, learn: spec.learn)
      trace = online.episode
      controller = trainer.stateDict()
    case .mtOnly:
      var s = FixedPattern([0], name: spec.label)
      trace = runEpisode(task: task, schedule: &s, seed: spec.seed)
    case .roundRobin:
      var s = FixedPattern(Array(0..<corpus.tasks.count), name: spec.label)
      trace = runEpisode(task: task, schedule: &s, seed: spec.seed)
    case .fixedRatio, .bestMix, .mix:
      var s = WeightedRandom(spec.mix, name: spec.label)
      trace = runEpisode(task: task, schedule: &s, seed: spec.seed)
    case .fineTuned:
      var s = SwitchToMainTask(
        WeightedRandom(spec.mix), switchStep: spec.switchStep, switchPatience: config.fineTuneSwitchPatience)
      trace = runEpisode(task: task, schedule: &s, seed: spec.seed)
      switchedAt = s.switchedAt ?? -1
    }
    // Final evaluation of the best MT checkpoint on the whole splits.
    let evalStart = threadCPUSeconds()
    task.restoreBest()
    let model = task.model
    let bs = config.task.evaluationBatchSize
    let mtTest = corpus.tasks[0].test
    let val = model.evaluate(task: 0, batches: evaluationBatches(corpus.tasks[0].validation, batchSize: bs))
    let test = model.evaluate(task: 0, batches: evaluationBatches(mtTest, batchSize: bs))
    var accuracy: [Float] = []
    for t in corpus.tasks.indices {
      let e = t == 0 ? test : model.evaluate(task: t, batches: evaluationBatches(corpus.tasks[t].test, batchSize: bs))
      accuracy.append(e.tokens > 0 ? Float(e.correct) / Float(e.tokens) : .nan)
    }
    var bleu: BLEUScore?
    if config.bleu && spec.evaluateBLEU {
      let hyps = model.greedyDecode(task: 0, pairs: mtTest, batchSize: config.decodeBatchSize)
      let vocab = corpus.tasks[0].targetVocabulary
      bleu = corpusBLEU(
        hypotheses: hyps.map { detokenize($0, vocabulary: vocab) },
        references: (0..<mtTest.count).map { detokenize(Array(mtTest.target[$0]), vocabulary: vocab) })
    }
    progress?.advance(
      status: "\(spec.label): val ppl \(String(format: "%.2f", perplexity(nll: val.nll, tokens: val.tokens)))")
    var result = NMTRunResult(
      spec: spec, trace: trace, checks: task.nmtChecks, bestCheckPerplexity: task.bestValidationError,
      validationPerplexity: perplexity(nll: val.nll, tokens: val.tokens),
      testPerplexity: perplexity(nll: test.nll, tokens: test.tokens), bleu: bleu, testAccuracy: accuracy,
      seconds: Date().timeIntervalSince(start), validationSeconds: task.validationSeconds)
    result.cpuSeconds = threadCPUSeconds() - cpuStart
    result.finalEvaluationSeconds = threadCPUSeconds() - evalStart
    result.switchedAt = switchedAt
    result.segmentSteps = online.segmentSteps
    result.segmentRewards = online.segmentRewards
    result.updateStats = online.updateStats
    result.controller = controller
    return result
  }

  /// The seed of run `index` of a schedule: shared across schedules, so run i of every schedule
  /// starts from the same initial model and data order.
  static func seed(_ base: UInt64, _ index: Int) -> UInt64 {
    var r = SeededRandom(seed: base &+ UInt64(index) &* 0x9E37_79B9_7F4A_7C15)
    return r.next()
  }
}
