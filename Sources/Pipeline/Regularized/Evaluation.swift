import AutoLoss
import Engine
import Foundation
import Statistics
import Store
import Tasks

/// One row of a results table: a method's test error over trials.
public struct MethodResult: Sendable {
  public var method: String
  public var testErrors: [Float]
  public var validationErrors: [Float]
  public var steps: [Int]
  /// Mean fraction of steps that took each action (the realized action ratio).
  public var actionFractions: [Float]
  /// A note printed beside the number (chosen threshold, λ or ratio).
  public var note: String
  /// The first trial's trace (with per-step records) for schedule pictures.
  public var exampleTrace: EpisodeTrace

  public init(method: String, results: TrialResults, actionCount: Int, note: String) {
    self.method = method
    testErrors = results.testErrors
    validationErrors = results.validationErrors
    steps = results.traces.map(\.steps)
    var fractions = [Float](repeating: 0, count: actionCount)
    for t in results.traces {
      for (i, f) in t.actionFractions(actionCount: actionCount).enumerated() { fractions[i] += f }
    }
    actionFractions = fractions.map { $0 / Float(max(results.traces.count, 1)) }
    self.note = note
    exampleTrace = results.traces.first ?? EpisodeTrace()
  }
}

/// Writes a results table (`/table/method`, `mean`, `std`, `n`) and per-method trials to `group`.
func writeResults(_ results: [MethodResult], to group: HDF5Group, actionCount: Int, lossCount: Int, featureCount: Int)
  throws
{
  let table = try group.createGroup("table")
  try table.writeStrings("method", results.map(\.method))
  let stats = results.map { meanAndStd($0.testErrors) }
  try table.write("mean", stats.map(\.mean), shape: [results.count])
  try table.write("std", stats.map(\.std), shape: [results.count])
  try table.write("n", results.map { Int32($0.testErrors.count) }, shape: [results.count])
  try table.writeStrings("note", results.map(\.note))
  for r in results {
    let g = try group.createGroup("methods/\(r.method)")
    try g.write("test_error", r.testErrors, shape: [r.testErrors.count])
    try g.write("validation_error", r.validationErrors, shape: [r.validationErrors.count])
    try g.write("steps", r.steps.map(Int32.init), shape: [r.steps.count])
    try g.write("action_fractions", r.actionFractions, shape: [r.actionFractions.count])
    try g.setAttribute("note", r.note)
    try TraceIO.write(
      r.exampleTrace, to: try g.createGroup("example_trace"), actionCount: actionCount, featureCount: featureCount,
      lossCount: lossCount)
  }
}

/// The `evaluate` stage: fresh task models on the task splits under every trained controller seed
/// (`<name>-c1 ... -cN`, or the single `<name>` artifact of older runs), the untrained controller,
/// every tuned baseline and a ratio-matched coin per controller seed; `evaluationTrials` trials per
/// method on the same seeds (common random numbers); test error of the best validation checkpoint.
/// Paired comparisons (mean difference, 95 % t-interval, Wilcoxon p, TOST) of every controller seed
/// against every other method. Writes `artifacts/evaluation/<name>/vNNNN.h5` (schema
/// `autoloss/evaluation`) and, unless `analysisReplays` is off, the "what was learned" artifact
/// `artifacts/analysis/<name>/vNNNN.h5` (``LearnedAnalysis``).
public struct EvaluationStage: RegularizedStage {
  public static let schema = "autoloss/evaluation"
  public let inputs: RegularizedStageInputs
  /// Pinned input versions (nil = latest).
  public var controllerVersion: Int?
  public var baselinesVersion: Int?

  public init(_ inputs: RegularizedStageInputs) { self.inputs = inputs }

  /// The baselines every controller seed is compared with, in report order.
  public static let comparedBaselines = [
    "DGS", "best constant ratio", "ratio-matched coin", "S1", "S2", "S3", "fixed 1:1", "without L1",
    "untrained controller",
  ]

