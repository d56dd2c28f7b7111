import AutoLoss
import Foundation
import Report
import Store
import XCTest

@testable import Pipeline

/// End to end on a tiny generated dataset in the prep layout: baselines, online AutoLoss training
/// and transfer each write a versioned artifact with traces, checks and a summary.
final class NMTStageTests: PipelineTempDirTestCase {
  /// Writes `dir/data/nmt-tiny.h5`: MT reverses the source, POS labels parity, DEP labels id mod 3.
  func writeTinyDataset() throws {
    let path = dir + "/data/nmt-tiny.h5"
    try FileManager.default.createDirectory(atPath: dir + "/data", withIntermediateDirectories: true)
    let writer = try ArtifactWriter(path: path, provenance: Provenance(schema: "autoloss/dataset", schemaVersion: 1))
    let root = writer.root
    let reserved = ["<unk>", "<s>", "</s>", "<pad>"]
    try root.writeStrings("vocab/source", reserved + (4..<16).map { "w\($0)" })
    try root.writeStrings("vocab/target", reserved + (4..<16).map { "e\($0)@@" })
    try root.writeStrings("vocab/pos", reserved + ["EVEN", "ODD"])
    try root.writeStrings("vocab/deprel", reserved + ["a", "b", "c"])
    try root.setAttribute("tasks", "mt,pos,dep")
    var state: UInt64 = 12345
    func next(_ n: Int) -> Int32 {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Int32((state >> 33) % UInt64(n))
    }
    let tasks: [(String, String, ([Int32]) -> [Int32])] = [
      ("mt", "/vocab/target", { $0.reversed() }),
      ("pos", "/vocab/pos", { $0.map { 4 + $0 % 2 } }),
      ("dep", "/vocab/deprel", { $0.map { 4 + $0 % 3 } }),
    ]
    for (name, vocab, label) in tasks {
      let g = try root.createGroup(name)
      try g.setAttribute("target_vocab", vocab)
      if name != "mt" { try g.setAttribute("files", "treebank-tiny.conllu") }
      for (split, n) in [("train", 40), ("validation", 12), ("test", 12)] {
        let s = try g.createGroup(split)
        let sources = (0..<n).map { _ in (0..<(2 + Int(next(4)))).map { _ in 4 + next(12) } }
        for (prefix, seqs) in [("source", sources), ("target", sources.map(label))] {
          var offsets: [Int64] = [0]
          for q in seqs { offsets.append(offsets.last! + Int64(q.count)) }
          try s.write("\(prefix)_ids", seqs.flatMap { $0 }, shape: [Int(offsets.last!)])
          try s.write("\(prefix)_offsets", offsets, shape: [offsets.count])
        }
      }
    }
    try writer.commit()
  }

