import AutoLoss
import Foundation
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

/// The `evaluate` stage: fresh task models on the task splits under the frozen controller and under
/// every tuned baseline, `evaluationTrials` trials each with the same seeds; test error of the best
/// validation checkpoint. Writes `artifacts/evaluation/<name>/vNNNN.h5` (schema `autoloss/evaluation`).
public struct EvaluationStage {
  public static let schema = "autoloss/evaluation"
  public let kind: RegularizedTaskKind
  public let config: RegularizedExperimentConfig
  public let context: StageContext
  public let name: String
  public let dataPath: String
  /// Pinned input versions (nil = latest).
  public var controllerVersion: Int?
  public var baselinesVersion: Int?

  public init(
    kind: RegularizedTaskKind, config: RegularizedExperimentConfig, context: StageContext, name: String,
    dataPath: String
  ) {
    self.kind = kind
    self.config = config
    self.context = context
    self.name = name
    self.dataPath = dataPath
  }

  @discardableResult
  public func run() throws -> ResolvedArtifact {
    let data = try RegularizedDataset.load(kind: kind, path: dataPath)
    let controllerArtifact = try context.store.resolve(stage: "controllers", name: name, version: controllerVersion)
    let baselinesArtifact = try context.store.resolve(stage: "baselines", name: name, version: baselinesVersion)
    let probe = RegularizedTask(kind: kind, data: data.taskData, config: config.task)
    let (controller, _) = try loadController(from: controllerArtifact, task: probe)
    let baselines = try BaselineTuningStage.load(baselinesArtifact, taskLambda: config.task.lambda)
    let seeds = trialSeeds(base: config.seed, tag: 42, count: config.evaluationTrials)
    var methods: [(String, MethodSpec, String)] = [
      ("AutoLoss", .controller(ControllerSpec(controller)), "controller \(controllerArtifact.path)")
    ]
    for b in baselines {
      let note = b.parameter.isEmpty ? "" : "\(b.parameter) = \(String(format: "%.4g", b.chosen))"
      methods.append((b.method, b.spec, note))
    }
    let progress = ProgressDisplay("evaluate \(name)", total: methods.count, enabled: context.showProgress)
    var results: [MethodResult] = []
    for (method, spec, note) in methods {
      let r = try runTrials(
        kind: kind, data: data.taskData, taskConfig: config.task, method: spec, seeds: seeds,
        executor: context.executor)
      results.append(MethodResult(method: method, results: r, actionCount: 2, note: note))
      progress.advance(status: method)
    }
    let writer = try context.store.writer(
      stage: "evaluation", name: name,
      provenance: context.provenance(
        schema: Self.schema, config: ConfigLoader.text(config), seed: config.seed,
        inputs: [data.source, controllerArtifact, baselinesArtifact]))
    try writer.root.setAttribute("task", kind.rawValue)
    if let floor = data.testNoiseFloor { try writer.root.setAttribute("test_noise_floor_mse", floor) }
    try writer.root.writeStrings("action_names", probe.actionNames)
    try writeResults(
      results, to: writer.root, actionCount: 2, lossCount: probe.lossNames.count, featureCount: probe.featureNames.count
    )
    let artifact = try writer.commit()
    printTable(results, floor: data.testNoiseFloor)
    return artifact
  }

  func printTable(_ results: [MethodResult], floor: Double?) {
    let metric = kind == .regression ? "test MSE" : "test error"
    print("\(name): \(metric) over \(config.evaluationTrials) trials (mean ± std)")
    for r in results {
      let s = meanAndStd(r.testErrors)
      var line = "  " + r.method.padding(toLength: 22, withPad: " ", startingAt: 0)
      line += String(format: " %.4f ± %.4f", s.mean, s.std)
      if kind == .regression { line += String(format: "   (MSE − 3.94 = %.4f)", s.mean - 3.94) }
      let jointOnly = r.exampleTrace.actions.allSatisfy { $0 < 0 }
      line += jointOnly ? "   joint objective" : String(format: "   P(L1 step) = %.2f", r.actionFractions[1])
      if !r.note.isEmpty { line += "   [\(r.note)]" }
      print(line)
    }
    if let floor { print(String(format: "  noise floor of this test split (true w): %.4f", floor)) }
  }
}