  @discardableResult
  public func run() throws -> ResolvedArtifact {
    let started = Date()
    let data = try RegularizedDataset.load(kind: kind, path: dataPath)
    let probe = RegularizedTask(kind: kind, data: data.taskData, config: config.task)
    let runs = try ControllerRuns.loadAll(name: name, store: context.store, version: controllerVersion, task: probe)
    let baselinesArtifact = try context.store.resolve(stage: "baselines", name: name, version: baselinesVersion)
    let baselines = try BaselineTuningStage.load(baselinesArtifact, taskLambda: config.task.lambda)
    let seeds = trialSeeds(base: config.seed, tag: 42, count: config.evaluationTrials)
    let total = runs.count * 2 + baselines.count + (runs.first?.untrained == nil ? 0 : 1)
    let progress = ProgressDisplay("evaluate \(name)", total: total, enabled: context.showProgress)
    func trials(_ spec: MethodSpec, recordAll: Bool = false) throws -> TrialResults {
      try runTrials(
        kind: kind, data: data.taskData, taskConfig: config.task, method: spec, seeds: seeds,
        executor: context.executor, recordAll: recordAll)
    }
    var results: [MethodResult] = []
    var controllerTrials: [TrialResults] = []
    for r in runs {
      let t = try trials(.controller(r.evaluated), recordAll: true)
      controllerTrials.append(t)
      results.append(
        MethodResult(
          method: "AutoLoss \(r.label)", results: t, actionCount: 2,
          note: "\(r.evaluatedChoice) controller of \(r.artifact.path)"))
      progress.advance(status: "AutoLoss \(r.label)")
    }
    var untrainedTrials: TrialResults?
    if let untrained = runs.first?.untrained {
      let t = try trials(.controller(untrained))
      untrainedTrials = t
      results.append(
        MethodResult(method: "untrained controller", results: t, actionCount: 2, note: "initial weights, not AutoLoss"))
      progress.advance(status: "untrained controller")
    }
    for b in baselines {
      var note = b.parameter.isEmpty ? "" : "\(b.parameter) = \(String(format: "%.4g", b.chosen))"
      if b.method == "best constant ratio" { note += " (tuned coin)" }
      results.append(MethodResult(method: b.method, results: try trials(b.spec), actionCount: 2, note: note))
      progress.advance(status: b.method)
    }
    for (r, t) in zip(runs, controllerTrials) {
      let p = Self.pooledRatio(t.traces)
      let coin = MethodResult(
        method: "ratio-matched coin \(r.label)", results: try trials(.random([1 - p, p], name: "ratio-matched coin")),
        actionCount: 2, note: String(format: "p_l1 = %.4f (AutoLoss \(r.label)'s realized ratio)", p))
      results.append(coin)
      progress.advance(status: coin.method)
    }
    progress.finish(status: "done")
    let comparisons = Self.compare(results, labels: runs.map(\.label))
    let verdicts = Self.comparedBaselines.map { b -> (String, PairedVerdict) in
      (
        b,
        PairedVerdict.decide(
          comparisons.filter { $0.baseline == b }.compactMap(\.paired), margin: Double(config.equivalenceMargin))
      )
    }
    let writer = try context.store.writer(
      stage: "evaluation", name: name,
      provenance: context.provenance(
        schema: Self.schema, config: ConfigLoader.text(config), seed: config.seed,
        inputs: [data.source] + runs.map(\.artifact) + [baselinesArtifact]))
    try writer.root.setAttribute("task", kind.rawValue)
    try writer.root.setAttribute("data_source", data.dataSource)
    try writer.root.setAttribute("equivalence_margin", Double(config.equivalenceMargin))
    try writer.root.writeStrings("controller_seeds", runs.map(\.label))
    if let floor = data.testNoiseFloor { try writer.root.setAttribute("test_noise_floor_mse", floor) }
    try writer.root.writeStrings("action_names", probe.actionNames)
    try writeResults(
      results, to: writer.root, actionCount: 2, lossCount: probe.lossNames.count, featureCount: probe.featureNames.count
    )
    try Self.writeComparisons(comparisons, verdicts: verdicts, to: try writer.root.createGroup("comparisons"))
    let artifact = try writer.commit()
    printTable(results, floor: data.testNoiseFloor, source: data.dataSource)
    printComparisons(comparisons, verdicts: verdicts)
    log(String(format: "evaluate %@: %.1f s", name, Date().timeIntervalSince(started)))
    if config.analysisReplays {
      let analysisStart = Date()
      let analysis = LearnedAnalysis(
        kind: kind, config: config, context: context, name: name, data: data.taskData, probe: probe, seeds: seeds)
      try analysis.run(
        runs: runs, controllerTrials: controllerTrials, untrainedTrials: untrainedTrials,
        inputs: [data.source, artifact] + runs.map(\.artifact))
      log(String(format: "analysis %@: %.1f s", name, Date().timeIntervalSince(analysisStart)))
    }
    return artifact
  }