  func testBaselinesAutoLossAndTransferWriteArtifacts() throws {
    try writeTinyDataset()
    let configText = """
      {
        "dataset": "nmt-tiny",
        "task": {
          "model": { "embeddingSize": 8, "hiddenSize": 8, "layers": 2, "bidirectional": true, "dropout": 0.1, "attention": "general" },
          "batchSize": 8, "learningRate": 0.01, "validateEvery": 5, "evaluationBatchSize": 12, "maxSteps": 20
        },
        "runs": 2,
        "mixGrid": [0.5, 0.8],
        "mixTuningSteps": 10,
        "mixTuningRuns": 2,
        "metaEpisodes": 2,
        "controllerSeeds": 2,
        "evaluationRuns": 2,
        "ppo": { "minibatchSize": 8, "minibatchUpdates": 2 },
        "transferHiddenSize": 6,
        "transferRuns": 1,
        "decodeBatchSize": 12
      }
      """
    try write("configs/smoke/nmt.json", text: configText)
    let context = StageContext(
      artifactRoot: dir + "/artifacts", dataRoot: dir + "/data", profile: "smoke", configRoot: dir + "/configs",
      workers: 2, showProgress: false)
    let config = try NMTExperimentConfig.load(
      context: context, overrides: ["baselines=[\"mt-only\",\"fine-tuned\",\"best-mix\"]"])
    let stage = NMTStage(config: config, context: context)

    let (baselines, report) = try stage.runBaselines()
    XCTAssertTrue(baselines.path.hasSuffix("artifacts/nmt/nmt-tiny-baselines/v0001.h5"))
    XCTAssertTrue(report.contains("fine-tuned"))
    let (autoloss, _) = try stage.runAutoLoss()
    let (transfer, _) = try stage.runTransfer()

    let file = try ArtifactReader.open(baselines, schema: NMTStage.schema, supportedVersions: 1...1)
    let summary = try file.root.group("summary")
    XCTAssertEqual(
      try summary.readStrings("schedule"), ["mix-0.50", "mix-0.80", "mix-1.00", "mt-only", "fine-tuned", "best-mix"])
    XCTAssertEqual(try summary.read("runs", as: Int32.self).values, [2, 2, 2, 2, 2, 2])
    let ppl = try summary.read("val_ppl_mean", as: Float.self).values
    XCTAssertTrue(ppl.allSatisfy { $0.isFinite && $0 > 1 })
    let run = try file.root.group("runs/fine-tuned/0001")
    XCTAssertEqual(try run.attribute("switch_step", as: Int64.self), 10)
    XCTAssertEqual(try run.attribute("switch_step_planned", as: Int64.self), 10)
    XCTAssertEqual(try run.read("actions", as: Int32.self).values.count, 20)
    XCTAssertEqual(try run.read("nmt_checks/step", as: Int32.self).values, [0, 5, 10, 15, 20])
    XCTAssertEqual(try run.shape(of: "nmt_checks/val_loss"), [5, 3])
    XCTAssertEqual(try run.shape(of: "features"), [20, 18])
    XCTAssertTrue(try run.attribute("test_bleu", as: Double.self).isFinite)
    XCTAssertEqual(try file.root.read("calibration/mt_probability", as: Float.self).values, [0.5, 0.8, 1])
    XCTAssertEqual(try file.root.group("calibration").shape(of: "val_ppl"), [3, 2])
    // The paired difference of MT only with itself is 0.
    XCTAssertEqual(try file.root.read("calibration/paired_mean", as: Float.self).values[2], 0)
    XCTAssertTrue(try file.root.attributeString("labels").contains("gold"))
    file.close()

    let a = try ArtifactReader.open(autoloss, schema: NMTStage.schema, supportedVersions: 1...1)
    XCTAssertTrue(a.root.contains("controllers/c1/actor.layer1.weight"))
    XCTAssertTrue(a.root.contains("controllers/c2/actor.layer1.weight"))
    XCTAssertEqual(try a.root.group("summary").readStrings("schedule"), ["autoloss-c1", "autoloss-c2"])
    // Two meta-episodes per controller, ε from 0.5 down the official schedule.
    XCTAssertEqual(try a.root.read("meta/c1/exploration", as: Float.self).values, [0.5, 0.4])
    for e in ["0000", "0001"] {
      let segments = try a.root.group("runs/autoloss-c2/\(e)/segments")
      XCTAssertEqual(try segments.read("step", as: Int32.self).values, [5, 10, 15, 20])
      XCTAssertEqual(try segments.shape(of: "policy_mean"), [4, 3])
    }
    a.close()

    let evaluation = try context.store.resolve(stage: "nmt", name: "nmt-tiny-evaluation")
    let ev = try ArtifactReader.open(evaluation, schema: NMTStage.schema, supportedVersions: 1...1)
    XCTAssertEqual(
      try ev.root.group("summary").readStrings("schedule"),
      ["autoloss-c1", "autoloss-c2", "mt-only", "best-mix", "fine-tuned", "mt-only-equal-mt-c1", "mt-only-equal-mt-c2"])
    let paired = try ev.root.group("paired")
    XCTAssertEqual(try paired.readStrings("baseline").count, 8)
    XCTAssertEqual(try paired.read("n", as: Int32.self).values, Array(repeating: 2, count: 8))
    XCTAssertTrue(try paired.read("val_mean", as: Float.self).values.allSatisfy(\.isFinite))
    // Equal MT updates: the MT-only run takes as many steps as the frozen controller took MT steps.
    let frozen = try ev.root.read("runs/autoloss-c1/0000/actions", as: Int32.self).values
    let equal = try ev.root.read("runs/mt-only-equal-mt-c1/0000/actions", as: Int32.self).values
    XCTAssertEqual(equal.count, max(frozen.filter { $0 == 0 }.count, 1))
    XCTAssertEqual(try Provenance.read(from: ev.root).inputs.count, 3)
    XCTAssertEqual(try ev.root.attributeString("evaluated_controller"), "final (after the last meta-episode)")
    ev.close()

    // `evaluatedController = average` acts with the mean of the controllers stored after the last
    // meta-episodes; `final` with the stored final controller (the last meta-episode's).
    let stored = try ArtifactReader.open(autoloss, schema: NMTStage.schema, supportedVersions: 1...1)
    let episodeStates = try ["0000", "0001"].map {
      try ParameterIO.read(from: try stored.root.group("runs/autoloss-c2/\($0)/controller"))
    }
    let finalState = try ParameterIO.read(from: try stored.root.group("controllers/c2"))
    stored.close()
    let final = try stage.loadControllers(featureCount: 18, actionCount: 3)
    XCTAssertEqual(final.controllers[1].1, finalState)
    XCTAssertEqual(finalState, episodeStates[1])
    var averaging = config
    averaging.evaluatedController = .average
    averaging.averageLastMetaEpisodes = 5  // more than stored: every stored meta-episode
    let averaged = try NMTStage(config: averaging, context: context).loadControllers(featureCount: 18, actionCount: 3)
    XCTAssertEqual(averaged.choice, "average of the controllers after meta-episodes 1-2")
    let weight = "actor.layer1.weight"
    let expected = zip(episodeStates[0][weight]!.data, episodeStates[1][weight]!.data).map { ($0 + $1) / 2 }
    XCTAssertEqual(averaged.controllers[1].1[weight]?.data, expected)
    XCTAssertNotEqual(expected, finalState[weight]!.data)
    averaging.averageLastMetaEpisodes = 1
    let last = try NMTStage(config: averaging, context: context).loadControllers(featureCount: 18, actionCount: 3)
    XCTAssertEqual(last.choice, "average of the controller after meta-episode 2")
    XCTAssertEqual(last.controllers[1].1, finalState)

    // Frozen, a run ends with the controller it started from; with `evaluationLearning`, each
    // run's copy keeps learning online.
    let frozenEvaluation = try ArtifactReader.open(evaluation, schema: NMTStage.schema, supportedVersions: 1...1)
    let frozenAfter = try ParameterIO.read(from: try frozenEvaluation.root.group("runs/autoloss-c2/0000/controller"))
    let frozenSeeds = try ["0000", "0001"].map {
      try frozenEvaluation.root.group("runs/mt-only/\($0)").attribute("seed", as: Int64.self)
    }
    XCTAssertEqual(try frozenEvaluation.root.attribute("evaluation_learning", as: Int64.self), 0)
    frozenEvaluation.close()
    XCTAssertEqual(frozenAfter, finalState)
    var learning = config
    learning.evaluationLearning = true
    learning.evaluationExploration = 0.1
    learning.evaluationBaselines = ["mt-only"]
    learning.evaluateEqualMTUpdates = false
    learning.evaluationSeedOffset = 1  // its seeds continue the frozen evaluation's: seed 1 is shared
    let (online, onlineText) = try NMTStage(config: learning, context: context).runEvaluation()
    XCTAssertTrue(onlineText.contains("learning online in each run"))
    let o = try ArtifactReader.open(online, schema: NMTStage.schema, supportedVersions: 1...1)
    XCTAssertEqual(try o.root.attribute("evaluation_learning", as: Int64.self), 1)
    XCTAssertEqual(try o.root.attribute("evaluation_exploration", as: Double.self), 0.1, accuracy: 1e-6)
    let onlineRun = try o.root.group("runs/autoloss-c2/0000")
    XCTAssertEqual(try onlineRun.attribute("controller_learning", as: Int64.self), 1)
    let onlineSeeds = try ["0000", "0001"].map {
      try o.root.group("runs/mt-only/\($0)").attribute("seed", as: Int64.self)
    }
    XCTAssertEqual(onlineSeeds[0], frozenSeeds[1])
    XCTAssertFalse(frozenSeeds.contains(onlineSeeds[1]))
    XCTAssertNotEqual(try ParameterIO.read(from: try onlineRun.group("controller")), finalState)
    XCTAssertGreaterThan(try onlineRun.read("segments/update_stats", as: Float.self).shape[0], 0)
    o.close()
    // The report says how the controllers of the latest evaluation acted.
    let folder = try ReportStage(context: context).run()
    let html = try String(contentsOfFile: folder + "/index.html", encoding: .utf8)
    XCTAssertTrue(
      html.contains("controllers: final (after the last meta-episode), ε 0.10, learning online in each run"), html)

    let t = try ArtifactReader.open(transfer, schema: NMTStage.schema, supportedVersions: 1...1)
    XCTAssertEqual(
      try t.root.group("summary").readStrings("schedule"),
      ["hidden6/autoloss", "hidden6/fine-tuned", "slice1of2/autoloss", "slice1of2/fine-tuned"])
    XCTAssertEqual(try Provenance.read(from: t.root).inputs.count, 2)
    t.close()
  }

