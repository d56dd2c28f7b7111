import Foundation
import Store
import XCTest

@testable import Pipeline

/// The task registry: names are unique, bad requests fail before any work with a message naming
/// what exists, and a stage run through the registry writes what the stage itself writes.
final class TaskRegistryTests: SmokeStageTestCase {
  func testFamilyAndStageNamesAreUnique() {
    let names = TaskRegistry.families.map(\.name)
    XCTAssertEqual(Set(names).count, names.count, "\(names)")
    XCTAssertEqual(names, ["regression", "classification", "scorer", "gan", "nmt", "known-answer"])
    for family in TaskRegistry.families {
      let stages = family.stages.map(\.name)
      XCTAssertFalse(stages.isEmpty, family.name)
      XCTAssertEqual(Set(stages).count, stages.count, "\(family.name): \(stages)")
      for stage in family.stages {
        let options = stage.options.map(\.name)
        XCTAssertEqual(Set(options).count, options.count, "\(family.name) \(stage.name): \(options)")
      }
    }
    XCTAssertEqual(try TaskRegistry.family("gan").stage("calibrate").name, "calibrate")
  }

  func testBadRequestsFailBeforeAnyWork() {
    let request = StageRequest(context: context())
    assertThrowsMentioning(["unknown task 'gann'", "tasks: regression, classification, scorer, gan, nmt"]) {
      try TaskRegistry.run(task: "gann", stage: "baselines", request)
    }
    assertThrowsMentioning(["task 'nmt' has no stage 'calibrate'", "its stages: baselines, train, transfer, all"]) {
      try TaskRegistry.run(task: "nmt", stage: "calibrate", request)
    }
    var withOption = request
    withOption.options = ["controler": "2"]
    assertThrowsMentioning(["stage 'regression train-controller' has no option 'controler'", "controller, drop, name"])
    {
      try TaskRegistry.run(task: "regression", stage: "train-controller", withOption)
    }
    var withSet = request
    withSet.overrides = ["seed=2"]
    assertThrowsMentioning(["task 'known-answer' has no config to override"]) {
      try TaskRegistry.run(task: "known-answer", stage: "check", withSet)
    }
    withOption.options = ["evaluation-episodes": "1"]
    assertThrowsMentioning(["option evaluation-episodes: expected an integer >= 2, found '1'"]) {
      try TaskRegistry.run(task: "known-answer", stage: "check", withOption)
    }
    XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/artifacts"), "a bad request wrote artifacts")
  }

  func testRegistryRunWritesWhatTheStageWrites() throws {
    try prepare("regression")
    let ctx = context()
    let lines = try TaskRegistry.run(task: "regression", stage: "baselines", StageRequest(context: ctx))
    XCTAssertEqual(lines, ["wrote \(ctx.artifactRoot)/baselines/regression/v0001.h5"])
    let inputs = try RegularizedStageInputs.load(kind: .regression, context: ctx, overrides: [])
    XCTAssertEqual(inputs.dataPath, "\(ctx.dataRoot)/regression.h5")
    let direct = try BaselineTuningStage(inputs).run()
    XCTAssertTrue(direct.path.hasSuffix("baselines/regression/v0002.h5"))
    // The chosen value of each tuned baseline (as text: untuned ones store NaN).
    func chosen(_ path: String) throws -> [String: String] {
      let file = try ArtifactReader.open(path, schema: BaselineTuningStage.schema, supportedVersions: 1...1)
      defer { file.close() }
      var out: [String: String] = [:]
      for method in try file.root.readStrings("methods") {
        let g = try file.root.group("methods_detail/\(method)")
        out[method] = g.hasAttribute("chosen") ? "\(try g.attribute("chosen", as: Double.self))" : "none"
      }
      return out
    }
    let viaRegistry = try chosen(ctx.artifactRoot + "/baselines/regression/v0001.h5")
    XCTAssertFalse(viaRegistry.isEmpty)
    XCTAssertEqual(viaRegistry, try chosen(direct.path))
  }
}
