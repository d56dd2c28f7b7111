import AutoLoss
import Tasks

/// Every setting of the regression and classification experiments (one profile file per task).
public struct RegularizedExperimentConfig: Codable, Sendable, Equatable {
  /// The task model, losses, optimizer and stopping rule.
  public var task: RegularizedTaskConfig
  /// Controller training.
  public var controller: ReinforceConfig
  /// Fresh task models trained per method in `evaluate` (the paper: 10), on the same seeds for every
  /// method (common random numbers).
  public var evaluationTrials = 10
  /// Equivalence margin (in test-error units) of the TOST verdict, fixed before the run; 0 = never
  /// claim equivalence.
  public var equivalenceMargin: Float = 0
  /// "What was learned": progress bins of P(action), and whether to run the replays (own actions
  /// shuffled fully and within `replayBlockFraction` time blocks) and the feature clamps.
  public var progressBins = 10
  public var replayBlockFraction: Double = 0.1
  public var analysisReplays = true
  /// Thresholds tried for each of S1-S3; the best on validation is reported.
  public var thresholdGrid: [Float] = [-0.99, -0.95, -0.9, -0.75, -0.5, -0.25, 0, 0.25, 0.5, 1, 2, 4, 9]
  /// DGS: `dgsRuns` values of λ spaced logarithmically over [low, high].
  public var dgsLambdaLow: Float = 0.01
  public var dgsLambdaHigh: Float = 3
  public var dgsRuns = 50
  /// The constant-ratio baseline: P(L1 step) values tried.
  public var ratioGrid: [Float] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]
  /// Tuning runs per grid point of every baseline (different seeds; their validation errors are
  /// averaged): the same seed budget for DGS, the constant ratio and S1-S3.
  public var tuningRepeats = 1
  /// Figure 1: λ values of the joint objective and of AutoLoss.
  public var sweepLambdas: [Float] = [0.05, 0.1, 0.2, 0.4, 0.8, 1.6]
  /// Controller episodes per λ in the sweep and per dropped group in the ablation.
  public var sweepEpisodes = 100
  /// Trials per point in the sweep, the ablation and the transfer tests.
  public var sweepTrials = 5
  /// Table 3: feature groups dropped one at a time.
  public var ablationGroups: [String] = ["gradient", "loss", "validation"]
  /// Table 2 (classification): data seeds of the transfer datasets.
  public var transferSeeds: [Int] = [2, 3, 4]
  /// The seed of the whole experiment.
  public var seed: UInt64 = 1

  public init(task: RegularizedTaskConfig, controller: ReinforceConfig) {
    self.task = task
    self.controller = controller
  }

  /// The built-in defaults of a task (the paper's constants).
  public static func defaults(for kind: RegularizedTaskKind) -> RegularizedExperimentConfig {
    var controller = ReinforceConfig()
    switch kind {
    case .regression:
      controller.baselineDecay = 0.8
      controller.advantageClip = 20
      controller.episodes = 400
      controller.patienceEpisodes = 50
      var c = RegularizedExperimentConfig(task: .regression, controller: controller)
      c.equivalenceMargin = 0.02
      c.dgsLambdaLow = 0.01
      c.dgsLambdaHigh = 3
      return c
    case .classification:
      controller.baselineDecay = 0.9
      controller.advantageClip = 5
      controller.stepRewardCap = 5
      controller.stepRewardScale = 0.1
      controller.episodes = 2000
      controller.patienceEpisodes = 1000
      var c = RegularizedExperimentConfig(task: .classification, controller: controller)
      c.equivalenceMargin = 0.005
      c.dgsLambdaLow = 0.001
      c.dgsLambdaHigh = 0.3
      c.sweepLambdas = [0.002, 0.006, 0.01, 0.02, 0.034, 0.06, 0.1, 0.2]
      return c
    }
  }

  /// Loads the defaults of `kind`, the profile file `configs/<profile>/<kind>.json` if it exists,
  /// and overrides.
  public static func load(kind: RegularizedTaskKind, context: StageContext, overrides: [String]) throws
    -> RegularizedExperimentConfig
  {
    try ConfigLoader.load(
      RegularizedExperimentConfig.self, config: kind.rawValue, defaults: defaults(for: kind), context: context,
      overrides: overrides)
  }
}
