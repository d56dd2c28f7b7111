import Foundation
import Pipeline
import Statistics
import Store
import Tasks
import XCTest

final class GANStatsTests: XCTestCase {
  func testSlopeOfAnExactLineHasZeroError() {
    let x: [Double] = [0.1, 0.3, 0.5, 0.9]
    let fit = GANStats.slope(x: x, y: x.map { 2 + 3 * $0 })
    XCTAssertEqual(fit.slope, 3, accuracy: 1e-9)
    XCTAssertEqual(fit.intercept, 2, accuracy: 1e-9)
    XCTAssertEqual(fit.standardError, 0, accuracy: 1e-9)
  }

  func testSlopeStandardErrorMatchesTheFormula() {
    // Sxy = Sxx = 5, so b = 1, a = 0; SE = sqrt(Σr²/(n−2) / Sxx).
    let fit = GANStats.slope(x: [0, 1, 2, 3], y: [1, 0, 1, 4])
    let b = 1.0
    XCTAssertEqual(fit.slope, b, accuracy: 1e-9)
    let a = 1.5 - b * 1.5
    let r = [1.0, 0, 1, 4].enumerated().map { $0.element - a - b * Double($0.offset) }
    XCTAssertEqual(fit.standardError, (r.map { $0 * $0 }.reduce(0, +) / 2 / 5).squareRoot(), accuracy: 1e-9)
  }

  func testSlopeThroughTheOrigin() {
    // Σxy = 0.2·0.5 + (−0.1)·(−0.1) + 0.3·0.7 = 0.32, Σx² = 0.14: b = 16/7.
    let x = [0.2, -0.1, 0.3]
    let y = [0.5, -0.1, 0.7]
    let fit = GANStats.slopeThroughOrigin(x: x, y: y)
    let b = 0.32 / 0.14
    XCTAssertEqual(fit.slope, b, accuracy: 1e-9)
    let rss = zip(x, y).map { ($1 - b * $0) * ($1 - b * $0) }.reduce(0, +)
    XCTAssertEqual(fit.residualSD, (rss / 2).squareRoot(), accuracy: 1e-9)
    XCTAssertEqual(fit.standardError, (rss / 2 / 0.14).squareRoot(), accuracy: 1e-9)
    XCTAssertTrue(GANStats.slopeThroughOrigin(x: [0, 0], y: [1, 2]).slope.isNaN)
    XCTAssertTrue(GANStats.slopeThroughOrigin(x: [1], y: [1]).slope.isNaN)
  }

  func testIntervalUsesStudentT() {
    let i = GANStats.interval([2, 3, 4])
    XCTAssertEqual(i.mean, 3)
    XCTAssertEqual(i.high - i.mean, 4.302652729749464 * 1 / 3.0.squareRoot(), accuracy: 1e-9)  // scipy t.ppf(0.975, 2)
    XCTAssertTrue(i.excludesZero)
    XCTAssertFalse(GANStats.interval([1, 2, 3]).excludesZero, "half-width 2.48 > mean 2")
    XCTAssertFalse(GANStats.interval([-1, 1, 0.5]).excludesZero)
  }

  func testPooledSD() {
    XCTAssertEqual(GANStats.pooledSD([[1, 3], [10, 12, 14]]), ((2.0 + 8) / 3).squareRoot(), accuracy: 1e-12)
  }
}

final class GANCalibrationAnalysisTests: XCTestCase {
  func run(_ schedule: String, _ p: Float, _ seed: UInt64, _ draw: Int, _ finalIS: Float) -> GANCalibrationRun {
    GANCalibrationRun(
      schedule: schedule, probabilityG: p, seed: seed, draw: draw, finalIS: finalIS, bestISEMA: finalIS,
      realizedG: p, steps: 100, outcome: "step cap", seconds: 0)
  }

