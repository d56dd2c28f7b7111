import AutoLoss
import Foundation
import Store
import Tasks

/// One tuned baseline: the grid it searched, the validation error at each point, and its choice.
public struct TunedBaseline: Sendable {
  /// `without L1`, `S1`, `S2`, `S3`, `DGS`, `fixed 1:1`, `best constant ratio`.
  public var method: String
  /// What the grid varies (`threshold`, `lambda`, `p_l1`), empty when nothing is tuned.
  public var parameter: String
  public var grid: [Float]
  public var validationErrors: [Float]
  /// The chosen grid value (NaN when nothing is tuned).
  public var chosen: Float
  /// The schedule to evaluate.
  public var spec: MethodSpec
}

/// The `baselines` stage: tunes every baseline of the paper (and the constant-ratio baseline the paper
/// lacks) on the task splits, choosing by validation error as DGS chooses λ. Writes
/// `artifacts/baselines/<name>/vNNNN.h5` (schema `autoloss/baseline-tuning`).
public struct BaselineTuningStage: RegularizedStage {
  public static let schema = "autoloss/baseline-tuning"
  public let inputs: RegularizedStageInputs

  public init(_ inputs: RegularizedStageInputs) { self.inputs = inputs }

  /// The DGS grid: `dgsRuns` values of λ, log-spaced over [low, high].
  public static func lambdaGrid(low: Float, high: Float, count: Int) -> [Float] {
    guard count > 1 else { return [low] }
    let (a, b) = (log(Double(low)), log(Double(high)))
    return (0..<count).map { Float(exp(a + (b - a) * Double($0) / Double(count - 1))) }
  }

  /// Tunes every baseline on `data` (train on its train split, choose on its validation split).
  /// The grid points run through `executor` (across MPI ranks), else on `workers` threads.
  public static func tune(
    kind: RegularizedTaskKind, data: TaskData, config: RegularizedExperimentConfig, workers: Int,
    progress: ProgressDisplay? = nil, only: Set<String>? = nil, executor: (any JobExecutor)? = nil
  ) throws -> [TunedBaseline] {
    let lambda = config.task.lambda
    let seeds = trialSeeds(base: config.seed, tag: 11, count: max(config.tuningRepeats, 1))
    @Sendable func score(_ spec: MethodSpec) -> Float {
      let r = runTrials(
        kind: kind, data: data, taskConfig: config.task, method: spec, seeds: seeds, workers: 1, evaluateTest: false)
      progress?.advance()
      return meanAndStd(r.validationErrors).mean
    }
    struct Job: Sendable {
      var method: String
      var parameter: String
      var value: Float
      var spec: MethodSpec
    }
    var jobs: [Job] = []
    func want(_ m: String) -> Bool { only?.contains(m) ?? true }
    for rule in ThresholdRule.Kind.allCases where want(rule.rawValue) {
      for th in config.thresholdGrid {
        jobs.append(Job(method: rule.rawValue, parameter: "threshold", value: th, spec: .threshold(rule, th)))
      }
    }
    if want("DGS") {
      for l in lambdaGrid(low: config.dgsLambdaLow, high: config.dgsLambdaHigh, count: config.dgsRuns) {
        jobs.append(Job(method: "DGS", parameter: "lambda", value: l, spec: .joint([1, l / lambda], name: "DGS")))
      }
    }
    if want("best constant ratio") {
      for p in config.ratioGrid {
        jobs.append(
          Job(
            method: "best constant ratio", parameter: "p_l1", value: p,
            spec: .random([1 - p, p], name: "constant ratio")))
      }
    }
    let specs = jobs.map(\.spec)
    let scores = try (executor ?? LocalExecutor(slots: workers)).map(count: specs.count) { i, _ in score(specs[i]) }
    var results: [TunedBaseline] = []
    if want("without L1") {
      results.append(
        TunedBaseline(
          method: "without L1", parameter: "", grid: [], validationErrors: [], chosen: .nan,
          spec: .pattern([0], name: "without L1")))
    }
    if want("fixed 1:1") {
      results.append(
        TunedBaseline(
          method: "fixed 1:1", parameter: "", grid: [], validationErrors: [], chosen: .nan,
          spec: .pattern([0, 1], name: "fixed 1:1")))
    }
    var order: [String] = []
    for j in jobs where !order.contains(j.method) { order.append(j.method) }
    for method in order {
      let idx = jobs.indices.filter { jobs[$0].method == method }
      let errors = idx.map { scores[$0] }
      let bestPosition =
        errors.indices.min { (errors[$0].isNaN ? .infinity : errors[$0]) < (errors[$1].isNaN ? .infinity : errors[$1]) }
        ?? 0
      let best = jobs[idx[bestPosition]]
      results.append(
        TunedBaseline(
          method: method, parameter: best.parameter, grid: idx.map { jobs[$0].value }, validationErrors: errors,
          chosen: best.value, spec: best.spec))
    }
    return results
  }

