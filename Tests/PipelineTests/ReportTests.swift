import AutoLoss
import Foundation
import Statistics
import Store
import Tasks
import XCTest

@testable import Pipeline
@testable import Report

/// The report stage on tiny smoke-profile artifacts made in a temp folder, on an empty artifacts
/// folder, and on hand-written GAN artifacts.
final class ReportTests: SmokeStageTestCase {

  func read(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

  func assertSelfContained(_ html: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertFalse(html.contains("http://"), "index.html references http://", file: file, line: line)
    XCTAssertFalse(html.contains("https://"), "index.html references https://", file: file, line: line)
    XCTAssertFalse(html.contains("<script"), file: file, line: line)
    XCTAssertFalse(html.contains("<link"), file: file, line: line)
  }

  /// Regression stages on even smaller sizes than smoke, then the report.
  func testReportFromSmokeRegressionArtifacts() throws {
    try prepare("regression")
    let ctx = context()
    let config = try RegularizedExperimentConfig.load(
      kind: .regression, context: ctx,
      overrides: [
        "task.maxSteps=60", "task.patienceChecks=2", "controller.episodes=2", "controller.patienceEpisodes=2",
        "dgsRuns=2",
        "thresholdGrid=[0]", "ratioGrid=[0.3]", "sweepLambdas=[0.1,0.4]", "sweepEpisodes=1",
      ])
    let data = "\(ctx.dataRoot)/regression.h5"
    try ControllerTrainingStage(kind: .regression, config: config, context: ctx, name: "regression", dataPath: data)
      .run()
    try BaselineTuningStage(kind: .regression, config: config, context: ctx, name: "regression", dataPath: data).run()
    try EvaluationStage(kind: .regression, config: config, context: ctx, name: "regression", dataPath: data).run()
    try ExperimentStages(kind: .regression, config: config, context: ctx).lambdaSweep()

    let folder = try ReportStage(context: ctx).run()
    XCTAssertTrue(folder.hasSuffix("report/v0001"))
    let html = try read(folder + "/index.html")
    let md = try read(folder + "/report.md")
    assertSelfContained(html)
    XCTAssertTrue(html.contains("<svg"))
    XCTAssertTrue(html.contains("Table 1 (regression)"))
    XCTAssertTrue(html.contains("best constant ratio"))
    XCTAssertTrue(html.contains("MSE − 3.94"))
    XCTAssertTrue(html.contains("our floor"))
    XCTAssertTrue(html.contains("Verdict:"))
    XCTAssertTrue(md.contains("| AutoLoss c1 |"))
    XCTAssertTrue(html.contains("Paired comparisons (regression)"))
    XCTAssertTrue(html.contains("What the controller learned (regression)"))
    XCTAssertTrue(md.contains("figure1-regression.svg"))
    // Charts are saved beside report.md, as standalone SVG.
    let svg = try read(folder + "/figure1-regression.svg")
    XCTAssertTrue(svg.contains("<svg xmlns="))
    XCTAssertTrue(FileManager.default.fileExists(atPath: folder + "/schedule-regression.svg"))
    XCTAssertTrue(FileManager.default.fileExists(atPath: folder + "/controller-regression-reward.svg"))
    // Absent parts are reported, not fatal.
    XCTAssertTrue(
      html.contains("not run in this pipeline: no artifact at \(ctx.artifactRoot)/evaluation/classification/"))
    XCTAssertTrue(
      html.contains("not run in this pipeline: no artifact at \(ctx.artifactRoot)/transfer/classification/"))
    XCTAssertTrue(html.contains("not run in this pipeline: no artifact at \(ctx.artifactRoot)/nmt/"))
    // Provenance names the evaluation artifact with its hash prefix.
    let evaluation = try ctx.store.resolve(stage: "evaluation", name: "regression")
    XCTAssertTrue(html.contains(String(evaluation.sha256.prefix(12))))
    // A second report is a new version; the first is untouched.
    let second = try ReportStage(context: ctx).run()
    XCTAssertTrue(second.hasSuffix("report/v0002"))
    XCTAssertEqual(try read(folder + "/index.html"), html)
    XCTAssertEqual(
      try FileManager.default.contentsOfDirectory(atPath: ctx.artifactRoot + "/report").filter { $0.hasPrefix(".") },
      [".lock"]
    )
  }

  func testEmptyArtifactsFolderGivesAReportOfMissingParts() throws {
    let folder = try ReportStage(context: context()).run()
    let html = try read(folder + "/index.html")
    assertSelfContained(html)
    for part in [
      "Table 1 regression", "Table 2", "Table 3 (regression)", "Figure 1 (regression)", "GAN (Figure 2, Figure 4)",
      "NMT (Figure 3)",
    ] {
      XCTAssertTrue(html.contains("\(part): not run in this pipeline"), "missing note for \(part)")
    }
    XCTAssertTrue(html.contains("no verdict can be computed"))
    XCTAssertTrue(try read(folder + "/report.md").contains("not run in this pipeline"))
  }

  func testCorruptArtifactIsReportedNotFatal() throws {
    let ctx = context()
    let dir = ctx.artifactRoot + "/evaluation/regression"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    try Data("not hdf5".utf8).write(to: URL(fileURLWithPath: dir + "/v0001.h5"))
    let folder = try ReportStage(context: ctx).run()
    let html = try read(folder + "/index.html")
    XCTAssertTrue(html.contains("could not be built from the artifacts"))
    XCTAssertTrue(html.contains(dir + "/v0001.h5"))
  }

  /// Hand-written GAN artifacts in the layout of the GAN stages.
  func testGANSectionFromArtifacts() throws {
    let ctx = context()
    let store = ctx.store
    func trace(_ isValues: [Float], pG: Float) -> EpisodeTrace {
      var t = EpisodeTrace()
      let steps = 40
      t.actions = (0..<steps).map { Int32($0 % 2) }
      t.probabilities = (0..<steps).flatMap { _ in [1 - pG, pG] }
      t.checks = isValues.enumerated().map {
        ValidationCheck(step: ($0.offset + 1) * 10, error: 1 / $0.element, extra: $0.element)
      }
      t.steps = steps
      t.bestValidationError = 1 / (isValues.max() ?? 1)
      t.outcome = "patience"
      return t
    }
    func writeRun(_ g: HDF5Group, _ t: EpisodeTrace, final: Double) throws {
      try TraceIO.write(t, to: g, actionCount: 2, featureCount: 9, lossCount: 2)
      try g.setAttribute("final_is", final)
      try g.setAttribute("best_is_ema", Double(1 / t.bestValidationError))
    }
    let prov = { (schema: String) in Provenance(schema: schema, schemaVersion: 1, config: "{}") }
    let b = try store.writer(stage: "baselines", name: "gan-mnist", provenance: prov("autoloss/gan-baselines"))
    try b.root.setAttribute("best_random_p_g", 0.7)
    try b.root.setAttribute("scale_note", "tiny test sizes")
    for (key, name, values) in [("d1-g1", "1:1", [Float(2), 3, 4]), ("d1-g5", "1:5", [Float(2), 2.5, 3])] {
      let g = try b.root.createGroup("schedules/\(key)")
      try g.setAttribute("name", name)
      try writeRun(try g.createGroup("run00"), trace(values, pG: 0.5), final: Double(values.last ?? 0))
      try writeRun(
        try g.createGroup("run01"), trace(values.map { $0 + 0.2 }, pG: 0.5), final: Double((values.last ?? 0) + 0.2))
    }
    let baselines = try b.commit()
    let grids = (baselines.path as NSString).deletingPathExtension + "-grids"
    try FileManager.default.createDirectory(atPath: grids, withIntermediateDirectories: true)
    try PNGWriter.writeGrid(
      images: [Float](repeating: 0.5, count: 4 * 4 * 4), count: 4, height: 4, width: 4, channels: 1,
      to: grids + "/d1-g1-run0-step000030.png")
    let e = try store.writer(stage: "evaluation", name: "gan-mnist", provenance: prov("autoloss/gan-evaluation"))
    try e.root.setAttribute("target_is", 4.1)
    try writeRun(try e.root.createGroup("autoloss/run00"), trace([3, 4.5, 5], pG: 0.8), final: 5)
    try writeRun(try e.root.createGroup("autoloss/run01"), trace([3, 4.2, 4.8], pG: 0.8), final: 4.8)
    try e.commit()
    let t = try store.writer(stage: "transfer", name: "gan-mnist", provenance: prov("autoloss/gan-transfer"))
    for (i, (a, c)) in [(5.0, 4.0), (3.0, 3.5)].enumerated() {
      let g = try t.root.createGroup(String(format: "targets/%02d", i))
      try g.setAttribute("target", "mnist DCGAN (width \(32 * (i + 1)))")
      try g.setAttribute("autoloss_is", a)
      try g.setAttribute("baseline_is", c)
    }
    try t.root.setAttribute("wins", Int64(1))
    try t.root.setAttribute("total", Int64(2))
    try t.commit()

    let folder = try ReportStage(context: ctx).run()
    let html = try read(folder + "/index.html")
    assertSelfContained(html)
    XCTAssertTrue(html.contains("Converged IS per schedule"))
    XCTAssertTrue(html.contains("9.0549"))  // the paper's AutoLoss IS beside ours
    XCTAssertTrue(html.contains("data:image/png;base64,"))
    XCTAssertTrue(html.contains("AutoLoss wins on 1 of 2 targets"))
    XCTAssertTrue(html.contains("GAN mnist (converged IS, higher is better): AutoLoss 4.900"))
    XCTAssertTrue(html.contains("gan-mnist-transfer-bars.svg") || html.contains("Architecture transfer"))
    XCTAssertTrue(html.contains("not run in this pipeline: no artifact at \(ctx.artifactRoot)/controllers/gan-mnist/"))
    XCTAssertTrue(FileManager.default.fileExists(atPath: folder + "/grid-d1-g1-run0-step000030.png"))
    XCTAssertTrue(FileManager.default.fileExists(atPath: folder + "/gan-mnist-is-curves.svg"))
  }

  /// The antithetic pairs of a GAN controller training: the learning curve and the within-pair
  /// slope and residual beside the calibration's assumptions.
  func testGANPairDiagnosticsFromControllerEpisodes() throws {
    let ctx = context()
    let prov = { (schema: String) in Provenance(schema: schema, schemaVersion: 1, config: "{}") }
    let c = try ctx.store.writer(
      stage: "controllers", name: "gan-mnist-c1", provenance: prov(GANControllerStage.schema))
    try c.root.setAttribute("algorithm", "antithetic")
    try c.root.setAttribute("episodes_per_update", Int64(1))
    // Three updates, one ± pair each: shares (0.6, 0.4), (0.7, 0.5), (0.5, 0.6); IS differences 0.5, 0.3, −0.2.
    // A fourth pair has a collapsed episode (IS 0) and must be left out.
    let episodes: [(update: Int64, share: Int, finalIS: Double)] = [
      (0, 6, 3.5), (0, 4, 3.0), (1, 7, 3.6), (1, 5, 3.3), (2, 5, 3.1), (2, 6, 3.3), (3, 9, 0), (3, 1, 3.2),
    ]
    for (i, e) in episodes.enumerated() {
      let g = try c.root.createGroup(String(format: "episodes/%04d", i))
      try g.setAttribute("update", e.update)
      try g.setAttribute("seed", Int64(100 + e.update))
      try g.setAttribute("final_is", e.finalIS)
      try g.setAttribute("reward", 10 * e.finalIS * e.finalIS)
      try g.setAttribute("failed", Int32(e.finalIS == 0 ? 1 : 0))
      try g.write("actions", (0..<10).map { Int32($0 < e.share ? 1 : 0) }, shape: [10])
    }
    try c.commit()
    let cal = try ctx.store.writer(
      stage: ReportSchemas.ganCalibrationStage, name: "gan-mnist", provenance: prov(ReportSchemas.ganCalibration))
    try cal.root.setAttribute("slope", 3.25)
    try cal.root.setAttribute("pair_noise", 0.23)
    let runs = try cal.root.createGroup("runs")
    try runs.writeStrings("schedule", ["1:1", "1:1", "1:5", "1:5"])
    try runs.write("p_g", [Float(0.5), 0.5, 0.83, 0.83], shape: [4])
    try runs.write("draw", [Int32](repeating: 0, count: 4), shape: [4])
    try runs.write("final_is", [Float(3.0), 3.2, 4.1, 4.3], shape: [4])
    try cal.commit()

    let html = try read(try ReportStage(context: ctx).run() + "/index.html")
    XCTAssertTrue(html.contains("GAN controller training: what its antithetic pairs measured"), "no pair table")
    // ΔP(G) = 0.2, 0.2, −0.1 and ΔIS = 0.5, 0.3, −0.2: slope Σxy/Σx² = 0.18/0.09 = 2.00.
    let fit = GANStats.slopeThroughOrigin(x: [0.2, 0.2, -0.1], y: [0.5, 0.3, -0.2])
    XCTAssertEqual(fit.slope, 2, accuracy: 1e-9)
    XCTAssertTrue(html.contains("2.00 ± \(ReportFormat.number(fit.standardError, digits: 2))"), "slope cell")
    XCTAssertTrue(html.contains("<td>0.167</td>"), "mean |ΔP(G)| cell")
    XCTAssertTrue(html.contains("slope 3.25 between fixed schedules, pair noise 0.23"), "calibration note")
  }

  /// The known-answer section: a note when the stage has not run; the table and the failed check otherwise.
  func testKnownAnswerSection() throws {
    let ctx = context()
    var html = try read(try ReportStage(context: ctx).run() + "/index.html")
    XCTAssertTrue(
      html.contains(
        "Known-answer check: not run in this pipeline: no artifact at \(ctx.artifactRoot)/known-answer/suite/"))
    let row = KnownAnswerRow(
      algorithm: "antithetic", correctFraction: 0.5, bestConstantRatio: 0.4, margin: 0.001, standardError: 0.01,
      targetRatio: 0.7, realizedRatio: 0.69, meanProbability: 0.7, stateEpisodes: 400, ratioEpisodes: 400, seconds: 2,
      statePassed: false, ratioPassed: true)
    let w = try ctx.store.writer(
      stage: KnownAnswerStage.stage, name: KnownAnswerStage.name,
      provenance: Provenance(schema: KnownAnswerStage.schema, schemaVersion: 1, config: "{}"))
    try w.root.setAttribute("criteria", KnownAnswerStage.criteria)
    try w.root.setAttribute("verdict", KnownAnswerStage.verdict([row]))
    try w.root.writeStrings("trainer_names", [row.algorithm])
    try row.write(to: try w.root.createGroup("trainers/antithetic"), rewards: [1, 2], constantRewards: [1, 2])
    try w.commit()
    html = try read(try ReportStage(context: ctx).run() + "/index.html")
    XCTAssertTrue(html.contains("Known-answer tasks: one row per controller trainer"))
    XCTAssertTrue(html.contains("Known-answer check: failed: antithetic state-dependent task (50.0 % correct"))
    XCTAssertTrue(html.contains("0.690 (p* 0.70)"))
  }

  /// Writes a report of an existing artifacts folder named by AUTOLOSS_REPORT_ARTIFACTS (for looking at real output).
  func testReportOnExistingArtifacts() throws {
    guard let artifacts = ProcessInfo.processInfo.environment["AUTOLOSS_REPORT_ARTIFACTS"] else {
      throw XCTSkip("set AUTOLOSS_REPORT_ARTIFACTS to a folder of artifacts to report on")
    }
    let folder = try ReportStage(context: StageContext(artifactRoot: artifacts, profile: "smoke", showProgress: false))
      .run()
    assertSelfContained(try read(folder + "/index.html"))
  }

  func testSVGChartsEscapeTextAndDrawEveryPart() {
    let line = ReportSVG.lineChart(
      title: "a < b & c", xLabel: "x", yLabel: "y",
      series: [ChartSeries(name: "s", x: [0, 1, 2], y: [1, 2, .nan], errors: [0.1, 0.2, 0.3])])
    XCTAssertTrue(line.hasPrefix("<svg "))
    XCTAssertTrue(line.contains("a &lt; b &amp; c"))
    XCTAssertTrue(line.contains("<polyline"))
    XCTAssertFalse(line.contains("nan"))
    let bars = ReportSVG.barChart(
      title: "t", yLabel: "IS", categories: ["a", "b"], series: [("x", [1, 2], []), ("y", [2, 1], [0.1, 0.1])])
    XCTAssertEqual(bars.components(separatedBy: "<rect").count - 1, 5)  // frame + 4 bars
    let schedule = ReportSVG.schedulePicture(
      title: "s", probabilities: [Float](repeating: 0.5, count: 2000), actions: (0..<1000).map { Int32($0 % 2) },
      actionNames: ["MSE", "L1"])
    XCTAssertEqual(schedule.components(separatedBy: "<polygon").count - 1, 2)
    XCTAssertTrue(ReportSVG.standalone(schedule).contains("xmlns="))
    XCTAssertEqual(ReportSVG.tickLabels([1, 1.0005, 1.001]).map(\.1), ["1.0000", "1.0005", "1.0010"])
    XCTAssertEqual(ReportSVG.tickLabels([0, 2.5, 5]).map(\.1), ["0", "2.5", "5.0"])
    XCTAssertEqual(ReportSVG.tickLabels([0, 20, 40]).map(\.1), ["0", "20", "40"])
  }

  /// The report imports no stage: the schema and stage names it reads must equal the writers' own.
  func testReportSchemaNamesEqualTheWritingStages() {
    XCTAssertEqual(ReportSchemas.evaluation, EvaluationStage.schema)
    XCTAssertEqual(ReportSchemas.baselineTuning, BaselineTuningStage.schema)
    XCTAssertEqual(ReportSchemas.controllerRun, ControllerTrainingStage.schema)
    XCTAssertEqual(ReportSchemas.experiment, ExperimentStages.schema)
    XCTAssertEqual(ReportSchemas.learnedAnalysis, LearnedAnalysis.schema)
    XCTAssertEqual(ReportSchemas.knownAnswer, KnownAnswerStage.schema)
    XCTAssertEqual(ReportSchemas.knownAnswerStage, KnownAnswerStage.stage)
    XCTAssertEqual(ReportSchemas.knownAnswerName, KnownAnswerStage.name)
    XCTAssertEqual(ReportSchemas.ganCalibration, GANCalibrationStage.schema)
    XCTAssertEqual(ReportSchemas.ganCalibrationStage, GANCalibrationStage.stage)
    XCTAssertEqual(ReportBuilder.nmtSchema, NMTStage.schema)
    let gan = ReportBuilder.ganSchemas
    XCTAssertEqual(
      [gan.controller, gan.baselines, gan.evaluation, gan.transfer, gan.scorer],
      [
        GANControllerStage.schema, GANBaselinesStage.schema, GANEvaluationStage.schema, GANTransferStage.schema,
        ScorerArtifact.schema,
      ])
  }
}