  /// The share of L1 steps (action 1) over all steps of `traces`.
  static func pooledRatio(_ traces: [EpisodeTrace]) -> Float {
    var ones = 0
    var all = 0
    for t in traces {
      for a in t.actions where a >= 0 {
        all += 1
        if a == 1 { ones += 1 }
      }
    }
    return all > 0 ? Float(ones) / Float(all) : 0.5
  }

  /// One paired comparison of a controller seed with a baseline: baseline − controller on the test
  /// error of each trial (positive favours the controller).
  public struct Comparison: Sendable {
    public var seed: String
    public var baseline: String
    public var differences: [Double]
    public var paired: Stats.Paired?
  }

  /// Every controller seed against every compared baseline (its own ratio-matched coin).
  static func compare(_ results: [MethodResult], labels: [String]) -> [Comparison] {
    var out: [Comparison] = []
    for label in labels {
      guard let mine = results.first(where: { $0.method == "AutoLoss \(label)" }) else { continue }
      for b in comparedBaselines {
        let method = b == "ratio-matched coin" ? "ratio-matched coin \(label)" : b
        guard let other = results.first(where: { $0.method == method }) else { continue }
        let a = other.testErrors.map(Double.init)
        let c = mine.testErrors.map(Double.init)
        out.append(
          Comparison(
            seed: label, baseline: b, differences: zip(a, c).map { $0 - $1 }, paired: Stats.paired(a, c)))
      }
    }
    return out
  }

  static func writeComparisons(
    _ comparisons: [Comparison], verdicts: [(String, PairedVerdict)], to group: HDF5Group
  ) throws {
    try group.setAttribute(
      "rules",
      "difference = baseline - controller test error per trial (positive favours the controller); better: the 95 % "
        + "t-interval is above zero for every controller seed; worse: below zero for every seed; equivalent: every "
        + "seed's 90 % TOST interval within +-equivalence_margin; otherwise no detectable difference at n")
    for c in comparisons {
      let g = try group.createGroup("\(c.seed)/\(c.baseline)")
      try g.write("difference", c.differences, shape: [c.differences.count])
      guard let p = c.paired else { continue }
      try g.setAttribute("n", Int64(p.n))
      try g.setAttribute("mean_difference", p.meanDifference)
      try g.setAttribute("ci95_low", p.low)
      try g.setAttribute("ci95_high", p.high)
      try g.setAttribute("t_p", p.tP)
      try g.setAttribute("wilcoxon_statistic", p.wilcoxonStatistic)
      try g.setAttribute("wilcoxon_p", p.wilcoxonP)
      try g.setAttribute("wilcoxon_exact", Int32(p.wilcoxonExact ? 1 : 0))
      try g.setAttribute("tost90_low", p.tostLow)
      try g.setAttribute("tost90_high", p.tostHigh)
    }
    try group.writeStrings("verdict_baseline", verdicts.map(\.0))
    try group.writeStrings("verdict", verdicts.map(\.1.rawValue))
  }

  func printTable(_ results: [MethodResult], floor: Double?, source: String) {
    let metric = kind == .regression ? "test MSE" : "test error"
    print("\(name): \(metric) over \(config.evaluationTrials) trials (mean ± std), \(source) data")
    for r in results {
      let s = meanAndStd(r.testErrors)
      var line = "  " + r.method.padding(toLength: 24, withPad: " ", startingAt: 0)
      line += String(format: " %.4f ± %.4f", s.mean, s.std)
      if kind == .regression, let floor { line += String(format: "   (− noise floor = %.4f)", Double(s.mean) - floor) }
      let jointOnly = r.exampleTrace.actions.allSatisfy { $0 < 0 }
      line += jointOnly ? "   joint objective" : String(format: "   P(L1 step) = %.2f", r.actionFractions[1])
      if !r.note.isEmpty { line += "   [\(r.note)]" }
      print(line)
    }
    if let floor { print(String(format: "  noise floor of this test split (true w): %.4f", floor)) }
  }

  func printComparisons(_ comparisons: [Comparison], verdicts: [(String, PairedVerdict)]) {
    print("  paired: baseline − AutoLoss (positive favours AutoLoss), 95 % CI, Wilcoxon p")
    for c in comparisons {
      guard let p = c.paired else { continue }
      print(
        String(
          format: "    %@ vs %@: %+.4f [%+.4f, %+.4f]  p = %.3g", c.seed, c.baseline, p.meanDifference, p.low, p.high,
          p.wilcoxonP))
    }
    for (b, v) in verdicts { print("  vs \(b): \(v.rawValue)") }
  }
}