  /// The meta-training stopped right after a meta-episode's snapshot (as a kill would leave it)
  /// and resumed equals the uninterrupted meta-training exactly: every run's numbers (wall times
  /// aside) and the final controllers, bit for bit.
  func testInterruptedMetaTrainingResumesExactly() throws {
    try writeTinyDataset()
    try write(
      "configs/smoke/nmt.json",
      text: """
        {
          "dataset": "nmt-tiny",
          "task": {
            "model": { "embeddingSize": 8, "hiddenSize": 8, "layers": 1, "bidirectional": false, "dropout": 0.1, "attention": "general" },
            "batchSize": 8, "learningRate": 0.01, "validateEvery": 5, "evaluationBatchSize": 12, "maxSteps": 15
          },
          "metaEpisodes": 3,
          "controllerSeeds": 2,
          "bleu": false,
          "ppo": { "minibatchSize": 8, "minibatchUpdates": 2 }
        }
        """)
    func stage(_ root: String, workers: Int) throws -> NMTStage {
      let context = StageContext(
        artifactRoot: dir + "/" + root, dataRoot: dir + "/data", profile: "smoke", configRoot: dir + "/configs",
        workers: workers, showProgress: false)
      return NMTStage(config: try NMTExperimentConfig.load(context: context, overrides: []), context: context)
    }
    /// A run's numbers: its Codable JSON with the wall and CPU times zeroed.
    func numbers(_ t: [NMTControllerTraining]) throws -> [Data] {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.sortedKeys]
      return try t.flatMap { c in
        try c.runs.map { r in
          var r = r
          (r.seconds, r.cpuSeconds, r.validationSeconds, r.finalEvaluationSeconds) = (0, 0, 0, 0)
          return try encoder.encode(r)
        } + [try encoder.encode(ParameterSet(c.controller)), try encoder.encode(c.exploration)]
      }
    }
    let straight = try stage("straight", workers: 1)
    let corpus = try straight.loadCorpus(straight.config)
    let (reference, resumedStraight) = try straight.trainControllers(corpus: corpus)
    XCTAssertEqual(resumedStraight, 0)
    XCTAssertEqual(reference.map(\.runs.count), [3, 3])