  func testSeparatedSchedulesAreLearnable() {
    var runs: [GANCalibrationRun] = []
    for (s, base) in [(UInt64(1), Float(0)), (2, 0.2), (3, -0.1)] {
      runs.append(run("5:1", 1.0 / 6, s, 0, 2 + base))
      runs.append(run("1:1", 0.5, s, 0, 3.5 + base))
      runs.append(run("1:5", 5.0 / 6, s, 0, 5.5 + base))
      runs.append(run("coin P(G)=0.50", 0.5, s, 0, 3.6 + base))
      runs.append(run("coin P(G)=0.50", 0.5, s, 1, 3.6 + base + (s == 2 ? 0.2 : -0.1)))
    }
    let a = GANCalibrationAnalysis(runs: runs, spreadFactor: 2)
    XCTAssertEqual(a.schedules.map(\.name), ["5:1", "1:1", "1:5", "coin P(G)=0.50"])
    XCTAssertEqual(a.best, "1:5")
    XCTAssertEqual(a.worst, "5:1")
    XCTAssertEqual(a.spread, 3.5, accuracy: 1e-5)
    XCTAssertTrue(a.slope > 4)
    XCTAssertEqual(a.pairDifferences.count, 3)
    XCTAssertEqual(a.pairNoise, GANStats.meanSD([0.1, -0.2, 0.1]).sd, accuracy: 1e-5)
    XCTAssertTrue(a.learnable, a.verdict)
    XCTAssertTrue(a.bestMinusWorst.excludesZero)
    XCTAssertTrue(a.episodesNeeded.isFinite && a.episodesNeeded > 0)
  }

  func testOverlappingSchedulesAreNot() {
    var runs: [GANCalibrationRun] = []
    for (s, noise) in [(UInt64(1), Float(1)), (2, -1), (3, 0)] {
      runs.append(run("1:1", 0.5, s, 0, 3 + noise))
      runs.append(run("1:3", 0.75, s, 0, 3.2 - noise))
    }
    let a = GANCalibrationAnalysis(runs: runs, spreadFactor: 2)
    XCTAssertFalse(a.learnable, a.verdict)
    XCTAssertTrue(a.verdict.hasPrefix("nothing to learn"))
    XCTAssertTrue(a.pairNoise.isNaN, "no pairs were run")
  }
}

