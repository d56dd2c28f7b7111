import AutoLoss
import Foundation
import Store
import Tasks
import XCTest

@testable import Pipeline

/// Runs every regression/classification stage end to end on the smoke profile, in a temp folder.
final class RegularizedStagesTests: SmokeStageTestCase {
  func testRegressionStagesEndToEnd() throws {
    try prepare("regression")
    let ctx = context()
    let config = try RegularizedExperimentConfig.load(kind: .regression, context: ctx, overrides: [])
    XCTAssertEqual(config.controller.episodes, 4)
    let data = "\(ctx.dataRoot)/regression.h5"
    let controller = try ControllerTrainingStage(
      kind: .regression, config: config, context: ctx, name: "regression", dataPath: data
    ).run()
    XCTAssertTrue(controller.path.hasSuffix("controllers/regression/v0001.h5"))
    let baselines = try BaselineTuningStage(
      kind: .regression, config: config, context: ctx, name: "regression", dataPath: data
    ).run()
    let evaluation = try EvaluationStage(
      kind: .regression, config: config, context: ctx, name: "regression", dataPath: data
    ).run()

    let file = try ArtifactReader.open(evaluation, schema: EvaluationStage.schema, supportedVersions: 1...1)
    defer { file.close() }
    let methods = try file.root.readStrings("table/method")
    // The untrained-controller row needs /untrained_controller, which older controller artifacts lack.
    XCTAssertTrue(
      Set(methods).isSuperset(of: [
        "AutoLoss c1", "without L1", "fixed 1:1", "S1", "S2", "S3", "DGS", "best constant ratio",
        "ratio-matched coin c1",
      ]))
    // Paired comparisons of the controller seed against every baseline, with the per-trial differences.
    let dgs = try file.root.group("comparisons/c1/DGS")
    XCTAssertEqual(try dgs.read("difference", as: Double.self).shape, [2])
    XCTAssertTrue(dgs.hasAttribute("wilcoxon_p"))
    XCTAssertEqual(try file.root.readStrings("comparisons/verdict").count, EvaluationStage.comparedBaselines.count)
    XCTAssertFalse(try file.root.attributeString("data_source").isEmpty)
    // What was learned: one verdict, per-seed policy statistics, replays and clamps.
    let analysis = try ArtifactReader.open(
      try ctx.store.resolve(stage: "analysis", name: "regression"), schema: LearnedAnalysis.schema,
      supportedVersions: 1...1)
    defer { analysis.close() }
    XCTAssertTrue(try analysis.root.attributeString("verdict").hasPrefix("learns "))
    XCTAssertEqual(try analysis.root.read("seeds/c1/policy/bin_mean", as: Double.self).shape, [config.progressBins])
    XCTAssertEqual(try analysis.root.read("seeds/c1/replay_block/test_error", as: Double.self).shape, [2])
    XCTAssertTrue(analysis.root.isGroup("seeds/c1/clamp/validation"))
    let means = try file.root.read("table/mean", as: Float.self).values
    XCTAssertTrue(means.allSatisfy { $0.isFinite && $0 > 0 })
    XCTAssertEqual(try file.root.read("table/n", as: Int32.self).values, Array(repeating: 2, count: methods.count))
    let provenance = try ArtifactReader.provenance(of: evaluation.path)
    XCTAssertEqual(
      Set(provenance.inputs.map(\.sha256)),
      Set([controller.sha256, baselines.sha256, try ResolvedArtifact.file(data).sha256]))
    XCTAssertTrue(file.root.hasAttribute("test_noise_floor_mse"))

    // Experiments: sweep and ablation on the smoke sizes.
    let stages = ExperimentStages(kind: .regression, config: config, context: ctx)
    let sweep = try stages.lambdaSweep()
    let sweepFile = try ArtifactReader.open(sweep, schema: ExperimentStages.schema, supportedVersions: 1...1)
    XCTAssertEqual(try sweepFile.root.readStrings("groups"), ["lambda=0.1", "lambda=0.4"])
    sweepFile.close()
    _ = try stages.ablation()
    XCTAssertNotNil(ctx.store.latestVersion(stage: "controllers", name: "regression-no-gradient"))
  }