    // The snapshot at every meta-episode changes no number: one trainer kept in memory across the
    // meta-episodes (the loop before the snapshots) gives the same runs and controller.
    let c = straight.config
    let memory = PPOTrainer(
      featureCount: 18, actionCount: 3, config: c.ppo, seed: NMTRunner.seed(c.seed ^ 0xC0A7, 1))
    let memoryRuns = (0..<3).map { e in
      NMTRunner.run(
        NMTRunSpec(
          schedule: .autoLoss, label: "autoloss-c2", seed: NMTRunner.seed(c.seed, 3 + e), maxSteps: c.task.maxSteps,
          exploration: memory.exploration(episode: e)), corpus: corpus, config: c, progress: nil, trainer: memory)
    }
    let inMemory = NMTControllerTraining(
      number: 2, runs: memoryRuns, exploration: (0..<3).map { c.ppo.exploration(episode: $0) },
      controller: memory.stateDict())
    XCTAssertEqual(try numbers([inMemory]), try numbers([reference[1]]))

    let killed = try stage("killed", workers: 2)
    XCTAssertThrowsError(try killed.trainControllers(corpus: corpus, stopAfter: 1)) { error in
      XCTAssertTrue(error is NMTMetaTrainingStopped, "\(error)")
    }
    let work = killed.metaWorkDirectory
    XCTAssertTrue(FileManager.default.fileExists(atPath: work + "/meta-0000.h5"))
    XCTAssertFalse(FileManager.default.fileExists(atPath: work + "/meta-0001.h5"))
    let (resumed, resumedAfter) = try killed.trainControllers(corpus: corpus)
    XCTAssertEqual(resumedAfter, 1, "the rerun must continue after the saved meta-episode, not start over")
    XCTAssertEqual(try numbers(resumed), try numbers(reference))
    // Not vacuous: the controllers moved away from their start, and differ between seeds.
    XCTAssertNotEqual(try numbers([resumed[0]]), try numbers([resumed[1]]))
    XCTAssertGreaterThan(reference[0].runs.last?.updateStats.count ?? 0, 0)

    // The whole stage writes its artifact and removes the work folder.
    let (artifact, _) = try killed.runAutoLoss()
    XCTAssertTrue(artifact.path.hasSuffix("nmt-tiny-autoloss/v0001.h5"))
    XCTAssertFalse(FileManager.default.fileExists(atPath: work))
  }

  func testMissingDatasetNamesTheFile() throws {
    try write("configs/smoke/nmt.json", text: "{\"dataset\": \"nmt-none\"}")
    let context = StageContext(
      artifactRoot: dir + "/artifacts", dataRoot: dir + "/data", profile: "smoke", configRoot: dir + "/configs",
      showProgress: false)
    let stage = NMTStage(config: try NMTExperimentConfig.load(context: context, overrides: []), context: context)
    XCTAssertThrowsError(try stage.runBaselines()) { error in
      XCTAssertTrue("\(error)".contains("nmt-none.h5"), "\(error)")
    }
  }
}
