import AutoLoss
import Foundation
import Statistics
import Store
import Tasks

/// The signal a ± pair of the configured antithetic trainer sees, measured before training: the
/// first update of controller seed 1's trainer with `calibration.perturbedPairs` pairs (θ ± σε on one
/// GAN seed each, common random numbers), on the same regime as the calibration. Fixed schedules
/// and coin pairs measure the effect of *how many* G steps; a perturbed controller also changes
/// *when* it takes them, which can move a run far more. The within-pair slope of ΔIS on ΔP(G) and the
/// residual SD are what the trainer's gradient estimate has to work with.
struct GANPerturbedPairs {
  /// Per measured pair, first (θ + σε) minus second (θ − σε) episode.
  var differences: GANStats.PairDifferences
  /// Pairs with a collapsed or non-finite episode (left out of `differences`).
  var failedPairs: Int
  var seconds: Double
  var sigma: Float

  /// Runs the pairs, or returns nil when `calibration.perturbedPairs` is 0 or the trainer is not
  /// antithetic (REINFORCE does not perturb its parameters).
  static func measure(
    config: GANExperimentConfig, setup: GANSetup, context: StageContext, moments: FeatureMoments
  ) throws -> GANPerturbedPairs? {
    let pairs = config.calibration.perturbedPairs
    guard pairs > 0, config.controller.algorithm == .antithetic else { return nil }
    var trainerConfig = config.controller
    trainerConfig.episodes = 2 * pairs
    trainerConfig.episodesPerUpdate = pairs
    trainerConfig.patienceEpisodes = 0
    let probe = setup.makeTask()
    let measured = config.controller.standardizeInputs ? try moments.standardization() : nil
    let trainer = try ControllerTrainer(
      config: trainerConfig, featureCount: probe.featureNames.count, actionCount: probe.actionNames.count,
      featureGroups: probe.featureGroups, seed: controllerTrainerSeed(experimentSeed: config.seed, controller: 1),
      executor: context.executor,
      episode: GANControllerStage.episodeFunction(setup: setup, collapseLength: config.controller.collapseLength),
      measuredInputMoments: measured)
    let start = Date()
    let episodes = try trainer.runNextUpdate().episodes
    var shares: [Double] = []
    var scores: [Double] = []
    var failed = 0
    for pair in 0..<(episodes.count / 2) {
      let (plus, minus) = (episodes[2 * pair], episodes[2 * pair + 1])
      let isPlus = Double(plus.extras["final_is"]?.first ?? .nan)
      let isMinus = Double(minus.extras["final_is"]?.first ?? .nan)
      guard !plus.failed, !minus.failed, isPlus.isFinite, isMinus.isFinite else {
        failed += 1
        continue
      }
      shares.append(
        Double(plus.trace.actionFractions(actionCount: 2)[1] - minus.trace.actionFractions(actionCount: 2)[1]))
      scores.append(isPlus - isMinus)
    }
    return GANPerturbedPairs(
      differences: GANStats.PairDifferences(share: shares, score: scores), failedPairs: failed,
      seconds: Date().timeIntervalSince(start), sigma: config.controller.antitheticSigma)
  }

  /// The log and report line, beside the calibration's slope and pair noise.
  func line(calibration analysis: GANCalibrationAnalysis) -> String {
    let fit = differences.fit
    return String(
      format:
        "perturbed controller pairs (the antithetic trainer's first update, σ %.2f, %d pairs, %d failed): mean "
        + "|ΔP(G)| %.3f; within-pair slope of ΔIS on ΔP(G) %.2f ± %.2f (through the origin), residual SD %.2f; "
        + "the fixed schedules' slope %.2f and the coin pairs' noise %.2f",
      sigma, differences.count + failedPairs, failedPairs, differences.meanShareGap, fit.slope, fit.standardError,
      fit.residualSD, analysis.slope, analysis.pairNoise)
  }

  /// Writes `/perturbed_pairs/{share_differences, is_differences}` with attributes `slope`,
  /// `slope_se`, `residual_sd`, `failed_pairs`, `sigma`, `seconds`, and the root attribute
  /// `perturbed_pairs` (the report line).
  func write(to root: HDF5Group, calibration analysis: GANCalibrationAnalysis) throws {
    let fit = differences.fit
    let g = try root.createGroup("perturbed_pairs")
    try g.write("share_differences", differences.share, shape: [differences.count])
    try g.write("is_differences", differences.score, shape: [differences.count])
    try g.setAttribute("slope", fit.slope)
    try g.setAttribute("slope_se", fit.standardError)
    try g.setAttribute("residual_sd", fit.residualSD)
    try g.setAttribute("failed_pairs", Int64(failedPairs))
    try g.setAttribute("sigma", Double(sigma))
    try g.setAttribute("seconds", seconds)
    try root.setAttribute("perturbed_pairs", line(calibration: analysis))
  }
}