  func testClassificationStagesAndTransferEndToEnd() throws {
    try prepare("classification")
    try prepare("classification", seed: 2)
    let ctx = context()
    let config = try RegularizedExperimentConfig.load(
      kind: .classification, context: ctx, overrides: ["controller.episodes=3"])
    try ControllerTrainingStage(
      kind: .classification, config: config, context: ctx, name: "classification",
      dataPath: "\(ctx.dataRoot)/classification.h5"
    ).run()
    let data = "\(ctx.dataRoot)/classification.h5"
    try BaselineTuningStage(kind: .classification, config: config, context: ctx, name: "classification", dataPath: data)
      .run()
    let evaluation = try EvaluationStage(
      kind: .classification, config: config, context: ctx, name: "classification", dataPath: data
    ).run()
    let evalFile = try ArtifactReader.open(evaluation, schema: EvaluationStage.schema, supportedVersions: 1...1)
    XCTAssertTrue(try evalFile.root.read("table/mean", as: Float.self).values.allSatisfy { $0 >= 0 && $0 <= 1 })
    evalFile.close()
    let transfer = try ExperimentStages(kind: .classification, config: config, context: ctx).transfer()
    let file = try ArtifactReader.open(transfer, schema: ExperimentStages.schema, supportedVersions: 1...1)
    defer { file.close() }
    XCTAssertEqual(try file.root.readStrings("groups"), ["dataset seed 2"])
    let errors = try file.root.read("groups_detail/dataset seed 2/table/mean", as: Float.self).values
    XCTAssertEqual(errors.count, 3)
    XCTAssertTrue(errors.allSatisfy { $0 >= 0 && $0 <= 1 })
  }

  func testInterruptedControllerTrainingResumesExactly() throws {
    try prepare("regression")
    let ctx = context()
    let config = try RegularizedExperimentConfig.load(kind: .regression, context: ctx, overrides: [])
    let data = "\(ctx.dataRoot)/regression.h5"
    let stage = ControllerTrainingStage(
      kind: .regression, config: config, context: ctx, name: "interrupted", dataPath: data)

    // Simulate a run killed after its first finished update: the work folder holds it.
    let dataset = try RegularizedDataset.load(kind: .regression, path: data)
    let task = RegularizedTask(kind: .regression, data: dataset.controllerData, config: config.task)
    let partial = try stage.makeTrainer(controllerIndex: 1, data: dataset)
    let work = stage.work(partial, artifactName: "interrupted")
    let identity = stage.identity(controllerIndex: 1, data: dataset, configText: ConfigLoader.text(config))
    XCTAssertEqual(try work.prepare(identity: identity), 0)
    try stage.save(try partial.runNextUpdate(), work: work, task: task)

    let resumed = try stage.run()
    let whole = try ControllerTrainingStage(
      kind: .regression, config: config, context: ctx, name: "whole", dataPath: data
    ).run()
    let a = try ArtifactReader.open(resumed, schema: ControllerTrainingStage.schema, supportedVersions: 1...1)
    let b = try ArtifactReader.open(whole, schema: ControllerTrainingStage.schema, supportedVersions: 1...1)
    defer {
      a.close()
      b.close()
    }
    XCTAssertEqual(
      try a.root.read("summary/reward", as: Float.self).values, try b.root.read("summary/reward", as: Float.self).values
    )
    // The resumed run continues exactly: equal weights, not merely close ones.
    for group in ["controller", "evaluated_controller", "best_controller", "untrained_controller"] {
      XCTAssertEqual(try ParameterIO.read(from: a.root.group(group)), try ParameterIO.read(from: b.root.group(group)))
    }
    XCTAssertEqual(try a.root.attribute("episodes", as: Int64.self), Int64(config.controller.episodes))
    XCTAssertEqual(try a.root.attributeString("evaluated"), "final")
    XCTAssertFalse(
      FileManager.default.fileExists(atPath: work.directory), "work folder removed after the artifact is written")
  }

