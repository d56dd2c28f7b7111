import Foundation
import Pipeline
import Store
import XCTest

final class InspectTests: PipelineTempDirTestCase {
  /// A trace file: 3 episodes of 20 steps, 2 actions, 2 losses.
  func writeTrace() throws -> String {
    let path = dir + "/trace.h5"
    let file = try HDF5File.create(path)
    let root = file.root
    try Provenance(
      schema: "autoloss/controller-run", schemaVersion: 1, config: "task: regression\nsteps: 20\n", seed: 7
    )
    .write(to: root)
    try root.writeStrings("action_names", ["MSE", "L1"])
    try root.writeStrings("loss_names", ["mse", "l1"])
    try root.writeStrings("feature_names", ["f0"])
    for e in 0..<3 {
      let g = try root.createGroup(String(format: "episodes/%04d", e))
      let t = 20
      let actions = (0..<t).map { Int32(($0 + e) % 4 == 0 ? 1 : 0) }
      try g.write("actions", actions, shape: [t])
      try g.write("probabilities", (0..<t).flatMap { _ in [Float(0.75), 0.25] }, shape: [t, 2])
      try g.write("features", [Float](repeating: 0.5, count: t), shape: [t, 1])
      try g.write("losses", (0..<t).flatMap { [Float($0) + 0.5, Float(e)] }, shape: [t, 2])
      try g.write("checks/step", [Int32(9), 19], shape: [2])
      try g.write("checks/error", [Float(4.5), 4.25], shape: [2])
      try g.setAttribute("reward", Double(100 + e))
      try g.setAttribute("baseline", Double(99))
      try g.setAttribute("advantage", Double(e))
      try g.setAttribute("best_error", Double(4.25))
      try g.setAttribute("steps", Int64(t))
      try g.setAttribute("outcome", "converged")
    }
    file.close()
    return path
  }

  func testEpisodeTableAndTree() throws {
    let text = try ArtifactInspector.render(try writeTrace())
    XCTAssertTrue(text.contains("schema: autoloss/controller-run (version 1)"), text)
    XCTAssertTrue(text.contains("seed: 7"), text)
    XCTAssertTrue(text.contains("  task: regression"), text)
    XCTAssertTrue(text.contains("probabilities  float32 [20, 2]"), text)
    XCTAssertTrue(text.contains("episodes: 3"), text)
    XCTAssertTrue(text.contains("%MSE"), text)
    XCTAssertTrue(text.contains("%L1"), text)
    XCTAssertTrue(text.contains("converged"), text)
    // Episode 1: actions 1 at steps 3, 7, 11, 15, 19 -> 0.25 L1.
    let row = try XCTUnwrap(
      text.split(separator: "\n").first {
        $0.hasPrefix("      1") || $0.trimmingCharacters(in: .whitespaces).hasPrefix("1  20")
      })
    XCTAssertTrue(row.contains("101"), String(row))
    XCTAssertTrue(row.contains("0.75") && row.contains("0.25"), String(row))
  }

  func testEpisodeSteps() throws {
    let path = try writeTrace()
    let all = try ArtifactInspector.render(path, options: .init(episode: 2, maxRows: 50))
    XCTAssertTrue(all.contains("episode 0002: steps 20, reward 102"), all)
    XCTAssertTrue(all.contains("p(MSE)"), all)
    XCTAssertTrue(all.contains("mse"), all)
    XCTAssertTrue(all.contains("19.5"), all)
    XCTAssertTrue(all.contains("validation checks: 2"), all)
    let sampled = try ArtifactInspector.render(path, options: .init(episode: 2, maxRows: 5))
    XCTAssertTrue(sampled.contains("showing 5 evenly spaced"), sampled)
    let stepLines = sampled.split(separator: "\n").filter { $0.contains("0.750") }
    XCTAssertEqual(stepLines.count, 5)
    XCTAssertTrue(stepLines.last!.trimmingCharacters(in: .whitespaces).hasPrefix("19"))
    assertThrowsMentioning(["no episode 9", "0000...0002"]) {
      try ArtifactInspector.render(path, options: .init(episode: 9))
    }
  }

  func testPreparedDatasetInspects() throws {
    var o = PrepOptions()
    o.dataDir = dir
    let result = try DatasetPrep.prepare("regression", options: o)
    let text = try ArtifactInspector.render(result.path)
    XCTAssertTrue(text.contains("schema: autoloss/dataset (version 1)"), text)
    XCTAssertTrue(text.contains("controller_train/"), text)
    XCTAssertTrue(text.contains("@noise_floor_mse"), text)
    XCTAssertTrue(text.contains("x  float32 [200, 16]"), text)
  }

  /// An artifact folder, or its `latest` pointer, inspects the version `latest` names.
  func testFolderAndLatestPointerMeanTheLatestVersion() throws {
    let folder = dir + "/artifacts/controllers/toy"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    try FileManager.default.moveItem(atPath: try writeTrace(), toPath: folder + "/v0002.h5")
    try write("artifacts/controllers/toy/latest", text: "v0002.h5\n")
    for path in [folder, folder + "/latest"] {
      let text = try ArtifactInspector.render(path)
      XCTAssertTrue(text.hasPrefix("file: \(folder)/v0002.h5\n"), text)
      XCTAssertTrue(text.contains("episodes: 3"), text)
    }
    let empty = dir + "/artifacts/controllers/empty"
    try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
    assertThrowsMentioning([empty, "no artifact versions"]) { try ArtifactInspector.render(empty) }
  }

  func testBadFilesAreClearErrors() throws {
    let text = try write("notes.txt", text: "hello, not HDF5\n")
    assertThrowsMentioning([text, "not an HDF5 file"]) { try ArtifactInspector.render(text) }
    assertThrowsMentioning([dir + "/missing.h5", "not found"]) { try ArtifactInspector.render(dir + "/missing.h5") }
  }
}
