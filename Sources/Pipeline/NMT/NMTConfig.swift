import AutoLoss
import Tasks

/// Every setting of the multi-task NMT experiments (`configs/<profile>/nmt.json`; defaults are the
/// paper's sizes, paper-spec section 5).
public struct NMTExperimentConfig: Codable, Sendable, Equatable {
  /// The prepared dataset `data/<dataset>.h5`.
  public var dataset = "nmt-tr-en"
  /// Tasks to train, MT first (empty: every task group in the file, MT first).
  public var tasks: [String] = []
  /// Keep only pairs with at most this many BPE tokens per side (0: all).
  public var maxLength = 0
  /// Caps on training pairs per task (0: all), applied after shuffling with the data seed.
  public var mtTrainLimit = 0
  public var auxTrainLimit = 0
  /// Caps on the vocabularies: ids at or above become UNK (reduced profiles; 0: the full vocabulary).
  public var sourceVocabularyCap = 0
  public var targetVocabularyCap = 0
  /// Caps on the validation and test pairs per task (smoke runs; 0: the whole splits).
  public var evaluationSplitLimit = 0
  /// The MT training data is cut into `sliceCount` disjoint slices and slice `slice` is used
  /// (the transfer test trains on another slice).
  public var slice = 0
  public var sliceCount = 1
  /// Model and training of the task.
  public var task = NMTTaskConfig()
  /// Independent runs (seeds) per schedule of `nmt baselines`, beside the mix calibration (0 = none).
  public var runs = 3
  /// Schedules run by `autoloss nmt baselines`.
  public var baselines = ["mt-only", "fixed-ratio", "fine-tuned", "round-robin", "best-mix"]
  /// FixedRatio weights: `sentences` (training pairs per task) or `tokens` (target tokens).
  public var fixedRatioBy = "sentences"
  /// FineTuned: FixedRatio for this fraction of the step budget, then MT only.
  public var fineTuneSwitchFraction = 0.5
  /// FineTuned: switch earlier, once MT validation perplexity has not improved for this many
  /// checks (0: only the fraction).
  public var fineTuneSwitchPatience = 0
  /// Candidate P(MT) values of the best constant mix; the auxiliary tasks share the rest equally.
  /// MT only (P(MT) = 1) is always tuned beside them: it is the reference of the calibration.
  public var mixGrid: [Float] = [0.4, 0.6, 0.8]
  /// Step budget of each tuning run (0: the task's maxSteps).
  public var mixTuningSteps = 0
  /// Seeds per candidate mix (shared across mixes, so each mix is paired with MT only).
  public var mixTuningRuns = 1
  /// The online PPO controller.
  public var ppo = PPOConfig()
  /// Meta-episodes: NMT training runs (fresh models) one controller is kept across, one after the
  /// other (the official code: up to 400).
  public var metaEpisodes = 1
  /// Independent controllers, trained side by side (`autoloss-c1` … `autoloss-cN`).
  public var controllerSeeds = 1
  /// Frozen evaluation: fresh seeds per schedule (paired across schedules).
  public var evaluationRuns = 3
  /// Frozen evaluation: the index of the first evaluation seed (runs use seeds `evaluationSeedOffset`
  /// ..< `evaluationSeedOffset + evaluationRuns` of one fixed sequence, so a later evaluation can add
  /// seeds to an earlier one's without repeating them).
  public var evaluationSeedOffset = 0
  /// Frozen evaluation: the schedules each controller is compared with at equal steps
  /// (mt-only, best-mix, fine-tuned, fixed-ratio, round-robin).
  public var evaluationBaselines = ["mt-only", "best-mix", "fine-tuned"]
  /// Frozen evaluation: also MT only with as many steps as the controller's run took MT steps.
  public var evaluateEqualMTUpdates = true
  /// Frozen evaluation: the ε-exploration the frozen controllers act with (0: sampled from π alone,
  /// as the official test; the last meta-episodes trained at `ppo.explorationEnd`).
  public var evaluationExploration: Float = 0
  /// Frozen evaluation and transfer: which controller of each seed acts: `final` (after the last
  /// meta-episode) or `average` (the parameter mean of the controllers after each of the last
  /// `averageLastMetaEpisodes` meta-episodes, read from the AutoLoss artifact's runs).
  public var evaluatedController = EvaluatedControllerChoice.final
  /// Frozen evaluation: keep updating each run's copy of the evaluated controller online with PPO,
  /// as during meta-training (the paper's online setting; fresh Adam and replay buffer per run).
  /// Off: the controller only acts (the official test).
  public var evaluationLearning = false
  /// Meta-episodes whose final controllers `evaluatedController = average` averages.
  public var averageLastMetaEpisodes = 5
  /// Transfer: the hidden size of the other model, and the slice of the other run.
  public var transferHiddenSize = 128
  public var transferSlice = 1
  public var transferSliceCount = 2
  /// Runs per schedule in the transfer tests (0: none).
  public var transferRuns = 3
  /// Evaluate BLEU with greedy decoding of the whole test split (longest output 2·|source| + 10).
  public var bleu = true
  /// Sentences per decoding batch.
  public var decodeBatchSize = 64
  /// Independent runs executed side by side (OpenBLAS stays at 1 thread each).
  public var workers = 2
  /// The experiment seed (data shuffles and run seeds derive from it).
  public var seed: UInt64 = 1

  public init() {}

  /// The paper's sizes: E 128, H 256, 2 layers, bidirectional encoder, batch 128, Adam 5e-4,
  /// dropout 0.3, clip 1, validation every 50 steps, patience 50 checks, at most 100 000 steps.
  public static var paper: NMTExperimentConfig {
    var c = NMTExperimentConfig()
    c.task.model = Seq2SeqConfig(embeddingSize: 128, hiddenSize: 256, layers: 2, bidirectional: true, dropout: 0.3)
    c.task.batchSize = 128
    c.task.learningRate = 5e-4
    c.task.validateEvery = 50
    c.task.patienceChecks = 50
    c.task.maxSteps = 100_000
    c.runs = 3
    c.fineTuneSwitchPatience = 10
    return c
  }
}

extension NMTExperimentConfig {
  /// Loads `configs/<profile>/<name>.json` over the paper defaults, then the overrides. The paper
  /// profile may omit the file (the defaults are the paper's).
  public static func load(name: String = "nmt", context: StageContext, overrides: [String]) throws
    -> NMTExperimentConfig
  {
    var config = try ConfigLoader.load(
      NMTExperimentConfig.self, config: name, defaults: .paper, context: context, overrides: overrides,
      commandLineKeys: ["workers": "--workers"])
    config.workers = context.workers
    return config
  }
}