  func testSeveralControllerSeedsWriteNumberedArtifacts() throws {
    try prepare("regression")
    let ctx = context()
    let config = try RegularizedExperimentConfig.load(
      kind: .regression, context: ctx,
      overrides: ["controller.controllerSeeds=2", "controller.episodes=2", "controller.evaluated=average"])
    let data = "\(ctx.dataRoot)/regression.h5"
    let stage = ControllerTrainingStage(kind: .regression, config: config, context: ctx, name: "seeds", dataPath: data)
    XCTAssertEqual(stage.artifactNames, ["seeds-c1", "seeds-c2"])
    let artifacts = try stage.runAll()
    XCTAssertEqual(try trainedControllerNames("seeds", store: ctx.store), ["seeds-c1", "seeds-c2"])
    let dataset = try RegularizedDataset.load(kind: .regression, path: data)
    let probe = RegularizedTask(kind: .regression, data: dataset.controllerData, config: config.task)
    let untrained = try artifacts.map { try loadController(from: $0, task: probe, which: .untrained).0.stateDict() }
    XCTAssertNotEqual(untrained[0], untrained[1], "each controller seed starts from its own weights")
    let file = try ArtifactReader.open(artifacts[1], schema: ControllerTrainingStage.schema, supportedVersions: 1...1)
    defer { file.close() }
    XCTAssertEqual(try file.root.attributeString("evaluated"), "average")
    let evaluated = try loadController(from: artifacts[1], task: probe).0.stateDict()
    XCTAssertEqual(evaluated, try ParameterIO.read(from: file.root.group("evaluated_controller")))
  }

  func testStandardizedControllerKeepsItsInputMapThroughTheArtifact() throws {
    try prepare("regression")
    let ctx = context()
    let probeConfig = try RegularizedExperimentConfig.load(kind: .regression, context: ctx, overrides: [])
    let data = "\(ctx.dataRoot)/regression.h5"
    let dataset = try RegularizedDataset.load(kind: .regression, path: data)
    let probe = RegularizedTask(kind: .regression, data: dataset.controllerData, config: probeConfig.task)
    let count = probe.featureNames.count
    let means = (0..<count).map { Float($0) * 0.5 }
    let sds = (0..<count).map { 1 + Float($0) }
    func list(_ v: [Float]) -> String { "[" + v.map { "\($0)" }.joined(separator: ",") + "]" }
    let config = try RegularizedExperimentConfig.load(
      kind: .regression, context: ctx,
      overrides: [
        "controller.episodes=2", "controller.standardizeInputs=true", "controller.inputMeans=\(list(means))",
        "controller.inputSDs=\(list(sds))",
      ])
    let artifact = try ControllerTrainingStage(
      kind: .regression, config: config, context: ctx, name: "standardized", dataPath: data
    ).run()
    let loaded = try loadController(from: artifact, task: probe).0
    XCTAssertEqual(loaded.standardization?.means, means)
    XCTAssertEqual(loaded.standardization?.sds, sds)
    // Without moments of its own a regression controller cannot standardise: a clear error, no artifact.
    let missing = try RegularizedExperimentConfig.load(
      kind: .regression, context: ctx, overrides: ["controller.episodes=2", "controller.standardizeInputs=true"])
    XCTAssertThrowsError(
      try ControllerTrainingStage(kind: .regression, config: missing, context: ctx, name: "nomoments", dataPath: data)
        .run()
    ) { error in XCTAssertTrue("\(error)".contains("standardizeInputs"), "\(error)") }
  }

  func testMissingDataAndBadOverrideGiveClearErrors() throws {
    let ctx = context()
    let config = try RegularizedExperimentConfig.load(kind: .regression, context: ctx, overrides: [])
    XCTAssertThrowsError(
      try ControllerTrainingStage(
        kind: .regression, config: config, context: ctx, name: "x", dataPath: root + "/nope.h5"
      ).run()
    ) { error in
      XCTAssertTrue("\(error)".contains("nope.h5"))
      XCTAssertTrue("\(error)".contains("autoloss prep regression"))
    }
    XCTAssertThrowsError(
      try RegularizedExperimentConfig.load(kind: .regression, context: ctx, overrides: ["controller.epsiodes=3"])
    ) {
      XCTAssertTrue("\($0)".contains("epsiodes"))
    }
    XCTAssertThrowsError(
      try RegularizedExperimentConfig.load(kind: .regression, context: ctx, overrides: ["controller.episodes=many"]))
    XCTAssertNil(ctx.store.latestVersion(stage: "controllers", name: "x"))
  }
}
