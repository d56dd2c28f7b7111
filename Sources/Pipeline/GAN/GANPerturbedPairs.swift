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
  /// Per pair, first (θ + σε) minus second (θ − σε) episode.
  var shareDifferences: [Double]
  var isDifferences: [Double]
  /// Pairs with a collapsed or non-finite episode (left out of the statistics).
  var failedPairs: Int
  var slope: Double
  var slopeSE: Double
  var residualSD: Double
  var seconds: Double
  var sigma: Float

  /// The mean |ΔP(G)| of the measured pairs.
  var meanShareGap: Double {
    shareDifferences.isEmpty ? .nan : shareDifferences.map(abs).reduce(0, +) / Double(shareDifferences.count)
  }

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
    let fit = GANStats.slopeThroughOrigin(x: shares, y: scores)
    return GANPerturbedPairs(
      shareDifferences: shares, isDifferences: scores, failedPairs: failed, slope: fit.slope,
      slopeSE: fit.standardError, residualSD: fit.residualSD, seconds: Date().timeIntervalSince(start),
      sigma: config.controller.antitheticSigma)
  }

  /// The log and report line, beside the calibration's slope and pair noise.
  func line(calibration analysis: GANCalibrationAnalysis) -> String {
    String(
      format:
        "perturbed controller pairs (the antithetic trainer's first update, σ %.2f, %d pairs, %d failed): mean "
        + "|ΔP(G)| %.3f; within-pair slope of ΔIS on ΔP(G) %.2f ± %.2f (through the origin), residual SD %.2f; "
        + "the fixed schedules' slope %.2f and the coin pairs' noise %.2f",
      sigma, shareDifferences.count + failedPairs, failedPairs, meanShareGap, slope, slopeSE, residualSD,
      analysis.slope, analysis.pairNoise)
  }

  /// Writes `/perturbed_pairs/{share_differences, is_differences}` with attributes `slope`,
  /// `slope_se`, `residual_sd`, `failed_pairs`, `sigma`, `seconds`.
  func write(to root: HDF5Group, line: String) throws {
    let g = try root.createGroup("perturbed_pairs")
    try g.write("share_differences", shareDifferences, shape: [shareDifferences.count])
    try g.write("is_differences", isDifferences, shape: [isDifferences.count])
    try g.setAttribute("slope", slope)
    try g.setAttribute("slope_se", slopeSE)
    try g.setAttribute("residual_sd", residualSD)
    try g.setAttribute("failed_pairs", Int64(failedPairs))
    try g.setAttribute("sigma", Double(sigma))
    try g.setAttribute("seconds", seconds)
    try root.setAttribute("perturbed_pairs", line)
  }
}
