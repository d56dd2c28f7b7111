import AutoLoss
import Engine
import Foundation
import Store
import Tasks

/// `gan calibrate`: on the configured regime, the coin schedules (fixed P(G)) and fixed D:G ratios of
/// `calibration` on the same seeds with common random numbers, plus the `pairCoin` coin a second time
/// on every seed with other action draws. Measures the slope of the final IS against P(G), the pair
/// noise, the seed noise, and says whether the schedules differ by more than `spreadFactor` seed SDs.
/// Writes `artifacts/gan-calibration/gan-<dataset>/vNNNN.h5` (schema `autoloss/gan-calibration`):
/// `/runs/{schedule, p_g, seed, draw, final_is, best_is_ema, realized_g, steps, outcome, seconds}`
/// (one row per run), `/pair_differences`, root attributes `slope`, `slope_se`, `pair_noise`,
/// `seed_noise`, `spread`, `learnable` (0/1), `verdict`, `report`, the trainer forecast
/// (``GANTrainerForecast``: `/forecast/*`, attribute `forecast`), and with `perturbedPairs` > 0 the
/// perturbed controller pairs (``GANPerturbedPairs``: `/perturbed_pairs/*`, attribute
/// `perturbed_pairs`); the last grid of each schedule's first seed goes to `vNNNN-grids/`.
public struct GANCalibrationStage {
  public static let schema = "autoloss/gan-calibration"
  /// The artifact stage folder.
  public static let stage = "gan-calibration"
  public let config: GANExperimentConfig
  public let context: StageContext

  public init(config: GANExperimentConfig, context: StageContext) {
    self.config = config
    self.context = context
  }

  /// One calibration job: a schedule on a seed with one of two action streams.
  struct Job: Sendable {
    var name: String
    var probabilityG: Float
    var coin: Bool
    var ratio: (d: Int, g: Int)
    var seed: UInt64
    var draw: Int
    var seedIndex: Int
  }

  /// A file-name stem for a schedule ("coin P(G)=0.50" → "coin-0.50", "1:5" → "d1-g5").
  public static func key(_ name: String) -> String {
    if name.hasPrefix("coin P(G)=") { return "coin-" + name.dropFirst("coin P(G)=".count) }
    return GANBaselinesStage.key(name)
  }

  /// The seeds of the calibration runs.
  public static func seeds(_ config: GANExperimentConfig) -> [UInt64] {
    trialSeeds(base: config.seed, tag: 0xCA_11B, count: config.calibration.seeds)
  }

  func jobs() -> [Job] {
    let c = config.calibration
    let seeds = Self.seeds(config)
    var jobs: [Job] = []
    for p in c.coins {
      for (i, s) in seeds.enumerated() {
        jobs.append(
          Job(
            name: SeededCoin(probabilityG: p, actionSeed: 0).name, probabilityG: p, coin: true, ratio: (0, 0), seed: s,
            draw: 0, seedIndex: i))
      }
    }
    for r in c.ratios {
      for (i, s) in seeds.enumerated() {
        jobs.append(
          Job(
            name: "\(r[0]):\(r[1])", probabilityG: Float(r[1]) / Float(r[0] + r[1]), coin: false, ratio: (r[0], r[1]),
            seed: s, draw: 0, seedIndex: i))
      }
    }
    for (i, s) in seeds.enumerated() {
      jobs.append(
        Job(
          name: SeededCoin(probabilityG: c.pairCoin, actionSeed: 0).name, probabilityG: c.pairCoin, coin: true,
          ratio: (0, 0), seed: s, draw: 1, seedIndex: i))
    }
    return jobs
  }

  /// The action stream of a coin run on `seed` (`draw` 0 shared by every coin, 1 for the pair partner).
  static func actionSeed(seed: UInt64, draw: Int) -> UInt64 { GANStreams.derive(seed, 0xC0_1000 + UInt64(draw)) }

