import Foundation
import Pipeline
import Store
import XCTest

final class PrepSyntheticTests: PipelineTempDirTestCase {
  func options(seed: UInt64? = nil) -> PrepOptions {
    var o = PrepOptions()
    o.dataDir = dir + "/data"
    o.seed = seed
    return o
  }

  func testRegressionLayout() throws {
    let result = try DatasetPrep.prepare("regression", options: options())
    XCTAssertEqual(result.path, dir + "/data/regression.h5")
    let root = try DatasetFiles.open(result.path).root
    XCTAssertEqual(try root.attribute("noise_std", as: Double.self), 2.0)
    XCTAssertEqual(try root.read("true_w", as: Float.self).shape, [16])
    XCTAssertEqual(try root.attribute("seed", as: Int64.self), 1)
    for name in DatasetFiles.syntheticSplits {
      let group = try root.group(name)
      XCTAssertEqual(try group.read("x", as: Float.self).shape, [200, 16])
      XCTAssertEqual(try group.read("y", as: Float.self).shape, [200])
      let floor = try group.attribute("noise_floor_mse", as: Double.self)
      XCTAssertGreaterThan(floor, 2.5)
      XCTAssertLessThan(floor, 6)
    }
    XCTAssertEqual(result.summary.count, 6)
    // Same seed, same data.
    var again = options()
    again.name = "regression-again"
    let second = try DatasetFiles.open(try DatasetPrep.prepare("regression", options: again).path).root
    XCTAssertEqual(try second.read("test/y", as: Float.self).values, try root.read("test/y", as: Float.self).values)
  }

  func testClassificationSeedsAndLayout() throws {
    let first = try DatasetPrep.prepare("classification", options: options())
    XCTAssertEqual(first.path, dir + "/data/classification.h5")
    let second = try DatasetPrep.prepare("classification", options: options(seed: 2))
    XCTAssertEqual(second.path, dir + "/data/classification-seed2.h5")
    let a = try DatasetFiles.open(first.path).root
    let b = try DatasetFiles.open(second.path).root
    for (name, n) in zip(DatasetFiles.syntheticSplits, [200, 1000, 200, 1000, 1000]) {
      XCTAssertEqual(try a.read("\(name)/x", as: Float.self).shape, [n, 32])
      let labels = try a.read("\(name)/labels", as: Int32.self)
      XCTAssertEqual(labels.shape, [n])
      XCTAssertTrue(labels.values.allSatisfy { $0 == 0 || $0 == 1 })
    }
    XCTAssertNotEqual(try a.read("test/x", as: Float.self).values, try b.read("test/x", as: Float.self).values)
    XCTAssertEqual(try b.attribute("seed", as: Int64.self), 2)
  }

  func testUnknownDatasetIsAClearError() {
    assertThrowsMentioning(["unknown dataset 'mnsit'", "mnist"]) {
      try DatasetPrep.prepare("mnsit", options: options())
    }
  }

  /// Standard tools read what we write.
  func testH5DumpReadsAPreparedFile() throws {
    let h5dump = "/usr/bin/h5dump"
    guard FileManager.default.isExecutableFile(atPath: h5dump) else { throw XCTSkip("h5dump is not installed") }
    let result = try DatasetPrep.prepare("regression", options: options())
    let process = Process()
    process.executableURL = URL(fileURLWithPath: h5dump)
    process.arguments = ["-H", result.path]
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    XCTAssertEqual(process.terminationStatus, 0, output)
    XCTAssertTrue(output.contains("controller_validation"), output)
    XCTAssertTrue(output.contains("noise_floor_mse"), output)
  }

  func testPrepAllPlansEveryFetchableDatasetAndFourClassificationSeeds() throws {
    var options = PrepOptions()
    options.dataDir = "d"
    let runs = try DatasetPrep.runs("all", options: options)
    XCTAssertEqual(
      runs.map(\.dataset),
      ["regression", "classification", "classification", "classification", "classification", "mnist", "fashion-mnist"]
        + ["nmt-tr-en", "nmt-de-en"])
    XCTAssertEqual(runs.filter { $0.dataset == "classification" }.map(\.options.seed), [1, 2, 3, 4])
    XCTAssertEqual(
      runs.map(DatasetPrep.outputPath).prefix(3),
      ["d/regression.h5", "d/classification.h5", "d/classification-seed2.h5"])
    XCTAssertEqual(try DatasetPrep.runs("mnist", options: options).map(\.dataset), ["mnist"])
    options.name = "mine"
    assertThrowsMentioning(["--name and --from apply to one dataset"]) { try DatasetPrep.runs("all", options: options) }
  }
}
