import Foundation
import Pipeline
import Store
import XCTest

/// `prep regression|classification` on tiny fixtures in the layout of scripts/data/official_synthetic.py.
final class OfficialSyntheticTests: PipelineTempDirTestCase {
  let splits = ["controller_train", "controller_validation", "task_train", "task_validation", "test"]

  func options(source: String? = nil) -> PrepOptions {
    var o = PrepOptions()
    o.dataDir = dir + "/data"
    o.rawDir = dir + "/raw"
    o.syntheticSource = source
    return o
  }

  /// d = 2, w = (0.5, -0.25); two samples per split with residuals 1 and -3 (noise floor 5).
  func writeRegressionFixture() throws {
    try write("raw/official-synthetic/regression/true_w.csv", text: "w0,w1\n0.5,-0.25\n")
    for (i, name) in splits.enumerated() {
      let x0 = Double(i)
      let y0 = 0.5 * x0 - 0.25 * 2 + 1
      let y1 = 0.5 * 4 - 0.25 * x0 - 3
      try write(
        "raw/official-synthetic/regression/\(name).csv",
        text: "x0,x1,y\n\(x0),2.0,\(y0)\n4.0,\(x0),\(y1)\n")
    }
  }

  func testRegressionOfficialFilesAreReadAndRecorded() throws {
    try writeRegressionFixture()
    let result = try DatasetPrep.prepare("regression", options: options())
    let root = try DatasetFiles.open(result.path).root
    XCTAssertEqual(try root.attributeString("data_source"), "official")
    XCTAssertEqual(try root.read("true_w", as: Float.self).values, [0.5, -0.25])
    XCTAssertEqual(try root.read("test/x", as: Float.self).values, [4, 2, 4, 4])
    XCTAssertEqual(try root.read("test/y", as: Float.self).values, [2.5, -2])
    XCTAssertEqual(try root.group("test").attribute("noise_floor_mse", as: Double.self), 5, accuracy: 1e-6)
    XCTAssertTrue(result.summary[0].contains("official"))
  }

  func testGeneratedSourceIgnoresOfficialFiles() throws {
    try writeRegressionFixture()
    let root = try DatasetFiles.open(try DatasetPrep.prepare("regression", options: options(source: "generated")).path)
      .root
    XCTAssertEqual(try root.attributeString("data_source"), "generated")
    XCTAssertEqual(try root.read("true_w", as: Float.self).shape, [16])
  }

  func testDefaultIsGeneratedWhenOfficialFilesAreAbsent() throws {
    let root = try DatasetFiles.open(try DatasetPrep.prepare("regression", options: options()).path).root
    XCTAssertEqual(try root.attributeString("data_source"), "generated")
  }

  func testOfficialRequestedButMissingIsAClearError() {
    assertThrowsMentioning(["official-synthetic", "missing", "make data"]) {
      try DatasetPrep.prepare("classification", options: self.options(source: "official"))
    }
    assertThrowsMentioning(["--source", "official or generated", "'numpy'"]) {
      try DatasetPrep.prepare("regression", options: self.options(source: "numpy"))
    }
  }

  func testClassificationOfficialFilesAndBadLabels() throws {
    for name in splits {
      try write(
        "raw/official-synthetic/classification-seed1/\(name).csv", text: "x0,x1,x2,label\n0.5,1,2,1\n-1,0.25,3,0\n")
    }
    let root = try DatasetFiles.open(try DatasetPrep.prepare("classification", options: options()).path).root
    XCTAssertEqual(try root.attributeString("data_source"), "official")
    XCTAssertEqual(try root.read("test/x", as: Float.self).values, [0.5, 1, 2, -1, 0.25, 3])
    XCTAssertEqual(try root.read("test/labels", as: Int32.self).values, [1, 0])
    try write("raw/official-synthetic/classification-seed1/test.csv", text: "x0,x1,x2,label\n0.5,1,2,2\n")
    assertThrowsMentioning(["test.csv:2", "label 0 or 1", "2.0"]) {
      try DatasetPrep.prepare("classification", options: self.options())
    }
    try write("raw/official-synthetic/classification-seed1/test.csv", text: "x0,x1,x2,label\n0.5,1,2\n")
    assertThrowsMentioning(["test.csv:2", "4 fields", "3"]) {
      try DatasetPrep.prepare("classification", options: self.options())
    }
  }
}
