import AutoLoss
import Engine
import Foundation
import Store
import Tasks

/// What a GAN experiment needs to build task models: data, scorer, sizes. Read-only once made, so
/// parallel runs share it (each run builds its own ``GANTask``).
public struct GANSetup: @unchecked Sendable {
  public let dataset: String
  public let model: DCGANConfig
  public let task: GANTaskConfig
  public let data: ImageSet
  public let scorer: ScorerArtifact
  /// The prepared data file with its hash.
  public let source: ResolvedArtifact

  /// Loads the training split and the scorer of `dataset`.
  public init(dataset: String, model: DCGANConfig, task: GANTaskConfig, context: StageContext) throws {
    let (data, source) = try GANData.load(dataset: dataset, split: "train", dataRoot: context.dataRoot)
    guard data.channels == model.channels, data.height == model.imageSize, data.width == model.imageSize else {
      throw PipelineError(
        "\(source.path): the DCGAN expects \(model.channels)x\(model.imageSize)x\(model.imageSize) images, "
          + "found \(data.channels)x\(data.height)x\(data.width)")
    }
    self.dataset = dataset
    self.model = model
    self.task = task
    self.data = data
    self.source = source
    self.scorer = try ScorerArtifact.load(dataset: dataset, context: context)
  }

  init(copying other: GANSetup, model: DCGANConfig) {
    dataset = other.dataset
    self.model = model
    task = other.task
    data = other.data
    scorer = other.scorer
    source = other.source
  }

  /// The same data and scorer with another DCGAN.
  public func with(model: DCGANConfig) -> GANSetup { GANSetup(copying: self, model: model) }

  /// A fresh task.
  public func makeTask() -> GANTask {
    GANTask(
      model: model, config: task, data: data, scorer: scorer.scorer, realInceptionScore: scorer.realInceptionScore)
  }
}

/// One finished GAN training run under a schedule.
public struct GANRunResult: Sendable {
  public var method: String
  public var seed: UInt64
  public var trace: EpisodeTrace
  /// IS of the best checkpoint (by IS moving average) on the final sample; 0 after a collapse or NaN.
  public var finalIS: Float
  /// The best IS moving average of the run.
  public var bestISEMA: Float
  /// Fixed-z samples at each check, `[checks, n, C, H, W]` flattened, in [0, 1].
  public var samples: [Float]
  public var seconds: Double

  public init(
    method: String, seed: UInt64, trace: EpisodeTrace, finalIS: Float, bestISEMA: Float, samples: [Float],
    seconds: Double
  ) {
    (self.method, self.seed, self.trace, self.finalIS) = (method, seed, trace, finalIS)
    (self.bestISEMA, self.samples, self.seconds) = (bestISEMA, samples, seconds)
  }

  /// The step of the first check whose IS moving average reached `target` (nil if none did).
  public func stepsToReach(_ target: Float) -> Int? {
    trace.checks.first { 1 / $0.error >= target }?.step
  }
}

/// Runs GAN training under schedules.
public enum GANRunner {
  /// Trains a fresh DCGAN of `setup` under `method` with `seed`.
  public static func run(_ method: MethodSpec, name: String, setup: GANSetup, seed: UInt64, collapseLength: Int)
    -> GANRunResult
  {
    var schedule = method.makeSchedule()
    return run(schedule: &schedule, name: name, setup: setup, seed: seed, collapseLength: collapseLength)
  }

  /// Trains a fresh DCGAN of `setup` under `schedule` with `seed`.
  public static func run(
    schedule: inout some Schedule, name: String, setup: GANSetup, seed: UInt64, collapseLength: Int
  ) -> GANRunResult {
    let start = Date()
    let task = setup.makeTask()
    let trace = runEpisode(
      task: task, schedule: &schedule, seed: seed,
      options: EpisodeOptions(recordSteps: true, evaluateTest: false, collapseLength: collapseLength))
    let failed = trace.outcome == "collapse" || trace.outcome == "non-finite loss"
    let finalIS = failed ? 0 : task.finalInceptionScore()
    var t = trace
    t.testError = finalIS > 0 ? 1 / finalIS : .nan
    var samples: [Float] = []
    for s in task.checkSamples { samples += s.data }
    let best = trace.bestValidationError.isFinite ? 1 / trace.bestValidationError : 0
    return GANRunResult(
      method: name, seed: seed, trace: t, finalIS: finalIS, bestISEMA: best, samples: samples,
      seconds: Date().timeIntervalSince(start))
  }

