import Foundation
import Store
import XCTest

@testable import Pipeline
@testable import Report

/// Absent optional parts and unreadable inputs are stated, never dropped or replaced in silence.
final class NoSilentFallbackTests: SmokeStageTestCase {
  func read(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

  /// A GAN transfer artifact with one target lacking `baseline_is` and no `wins`/`total`, and a
  /// corrupt scorer: the report still builds, says "missing: attribute baseline_is" and lists the
  /// corrupt scorer under "Skipped inputs".
  func testReportNamesMissingAttributesAndSkippedCorruptArtifact() throws {
    let ctx = context()
    let store = ctx.store
    let t = try store.writer(
      stage: "transfer", name: "gan-mnist",
      provenance: Provenance(schema: "autoloss/gan-transfer", schemaVersion: 1, config: "{}"))
    let full = try t.root.createGroup("targets/00")
    try full.setAttribute("target", "width 32")
    try full.setAttribute("autoloss_is", 5.0)
    try full.setAttribute("baseline_is", 4.0)
    let partial = try t.root.createGroup("targets/01")
    try partial.setAttribute("target", "width 64")
    try partial.setAttribute("autoloss_is", 3.0)
    let transfer = try t.commit()
    // A baselines artifact (no schedules) so that the GAN section is built for gan-mnist.
    let b = try store.writer(
      stage: "baselines", name: "gan-mnist",
      provenance: Provenance(schema: "autoloss/gan-baselines", schemaVersion: 1, config: "{}"))
    _ = try b.root.createGroup("schedules")
    try b.commit()
    let scorerDir = ctx.artifactRoot + "/scorers/mnist"
    try FileManager.default.createDirectory(atPath: scorerDir, withIntermediateDirectories: true)
    try Data("not hdf5".utf8).write(to: URL(fileURLWithPath: scorerDir + "/v0001.h5"))

    let folder = try ReportStage(context: ctx).run()
    let md = try read(folder + "/report.md")
    XCTAssertTrue(md.contains("Skipped inputs"))
    XCTAssertTrue(md.contains("\(transfer.path) (attribute baseline_is)"), "missing attribute not listed")
    XCTAssertTrue(md.contains("missing: attribute baseline_is"))
    XCTAssertTrue(md.contains("missing: attribute wins"))
    XCTAssertTrue(md.contains(scorerDir + "/v0001.h5"), "corrupt scorer not listed as skipped")
    // wins/total recounted from the rows (documented fallback), the partial row counts as no win.
    XCTAssertTrue(md.contains("AutoLoss wins on 1 of 2 targets"))
  }

  func testOptionalReadsNoteAbsenceAndReturnPresentValues() throws {
    let file = try HDF5File.create(dir + "/parts.h5")
    defer { file.close() }
    let g = try file.root.createGroup("run00")
    try g.setAttribute("final_is", 4.5)
    try g.write("curve", [Float(1), 2], shape: [2])
    let inputs = ReportInputs(store: context().store)
    XCTAssertEqual(try inputs.optionalAttribute(g, "final_is", as: Double.self), 4.5)
    XCTAssertEqual(try inputs.optionalValues(g, "curve", as: Float.self), [1, 2])
    XCTAssertTrue(inputs.skipped.isEmpty)
    XCTAssertNil(try inputs.optionalAttribute(g, "best_is_ema", as: Double.self))
    XCTAssertNil(try inputs.optionalValues(g, "steps", as: Int32.self))
    XCTAssertNil(try inputs.optionalGroup(g, "checks"))
    XCTAssertEqual(
      inputs.skipped.map(\.reason),
      [
        "missing: attribute best_is_ema (first seen in /run00)", "missing: dataset steps (first seen in /run00)",
        "missing: group checks (first seen in /run00)",
      ])
    // The same part absent in a second group of the file is listed once.
    let h = try file.root.createGroup("run01")
    XCTAssertNil(try inputs.optionalAttribute(h, "best_is_ema", as: Double.self))
    XCTAssertEqual(inputs.skipped.count, 3)
  }

  func testListThrowsOnAnUnlistablePathAndIsEmptyForAnAbsentOne() throws {
    XCTAssertEqual(try FileManagerShim.list(dir + "/absent"), [])
    let file = dir + "/plain.txt"
    try Data("x".utf8).write(to: URL(fileURLWithPath: file))
    XCTAssertThrowsError(try FileManagerShim.list(file)) { error in
      XCTAssertTrue("\(error)".contains("\(file): cannot list folder"), "\(error)")
    }
  }

  func testInconsistentNMTCalibrationIsAnError() throws {
    let file = try HDF5File.create(dir + "/calibration.h5")
    defer { file.close() }
    XCTAssertNil(try StoredNMTCalibration.read(from: file.root))
    let g = try file.root.createGroup("calibration")
    try g.write("mt_probability", [Float(0.5), 1], shape: [2])
    try g.write("val_ppl", [Float(9), 8, 7], shape: [3])
    try g.write("test_ppl", [Float(9), 8, 7], shape: [3])
    XCTAssertThrowsError(try StoredNMTCalibration.read(from: file.root)) { error in
      XCTAssertTrue("\(error)".contains("/calibration: expected val_ppl with a non-zero multiple of 2"), "\(error)")
    }
  }
}