/// `gan calibrate` end to end on a tiny fake MNIST (random pixels) in a temp folder.
final class GANCalibrationStageTests: XCTestCase {
  func testCalibrationWritesItsArtifact() throws {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("gan-cal-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: root) }
    let dataDir = root + "/data"
    try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true)
    try makeFakeImageDataset("mnist", dataDir: dataDir, seed: 1, trainCount: 32)
    try FileManager.default.createDirectory(atPath: root + "/configs/none", withIntermediateDirectories: true)
    try Data("{}".utf8).write(to: URL(fileURLWithPath: root + "/configs/none/gan.json"))  // the defaults
    let context = StageContext(
      artifactRoot: root + "/artifacts", dataRoot: dataDir, profile: "none", configRoot: root + "/configs", workers: 2,
      showProgress: false)
    var scorer = ScorerConfig()
    scorer.steps = 2
    scorer.batchSize = 8
    scorer.isSplits = 1
    _ = try ScorerStage(dataset: "mnist", config: scorer, context: context).run()
    let config = try GANExperimentConfig.load(
      context: context,
      overrides: tinyGANOverrides + [
        "calibration.coins=[0.5]", "calibration.ratios=[[1,1],[1,3]]", "calibration.seeds=2",
        "calibration.pairCoin=0.5", "controller.algorithm=antithetic", "controller.episodes=4",
        "controller.controllerSeeds=2", "controller.hidden=0", #"controller.droppedFeatureGroups=["loss"]"#,
        "calibration.perturbedPairs=2",
      ])
    let result = try GANCalibrationStage(config: config, context: context).run()
    let artifact = try XCTUnwrap(result.artifact)
    XCTAssertTrue(artifact.path.contains("/gan-calibration/gan-mnist/"))
    XCTAssertEqual(result.analysis.schedules.map(\.name), ["coin P(G)=0.50", "1:1", "1:3"])
    XCTAssertEqual(result.analysis.pairDifferences.count, 2)
    let file = try ArtifactReader.open(artifact.path, schema: GANCalibrationStage.schema, supportedVersions: 1...1)
    XCTAssertEqual(try file.root.group("runs").read("final_is", as: Float.self).values.count, 8)
    XCTAssertEqual(try file.root.group("runs").readStrings("schedule").filter { $0 == "1:1" }.count, 2)
    XCTAssertFalse(try file.root.attributeString("verdict").isEmpty)
    // The trainer forecast: the configured trainer (2 seeds, 2 updates) on the stand-in reward.
    let forecast = try file.root.group("forecast")
    XCTAssertEqual(try forecast.read("share_by_update", as: Float.self).shape, [2, 2])
    XCTAssertEqual(try forecast.read("final_share", as: Float.self).values.count, 2)
    XCTAssertEqual(try forecast.read("noise_only_final_share", as: Float.self).values.count, 2)
    XCTAssertTrue(try file.root.attributeString("forecast").hasPrefix("trainer forecast (antithetic"))
    // The trainer's own first update with 2 ± pairs, and the forecast with their residual as pair noise.
    let pairs = try file.root.group("perturbed_pairs")
    let shareDifferences = try pairs.read("share_differences", as: Double.self).values
    XCTAssertEqual(try pairs.attribute("failed_pairs", as: Int64.self), 0)
    XCTAssertEqual(shareDifferences.count, 2)
    XCTAssertTrue(shareDifferences.allSatisfy { $0.isFinite && abs($0) <= 1 })
    XCTAssertTrue(shareDifferences.contains { $0 != 0 }, "± perturbations change the share of G steps")
    XCTAssertEqual(try pairs.read("is_differences", as: Double.self).values.count, 2)
    XCTAssertTrue(try file.root.attributeString("perturbed_pairs").hasPrefix("perturbed controller pairs"))
    XCTAssertEqual(try forecast.read("measured_noise_final_share", as: Float.self).values.count, 2)
    XCTAssertTrue(try file.root.attributeString("forecast").contains("perturbed pairs' residual SD"))
    // The feature moments of every calibration step, for the controller's input standardisation.
    let moments = try file.root.group("feature_moments")
    let means = try moments.read("means", as: Float.self).values
    XCTAssertEqual(means.count, GANTask.featureCount)
    XCTAssertEqual(try moments.read("counts", as: Int64.self).values[0], 8 * 10)  // 8 runs of 10 steps
    XCTAssertEqual(means[0], 0.5, accuracy: 0.06)  // progress t/T over 10 steps
    XCTAssertTrue(try moments.read("sds", as: Float.self).values.allSatisfy { $0 > 0 })
    file.close()
    // A controller that standardises its inputs reads them, stores them and is evaluated with them.
    let standardizing = try GANExperimentConfig.load(
      context: context,
      overrides: tinyGANOverrides + [
        "controller.algorithm=antithetic", "controller.episodes=2", "controller.standardizeInputs=true",
        #"controller.droppedFeatureGroups=["gradient","loss"]"#,
      ])
    let trained = try GANControllerStage(config: standardizing, context: context).run()
    let (spec, _) = try GANControllerStage.loadController(name: "gan-mnist", context: context)
    let loaded = try XCTUnwrap(spec.makeController().standardization)
    for (a, b) in zip(loaded.means, means) { XCTAssertEqual(a, b, accuracy: 1e-6) }
    // The ablation's mask travels with the controller: gradient (1-3) and loss (4-6) features hidden.
    XCTAssertEqual(spec.featureMask, [true, false, false, false, false, false, false, true, true])
    XCTAssertTrue(
      try ArtifactReader.provenance(of: trained.path).inputs.contains { $0.path.contains("gan-calibration") })
    // The same seed and schedule twice gives the same IS (common random numbers, no hidden state).
    let again = try GANCalibrationStage(config: config, context: context).run()
    XCTAssertEqual(
      again.analysis.schedules.map(\.finalIS), result.analysis.schedules.map(\.finalIS))
  }
}