  /// Runs every (method, seed) pair with `workers` threads; results in the order of `items`.
  public static func runAll(
    _ items: [(name: String, method: MethodSpec, seed: UInt64)], setups: [GANSetup], workers: Int, collapseLength: Int,
    progress: ProgressDisplay?
  ) -> [GANRunResult] {
    precondition(setups.count == 1 || setups.count == items.count, "one setup or one per item")
    let indexed = Array(items.enumerated()).map {
      GANWorkItem(index: $0.offset, name: $0.element.name, method: $0.element.method, seed: $0.element.seed)
    }
    return parallelMap(indexed, workers: workers) { item in
      let setup = setups.count == 1 ? setups[0] : setups[item.index]
      let r = run(item.method, name: item.name, setup: setup, seed: item.seed, collapseLength: collapseLength)
      progress?.advance(
        status: String(format: "%@: IS %.2f, %d steps, %@", item.name, r.finalIS, r.trace.steps, r.trace.outcome))
      return r
    }
  }

  /// The fixed D:G schedule `d:g` (action 0 = D step, 1 = G step).
  public static func ratio(_ d: Int, _ g: Int) -> (name: String, method: MethodSpec) {
    let name = "\(d):\(g)"
    return (name, .pattern(Array(repeating: 0, count: d) + Array(repeating: 1, count: g), name: name))
  }

  /// The constant-ratio schedule with P(G step) = `p`.
  public static func random(_ p: Float) -> (name: String, method: MethodSpec) {
    let name = String(format: "random P(G)=%.2f", p)
    return (name, .random([1 - p, p], name: name))
  }
}

struct GANWorkItem: Sendable {
  var index: Int
  var name: String
  var method: MethodSpec
  var seed: UInt64
}

/// Writes GAN runs into artifacts and sample grids beside them.
public enum GANRunIO {
  /// Writes `run` into `group`: the trace (``TraceIO`` layout), `samples` uint8 `[V, n, C, H, W]`
  /// (0-255 for [0, 1]) and attributes `method`, `seed`, `final_is`, `best_is_ema`, `seconds`.
  public static func write(_ run: GANRunResult, to group: HDF5Group, model: DCGANConfig, gridSamples: Int) throws {
    try TraceIO.write(run.trace, to: group, actionCount: 2, featureCount: 9, lossCount: 2)
    let size = model.channels * model.imageSize * model.imageSize
    if gridSamples > 0 && !run.samples.isEmpty && run.samples.count % (gridSamples * size) == 0 {
      let v = run.samples.count / (gridSamples * size)
      let bytes = run.samples.map { UInt8(min(255, max(0, ($0 * 255).rounded()))) }
      try group.write(
        "samples", bytes, shape: [v, gridSamples, model.channels, model.imageSize, model.imageSize], compression: 4)
      try group.setAttribute(
        "samples_note", "fixed-z samples at each IS check, uint8 0-255 = [0, 1] as the scorer sees them")
    }
    try group.setAttribute("method", run.method)
    try group.setAttribute("seed", Int64(bitPattern: run.seed))
    try group.setAttribute("final_is", Double(run.finalIS))
    try group.setAttribute("best_is_ema", Double(run.bestISEMA))
    try group.setAttribute("seconds", run.seconds)
  }