/// One controller seed's artifact, loaded for evaluation.
public struct EvaluatedControllerRun: Sendable {
  /// `c1`, `c2`, ...
  public var label: String
  public var artifact: ResolvedArtifact
  /// The controller to evaluate (`/evaluated_controller`, or `/best_controller` of older artifacts).
  public var evaluated: ControllerSpec
  /// `final`, `average` or `best-episode`.
  public var evaluatedChoice: String
  /// The initial weights (`/untrained_controller`), when the artifact holds them.
  public var untrained: ControllerSpec?
}

/// Finds and loads the controller artifacts of an experiment: `<name>-c1 ... <name>-cN` (the shared
/// trainer's layout), else the single `<name>` artifact of older runs (labelled `c1`).
public enum ControllerRuns {
  /// The artifact names present, with their labels.
  public static func names(_ name: String, store: ArtifactStore) -> [(label: String, name: String)] {
    var found: [(String, String)] = []
    var k = 1
    while store.latestVersion(stage: "controllers", name: "\(name)-c\(k)") != nil {
      found.append(("c\(k)", "\(name)-c\(k)"))
      k += 1
    }
    if found.isEmpty { found = [("c1", name)] }
    return found
  }

  /// Loads every controller seed of `name` (`version` pins each, nil = latest).
  public static func loadAll(name: String, store: ArtifactStore, version: Int?, task: AlternatingTask) throws
    -> [EvaluatedControllerRun]
  {
    try names(name, store: store).map { entry in
      let artifact = try store.resolve(stage: "controllers", name: entry.name, version: version)
      return try load(artifact, label: entry.label, task: task)
    }
  }

  /// Reads one controller-run artifact (schema versions 1 and 2).
  public static func load(_ artifact: ResolvedArtifact, label: String, task: AlternatingTask) throws
    -> EvaluatedControllerRun
  {
    let file = try ArtifactReader.open(artifact, schema: ControllerTrainingStage.schema, supportedVersions: 1...2)
    defer { file.close() }
    let root = file.root
    let features = try root.readStrings("feature_names")
    guard features == task.featureNames else {
      throw PipelineError(
        "\(artifact.path): controller features \(features) do not match the task's \(task.featureNames)")
    }
    let provenance = try ArtifactReader.provenance(of: artifact.path)
    let json: [String: Any]?
    do {
      json = try JSONSerialization.jsonObject(with: Data(provenance.config.utf8)) as? [String: Any]
    } catch {
      throw PipelineError("\(artifact.path): provenance config is not JSON: \(error.localizedDescription)")
    }
    // Documented default: configs written before `controller.temperature` existed used 2.
    let temperature = ((json?["controller"] as? [String: Any])?["temperature"] as? NSNumber)?.floatValue ?? 2
    let dropped = root.contains("dropped_feature_groups") ? Set(try root.readStrings("dropped_feature_groups")) : []
    var mask = Array(repeating: true, count: features.count)
    for group in task.featureGroups where dropped.contains(group.name) { for i in group.indices { mask[i] = false } }
    let standardization = try InputStandardizationIO.read(
      from: root, featureCount: features.count, path: artifact.path, groupPath: "/")
    func spec(_ group: String) throws -> ControllerSpec {
      let state = try ParameterIO.read(from: try root.group(group))
      guard let first = state.first(where: { $0.key.hasPrefix("layer1") && $0.value.shape.count == 2 })?.value else {
        throw PipelineError("\(artifact.path) /\(group): expected a layer1 weight matrix, found \(state.keys.sorted())")
      }
      let hidden = state.keys.contains { $0.hasPrefix("layer2") } ? first.shape[1] : 0
      var rng = SeededRandom(seed: 0)
      let controller = Controller(
        featureCount: features.count, actionCount: task.actionNames.count, hidden: hidden, temperature: temperature,
        featureMask: mask, standardization: standardization, rng: &rng)
      do {
        try controller.load(state)
      } catch let error as EngineError {
        throw PipelineError("\(artifact.path) /\(group): \(error.description)")
      }
      return ControllerSpec(controller)
    }
    let modern = root.contains("evaluated_controller")
    let choice = modern && root.hasAttribute("evaluated") ? try root.attributeString("evaluated") : "best-episode"
    return EvaluatedControllerRun(
      label: label, artifact: artifact, evaluated: try spec(modern ? "evaluated_controller" : "best_controller"),
      evaluatedChoice: choice, untrained: root.contains("untrained_controller") ? try spec("untrained_controller") : nil
    )
  }
}