  @discardableResult
  public func run() throws -> (artifact: ResolvedArtifact?, analysis: GANCalibrationAnalysis) {
    try config.calibration.validate()
    let setup = try GANSetup(dataset: config.dataset, model: config.model, task: config.task, context: context)
    let jobs = jobs()
    let progress = ProgressDisplay(
      "gan calibrate \(config.name)", total: jobs.count, enabled: context.showProgress)
    let executor = context.executor
    let collapse = config.controller.collapseLength
    let start = Date()
    let jobResults = try executor.map(count: jobs.count) {
      (index: Int, _: Int) -> CalibrationJobResult in
      let job = jobs[index]
      let r: GANRunResult
      if job.coin {
        var schedule = SeededCoin(
          probabilityG: job.probabilityG, actionSeed: Self.actionSeed(seed: job.seed, draw: job.draw))
        r = GANRunner.run(schedule: &schedule, name: job.name, setup: setup, seed: job.seed, collapseLength: collapse)
      } else {
        var schedule = FixedPattern.ratio(job.ratio.d, job.ratio.g)
        r = GANRunner.run(schedule: &schedule, name: job.name, setup: setup, seed: job.seed, collapseLength: collapse)
      }
      progress.advance(
        status: String(
          format: "%@ seed %d%@: IS %.2f", job.name, job.seedIndex, job.draw == 1 ? " (pair)" : "", r.finalIS))
      let run = GANCalibrationRun(
        schedule: job.name, probabilityG: job.probabilityG, seed: job.seed, draw: job.draw, finalIS: r.finalIS,
        bestISEMA: r.bestISEMA, realizedG: r.trace.actionFractions(actionCount: 2)[1], steps: r.trace.steps,
        outcome: r.trace.outcome, seconds: r.seconds)
      // Keep the last grid of the first seed's primary run.
      let size = setup.model.channels * setup.model.imageSize * setup.model.imageSize * setup.task.gridSamples
      let grid =
        job.seedIndex == 0 && job.draw == 0 && size > 0 && r.samples.count >= size
        ? Array(r.samples.suffix(size)) : []
      return CalibrationJobResult(
        run: run, lastGrid: grid, lastStep: r.trace.checks.last?.step ?? 0,
        features: FeatureMoments(r.trace.features, width: GANTask.featureCount))
    }
    let moments = jobResults.reduce(FeatureMoments(width: GANTask.featureCount)) { $0.adding($1.features) }
    let results = jobResults.map { ($0.run, $0.lastGrid) }
    progress.finish()
    let seconds = Date().timeIntervalSince(start)
    let runs = results.map(\.0)
    let analysis = GANCalibrationAnalysis(runs: runs, spreadFactor: config.calibration.spreadFactor)
    var lines = [
      "GAN calibration on \(config.dataset) (\(config.scaleNote); real images in \(config.task.realRange.rawValue); "
        + "width \(setup.model.baseWidth), \(setup.task.maxSteps) steps, lr \(setup.task.optimizer.learningRate)); "
        + "\(config.calibration.seeds) seeds, common random numbers; final IS (our \(config.dataset) classifier, real "
        + String(format: "%.2f)", setup.scorer.realInceptionScore)
    ]
    lines += analysis.lines
    let perturbed = try GANPerturbedPairs.measure(config: config, setup: setup, context: context, moments: moments)
    if let perturbed { lines.append(perturbed.line(calibration: analysis)) }
    let forecast = try GANTrainerForecast.make(
      analysis: analysis, config: config, steps: setup.task.maxSteps, features: moments,
      measuredPairNoise: perturbed?.differences.fit.residualSD)
    lines.append(
      forecast?.line ?? "trainer forecast: not run (the slope, intercept, pair or seed noise was not measured)")
    lines.append(
      String(format: "%d runs in %.0f s", runs.count, seconds)
        + (perturbed.map {
          String(format: "; %d perturbed-pair runs in %.0f s", 2 * config.calibration.perturbedPairs, $0.seconds)
        } ?? ""))
    guard executor.isCoordinator else { return (nil, analysis) }
    for l in lines { log(l) }
    let provenance = context.provenance(
      schema: Self.schema, config: ConfigLoader.text(config), seed: config.seed,
      inputs: [setup.source, setup.scorer.artifact])
    let writer = try context.store.writer(stage: Self.stage, name: config.name, provenance: provenance)
    let root = writer.root
    try GANRunIO.describe(root, config: config, setup: setup)
    let g = try root.createGroup("runs")
    try g.writeStrings("schedule", runs.map(\.schedule))
    try g.write("p_g", runs.map(\.probabilityG), shape: [runs.count])
    try g.write("seed", runs.map { Int64(bitPattern: $0.seed) }, shape: [runs.count])
    try g.write("draw", runs.map { Int32($0.draw) }, shape: [runs.count])
    try g.write("final_is", runs.map(\.finalIS), shape: [runs.count])
    try g.write("best_is_ema", runs.map(\.bestISEMA), shape: [runs.count])
    try g.write("realized_g", runs.map(\.realizedG), shape: [runs.count])
    try g.write("steps", runs.map { Int32($0.steps) }, shape: [runs.count])
    try g.writeStrings("outcome", runs.map(\.outcome))
    try g.write("seconds", runs.map(\.seconds), shape: [runs.count])
    try root.write("pair_differences", analysis.pairDifferences, shape: [analysis.pairDifferences.count])
    try root.setAttribute("slope", analysis.slope)
    try root.setAttribute("slope_se", analysis.slopeSE)
    try root.setAttribute("pair_noise", analysis.pairNoise)
    try root.setAttribute("seed_noise", analysis.seedNoise)
    try root.setAttribute("spread", analysis.spread)
    try root.setAttribute("effect_per_episode", analysis.effectPerEpisode)
    try root.setAttribute("episodes_needed", analysis.episodesNeeded)
    try root.setAttribute("learnable", Int64(analysis.learnable ? 1 : 0))
    try root.setAttribute("verdict", analysis.verdict)
    try forecast?.write(to: root)
    try perturbed?.write(to: root, calibration: analysis)
    try moments.write(to: try root.createGroup(FeatureMoments.groupName))
    try root.setAttribute("report", lines.joined(separator: "\n"))
    try root.setAttribute("seconds", seconds)
    let grids = GANRunIO.gridFolder(store: context.store, stage: Self.stage, name: config.name, version: writer.version)
    for (job, result) in zip(jobs, results) where !result.1.isEmpty {
      try GANRunIO.writeGrid(
        result.1, to: "\(grids)/\(Self.key(job.name))-seed0.png", model: setup.model,
        gridSamples: setup.task.gridSamples)
    }
    return (try writer.commit(), analysis)
  }
}

/// What one calibration job sends back (Codable for the executor).
struct CalibrationJobResult: Codable, Sendable {
  var run: GANCalibrationRun
  var lastGrid: [Float]
  var lastStep: Int
  var features: FeatureMoments
}