  /// Writes one PNG grid per check (or only the last when `lastOnly`) as `<folder>/<stem>-step<NNNNNN>.png`.
  public static func writeGrids(
    _ run: GANRunResult, folder: String, stem: String, model: DCGANConfig, gridSamples: Int, lastOnly: Bool
  ) throws {
    let size = model.channels * model.imageSize * model.imageSize

    guard gridSamples > 0, !run.samples.isEmpty, run.samples.count % (gridSamples * size) == 0 else { return }
    try FileManagerShim.createDirectory(folder)
    let v = run.samples.count / (gridSamples * size)
    let checks = lastOnly ? [v - 1] : Array(0..<v)
    for k in checks where k < run.trace.checks.count {
      let chunk = Array(run.samples[(k * gridSamples * size)..<((k + 1) * gridSamples * size)])
      let step = String(format: "%06d", run.trace.checks[k].step)
      try writeGrid(chunk, to: "\(folder)/\(stem)-step\(step).png", model: model, gridSamples: gridSamples)
    }
  }

  /// Writes one PNG grid of `gridSamples` images `[n, C, H, W]` in [0, 1] to `path` (its folder is created).
  public static func writeGrid(_ chunk: [Float], to path: String, model: DCGANConfig, gridSamples: Int) throws {
    let (c, s) = (model.channels, model.imageSize)
    guard gridSamples > 0, chunk.count == gridSamples * c * s * s else { return }
    try FileManagerShim.createDirectory((path as NSString).deletingLastPathComponent)
    // NCHW → NHWC for the PNG writer.
    var hwc = [Float](repeating: 0, count: chunk.count)
    for n in 0..<gridSamples {
      for ch in 0..<c {
        for p in 0..<(s * s) { hwc[(n * s * s + p) * c + ch] = chunk[(n * c + ch) * s * s + p] }
      }
    }
    try PNGWriter.writeGrid(
      images: hwc, count: gridSamples, height: s, width: s, channels: c, range: .zeroToOne, to: path)
  }

  /// The folder of PNG grids beside an artifact version: `<artifact dir>/vNNNN-grids`.
  public static func gridFolder(store: ArtifactStore, stage: String, name: String, version: Int) -> String {
    let file = ArtifactStore.fileName(version: version)
    return store.directory(stage: stage, name: name) + "/" + file.dropLast(3) + "-grids"
  }

  /// Root attributes every GAN result carries: the real-image range, the profile's scale note, sizes.
  public static func describe(_ root: HDF5Group, config: GANExperimentConfig, setup: GANSetup) throws {
    try root.setAttribute("dataset", setup.dataset)
    try root.setAttribute("real_range", setup.task.realRange.rawValue)
    try root.setAttribute("scale_note", config.scaleNote)
    try root.setAttribute("base_width", Int64(setup.model.baseWidth))
    try root.setAttribute("z_size", Int64(setup.model.zSize))
    try root.setAttribute("batch_norm", Int64(setup.model.batchNorm ? 1 : 0))
    try root.setAttribute("max_steps", Int64(setup.task.maxSteps))
    try root.setAttribute("scorer_real_is", Double(setup.scorer.realInceptionScore))
    try root.setAttribute("scorer_test_accuracy", Double(setup.scorer.testAccuracy))
    try root.setAttribute("is_note", "IS (our \(setup.dataset) classifier), not Inception-v3")
  }
}

/// Summary statistics of a set of runs of one schedule.
public struct GANScheduleSummary: Sendable {
  public var name: String
  public var finalIS: [Float]
  public var bestISEMA: [Float]
  public var failures: Int

  public init(name: String, runs: [GANRunResult]) {
    self.name = name
    finalIS = runs.map(\.finalIS)
    bestISEMA = runs.map(\.bestISEMA)
    failures = runs.filter { $0.trace.outcome == "collapse" || $0.trace.outcome == "non-finite loss" }.count
  }

  /// "7.812 ± 0.120".
  public static func format(_ values: [Float]) -> String {
    let (m, s) = meanAndStd(values)
    return String(format: "%.3f ± %.3f", m, s)
  }
}
