import AutoLoss
import Foundation
import Store
import Tasks

/// The extra experiments of the paper for the regression and classification tasks: the λ sweep of
/// Figure 1, the feature ablation of Table 3 and the classification transfer of Table 2. Each writes
/// one artifact under `artifacts/<experiment>/<task>/vNNNN.h5` (schema `autoloss/experiment`) with a
/// results table per group; the controllers they train are ordinary controller-run artifacts.
public struct ExperimentStages {
  public static let schema = "autoloss/experiment"
  public let kind: RegularizedTaskKind
  public let config: RegularizedExperimentConfig
  public let context: StageContext

  public init(kind: RegularizedTaskKind, config: RegularizedExperimentConfig, context: StageContext) {
    self.kind = kind
    self.config = config
    self.context = context
  }

  var dataPath: String { "\(context.dataRoot)/\(RegularizedDataset.fileName(kind: kind))" }

  /// Trains a controller variant (resumable) with its own name; returns its spec and artifact.
  func trainVariant(name: String, configure: (inout RegularizedExperimentConfig) -> Void) throws -> (
    ControllerSpec, ResolvedArtifact
  ) {
    var variant = config
    variant.controller.episodes = config.sweepEpisodes
    variant.controller.patienceEpisodes = max(config.sweepEpisodes, 1)
    // One controller seed per sweep point and per ablation (the main controller has `controllerSeeds`).
    variant.controller.controllerSeeds = 1
    configure(&variant)
    var quiet = context
    quiet.showProgress = false
    let stage = ControllerTrainingStage(kind: kind, config: variant, context: quiet, name: name, dataPath: dataPath)
    let artifact = try stage.run()
    let data = try RegularizedDataset.load(kind: kind, path: dataPath)
    let probe = RegularizedTask(kind: kind, data: data.taskData, config: variant.task)
    return (try ControllerRuns.load(artifact, label: "c1", task: probe).evaluated, artifact)
  }

  func write(
    experiment: String, tables: [(String, [MethodResult])], inputs: [ResolvedArtifact],
    attributes: [String: String] = [:]
  )
    throws -> ResolvedArtifact
  {
    let data = try RegularizedDataset.load(kind: kind, path: dataPath)
    let probe = RegularizedTask(kind: kind, data: data.taskData, config: config.task)
    let writer = try context.store.writer(
      stage: experiment, name: kind.rawValue,
      provenance: context.provenance(
        schema: Self.schema, config: ConfigLoader.text(config), seed: config.seed, inputs: [data.source] + inputs))
    try writer.root.setAttribute("task", kind.rawValue)
    try writer.root.setAttribute("experiment", experiment)
    for (k, v) in attributes { try writer.root.setAttribute(k, v) }
    try writer.root.writeStrings("groups", tables.map(\.0))
    if let floor = data.testNoiseFloor { try writer.root.setAttribute("test_noise_floor_mse", floor) }
    for (group, results) in tables {
      try writeResults(
        results, to: try writer.root.createGroup("groups_detail/\(group)"), actionCount: 2,
        lossCount: probe.lossNames.count,
        featureCount: probe.featureNames.count)
    }
    return try writer.commit()
  }

  /// Figure 1: for each λ, the joint objective ℓ_task + λ·ℓ_L1 against AutoLoss trained with that λ.
  @discardableResult
  public func lambdaSweep() throws -> ResolvedArtifact {
    let data = try RegularizedDataset.load(kind: kind, path: dataPath)
    let seeds = trialSeeds(base: config.seed, tag: 77, count: config.sweepTrials)
    let progress = ProgressDisplay(
      "lambda sweep \(kind.rawValue)", total: config.sweepLambdas.count, enabled: context.showProgress)
    var tables: [(String, [MethodResult])] = []
    var inputs: [ResolvedArtifact] = []
    for lambda in config.sweepLambdas {
      var taskConfig = config.task
      taskConfig.lambda = lambda
      let label = String(format: "%g", lambda)
      let joint = try runTrials(
        kind: kind, data: data.taskData, taskConfig: taskConfig, method: .joint([1, 1], name: "joint"), seeds: seeds,
        executor: context.executor)
      let (spec, artifact) = try trainVariant(name: "\(kind.rawValue)-lambda\(label)") { $0.task.lambda = lambda }
      inputs.append(artifact)
      let auto = try runTrials(
        kind: kind, data: data.taskData, taskConfig: taskConfig, method: .controller(spec), seeds: seeds,
        executor: context.executor)
      tables.append(
        (
          "lambda=\(label)",
          [
            MethodResult(method: "joint objective", results: joint, actionCount: 2, note: "lambda = \(label)"),
            MethodResult(
              method: "AutoLoss", results: auto, actionCount: 2, note: "controller trained with lambda = \(label)"),
          ]
        ))
      let j = meanAndStd(joint.testErrors).mean
      let a = meanAndStd(auto.testErrors).mean
      progress.advance(status: String(format: "lambda %@: joint %.4f, AutoLoss %.4f", label, j, a))
    }
    return try write(experiment: "lambda-sweep", tables: tables, inputs: inputs)
  }

