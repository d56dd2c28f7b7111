import AutoLoss
import Engine
import Foundation
import Store
import Tasks

/// The calibration's forecast of the configured controller training: the same trainer, budget and
/// seeds run on a ``CalibratedRewardTask`` with the measured slope, intercept, pair noise and seed
/// noise (flat outside the calibrated P(G) range), with features of the calibration runs' per-feature
/// mean and SD and the configured collapse rule, and once more with the slope set to zero, so the
/// report can say how far the real run may move P(G) and how far noise alone moves it.
struct GANTrainerForecast {
  /// Where the stand-in reward moves P(G).
  var withSlope: TrainerForecast
  /// Where noise alone moves it (slope 0).
  var noiseOnly: TrainerForecast
  /// Where the stand-in reward moves P(G) with the perturbed pairs' residual SD as the pair noise
  /// (when they were measured).
  var withMeasuredNoise: (pairNoise: Double, forecast: TrainerForecast)?
  /// The trainer that was forecast.
  var controller: ControllerTrainerConfig

  /// The forecast, or nil when the calibration did not measure a finite slope, intercept and noise.
  static func make(
    analysis: GANCalibrationAnalysis, config: GANExperimentConfig, steps: Int, features: FeatureMoments,
    measuredPairNoise: Double? = nil
  ) throws -> GANTrainerForecast? {
    let measured = [analysis.slope, analysis.intercept, analysis.pairNoise, analysis.seedNoise]
    guard measured.allSatisfy(\.isFinite) else { return nil }
    return try GANTrainerForecast(
      analysis: analysis, config: config, steps: steps, features: features,
      measuredPairNoise: measuredPairNoise.flatMap { $0.isFinite ? $0 : nil })
  }

  /// The stand-in's feature means and SDs (after the progress feature).
  var featureMeans: [Float]
  var featureSDs: [Float]

  private init(
    analysis: GANCalibrationAnalysis, config: GANExperimentConfig, steps: Int, features: FeatureMoments,
    measuredPairNoise: Double?
  ) throws {
    var trainer = config.controller
    trainer.patienceEpisodes = 0
    controller = trainer
    let means = Array(features.means.dropFirst())
    let sds = Array(features.sds.dropFirst())
    featureMeans = means
    featureSDs = sds
    let probabilities = analysis.schedules.map { Float($0.probabilityG) }.filter(\.isFinite)
    let range = (probabilities.min() ?? 0)...(probabilities.max() ?? 1)
    let scale = config.task.rewardScale
    let featureCount = GANTask.featureCount
    func stand(slope: Double, pairNoise noise: Double = analysis.pairNoise) -> @Sendable () -> CalibratedRewardTask {
      let intercept = Float(analysis.intercept + (analysis.slope - slope) * 0.5)
      let pairNoise = Float(noise)
      let seedNoise = Float(analysis.seedNoise)
      return {
        CalibratedRewardTask(
          steps: steps, slope: Float(slope), intercept: intercept, pairNoise: pairNoise, seedNoise: seedNoise,
          shareRange: range, featureCount: featureCount, featureMeans: means, featureSDs: sds,
          featureGroups: GANTask.controllerFeatureGroups, rewardOfScore: { scale * $0 * $0 })
      }
    }
    let seeds = max(1, config.controller.controllerSeeds)
    let standardization = try features.standardization()
    withSlope = try KnownAnswer.forecast(
      config: trainer, controllerSeeds: seeds, baseSeed: config.seed, collapseLength: trainer.collapseLength,
      measuredInputMoments: standardization, makeTask: stand(slope: analysis.slope))
    noiseOnly = try KnownAnswer.forecast(
      config: trainer, controllerSeeds: seeds, baseSeed: config.seed, collapseLength: trainer.collapseLength,
      measuredInputMoments: standardization, makeTask: stand(slope: 0))
    withMeasuredNoise = try measuredPairNoise.map { noise in
      (
        noise,
        try KnownAnswer.forecast(
          config: trainer, controllerSeeds: seeds, baseSeed: config.seed, collapseLength: trainer.collapseLength,
          measuredInputMoments: standardization, makeTask: stand(slope: analysis.slope, pairNoise: noise))
      )
    }
  }

  /// The log and report line.
  var line: String {
    func list(_ v: [Float]) -> String { v.map { String(format: "%.2f", $0) }.joined(separator: ", ") }
    let c = controller
    let trainer =
      c.algorithm == .antithetic
      ? String(format: "antithetic, σ %.2f", c.antitheticSigma) : "REINFORCE"
    let base = String(
      format:
        "trainer forecast (%@, lr %.3g, %d episodes, %d per update): on a stand-in reward with this slope and "
        + "noise, P(G) 0.50 → %@ (controller seeds; expected IS %.2f → %@; %@ collapsed training episodes); "
        + "with slope 0 (noise only) → %@",
      trainer, c.learningRate, c.episodes, c.episodesPerUpdate, list(withSlope.finalShare), withSlope.untrainedScore,
      list(withSlope.finalScore), withSlope.failedEpisodes.map(String.init).joined(separator: ", "),
      list(noiseOnly.finalShare))
    guard let measured = withMeasuredNoise else { return base }
    return base
      + String(
        format: "; with the perturbed pairs' residual SD %.2f as the pair noise → %@", measured.pairNoise,
        list(measured.forecast.finalShare))
  }

  /// Writes `/forecast/{share_by_update, final_share, final_score, noise_only_final_share,
  /// feature_means, feature_sds}` (and `measured_noise_final_share` with the attribute
  /// `measured_pair_noise` when the perturbed pairs were measured) and the root attribute `forecast`.
  func write(to root: HDF5Group) throws {
    let g = try root.createGroup("forecast")
    let rows = withSlope.shareByUpdate
    let updates = rows.map(\.count).max() ?? 0
    let padded = rows.flatMap { $0 + [Float](repeating: .nan, count: updates - $0.count) }
    try g.write("share_by_update", padded, shape: [rows.count, updates])
    try g.write("final_share", withSlope.finalShare, shape: [withSlope.finalShare.count])
    try g.write("final_score", withSlope.finalScore, shape: [withSlope.finalScore.count])
    try g.write("noise_only_final_share", noiseOnly.finalShare, shape: [noiseOnly.finalShare.count])
    if let measured = withMeasuredNoise {
      let share = measured.forecast.finalShare
      try g.write("measured_noise_final_share", share, shape: [share.count])
      try g.setAttribute("measured_pair_noise", measured.pairNoise)
    }
    try g.write("feature_means", featureMeans, shape: [featureMeans.count])
    try g.write("feature_sds", featureSDs, shape: [featureSDs.count])
    try root.setAttribute("forecast", line)
  }
}