  @discardableResult
  public func run() throws -> ResolvedArtifact {
    let data = try RegularizedDataset.load(kind: kind, path: dataPath)
    let total = config.thresholdGrid.count * 3 + config.dgsRuns + config.ratioGrid.count
    let progress = ProgressDisplay("baselines \(name)", total: total, enabled: context.showProgress)
    let tuned = try Self.tune(
      kind: kind, data: data.taskData, config: config, workers: context.workers, progress: progress,
      executor: context.executor)
    let writer = try context.store.writer(
      stage: "baselines", name: name,
      provenance: context.provenance(
        schema: Self.schema, config: ConfigLoader.text(config), seed: config.seed, inputs: [data.source]))
    try writer.root.setAttribute("task", kind.rawValue)
    try writer.root.writeStrings("methods", tuned.map(\.method))
    for t in tuned {
      let g = try writer.root.createGroup("methods_detail/\(t.method)")
      try g.setAttribute("parameter", t.parameter)
      try g.setAttribute("chosen", Double(t.chosen))
      try g.write("grid", t.grid, shape: [t.grid.count])
      try g.write("validation_error", t.validationErrors, shape: [t.validationErrors.count])
    }
    for t in tuned where !t.parameter.isEmpty {
      log("  \(t.method): best \(t.parameter) = \(t.chosen) (validation error \(t.validationErrors.min() ?? .nan))")
    }
    return try writer.commit()
  }

  /// Reads the tuned baselines of an artifact back as schedules.
  public static func load(_ artifact: ResolvedArtifact, taskLambda: Float) throws -> [TunedBaseline] {
    let file = try ArtifactReader.open(artifact, schema: schema, supportedVersions: 1...1)
    defer { file.close() }
    var result: [TunedBaseline] = []
    for method in try file.root.readStrings("methods") {
      let g = try file.root.group("methods_detail/\(method)")
      let chosen = Float(try g.attribute("chosen", as: Double.self))
      let spec: MethodSpec
      switch method {
      case "without L1": spec = .pattern([0], name: method)
      case "fixed 1:1": spec = .pattern([0, 1], name: method)
      case "S1": spec = .threshold(.s1, chosen)
      case "S2": spec = .threshold(.s2, chosen)
      case "S3": spec = .threshold(.s3, chosen)
      case "DGS": spec = .joint([1, chosen / taskLambda], name: method)
      case "best constant ratio": spec = .random([1 - chosen, chosen], name: method)
      default: throw PipelineError("\(artifact.path): unknown baseline method '\(method)'")
      }
      result.append(
        TunedBaseline(
          method: method, parameter: try g.attributeString("parameter"),
          grid: try g.read("grid", as: Float.self).values,
          validationErrors: try g.read("validation_error", as: Float.self).values, chosen: chosen, spec: spec))
    }
    return result
  }
}