  /// Table 3: controllers retrained without one feature group each (and with all features, at the
  /// same reduced episode budget), evaluated on the task splits.
  @discardableResult
  public func ablation() throws -> ResolvedArtifact {
    let data = try RegularizedDataset.load(kind: kind, path: dataPath)
    let seeds = trialSeeds(base: config.seed, tag: 78, count: config.sweepTrials)
    let variants = ["none"] + config.ablationGroups
    let progress = ProgressDisplay("ablation \(kind.rawValue)", total: variants.count, enabled: context.showProgress)
    var results: [MethodResult] = []
    var inputs: [ResolvedArtifact] = []
    for dropped in variants {
      let name = dropped == "none" ? "\(kind.rawValue)-ablation-all" : "\(kind.rawValue)-no-\(dropped)"
      let (spec, artifact) = try trainVariant(name: name) { c in
        c.controller.droppedFeatureGroups = dropped == "none" ? [] : [dropped]
      }
      inputs.append(artifact)
      let r = try runTrials(
        kind: kind, data: data.taskData, taskConfig: config.task, method: .controller(spec), seeds: seeds,
        executor: context.executor)
      results.append(MethodResult(method: "drop \(dropped)", results: r, actionCount: 2, note: artifact.path))
      progress.advance(status: String(format: "drop %@: %.4f", dropped, meanAndStd(r.testErrors).mean))
    }
    return try write(experiment: "ablation", tables: [("ablation", results)], inputs: inputs)
  }

  /// Table 2 (classification): the controller trained on dataset seed 1 guides fresh models on new
  /// datasets, against DGS tuned on each new dataset and against training without L1.
  @discardableResult
  public func transfer(controllerVersion: Int? = nil) throws -> ResolvedArtifact {
    // The first controller seed (`<task>-c1`, or `<task>` of older runs).
    let controllerName = ControllerRuns.names(kind.rawValue, store: context.store)[0].name
    let controllerArtifact = try context.store.resolve(
      stage: "controllers", name: controllerName, version: controllerVersion)
    let seeds = trialSeeds(base: config.seed, tag: 79, count: config.evaluationTrials)
    let progress = ProgressDisplay(
      "transfer \(kind.rawValue)", total: config.transferSeeds.count, enabled: context.showProgress)
    var tables: [(String, [MethodResult])] = []
    var inputs = [controllerArtifact]
    for dataSeed in config.transferSeeds {
      let path = "\(context.dataRoot)/\(RegularizedDataset.fileName(kind: kind, seed: dataSeed))"
      let data = try RegularizedDataset.load(kind: kind, path: path)
      inputs.append(data.source)
      let probe = RegularizedTask(kind: kind, data: data.taskData, config: config.task)
      let controller = try ControllerRuns.load(controllerArtifact, label: "c1", task: probe).evaluated
      let dgs = try BaselineTuningStage.tune(
        kind: kind, data: data.taskData, config: config, workers: context.workers, only: ["DGS"],
        executor: context.executor)
      guard let tuned = dgs.first else { throw PipelineError("transfer: DGS tuning produced no result") }
      var rows: [MethodResult] = []
      for (method, spec, note) in [
        ("without L1", MethodSpec.pattern([0], name: "without L1"), ""),
        (
          "DGS", tuned.spec,
          String(format: "lambda = %.4g, tuned on this dataset (%d runs)", tuned.chosen, config.dgsRuns)
        ),
        ("AutoLoss", MethodSpec.controller(controller), "controller trained on dataset seed 1"),
      ] {
        let r = try runTrials(
          kind: kind, data: data.taskData, taskConfig: config.task, method: spec, seeds: seeds,
          executor: context.executor)
        rows.append(MethodResult(method: method, results: r, actionCount: 2, note: note))
      }
      tables.append(("dataset seed \(dataSeed)", rows))
      progress.advance(
        status: rows.map { String(format: "%@ %.4f", $0.method, meanAndStd($0.testErrors).mean) }.joined(
          separator: ", "))
    }
    return try write(experiment: "transfer", tables: tables, inputs: inputs)
  }
}
