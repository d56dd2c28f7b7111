import Foundation
import Pipeline
import Tasks
import XCTest

/// The one config system: profile resolution, range checks and type errors (the CLI tests run the
/// same cases through the binary).
final class ConfigSystemTests: PipelineTempDirTestCase {
  /// The repository's `configs/`.
  var repoConfigs: String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("configs").path
  }

  func context(_ profile: String, configs: String? = nil) -> StageContext {
    StageContext(profile: profile, configRoot: configs ?? repoConfigs, showProgress: false)
  }

  /// Every shipped profile loads and passes its checks (a check that rejects a shipped config is a bug).
  func testEveryShippedProfilePassesItsChecks() throws {
    XCTAssertEqual(try Profiles.available(configRoot: repoConfigs), ["long", "paper", "quick", "smoke"])
    for profile in ["smoke", "quick", "long", "paper"] {
      let c = context(profile)
      for kind in RegularizedTaskKind.allCases {
        XCTAssertNoThrow(try RegularizedExperimentConfig.load(kind: kind, context: c, overrides: []), profile)
      }
      XCTAssertNoThrow(try GANExperimentConfig.load(context: c, overrides: []), profile)
      XCTAssertNoThrow(try ScorerConfig.load(context: c, overrides: []), profile)
      for name in ["nmt", "nmt-de-en"] {
        XCTAssertNoThrow(try NMTExperimentConfig.load(name: name, context: c, overrides: []), "\(profile) \(name)")
      }
    }
  }

  func testMissingProfileListsTheAvailableOnes() {
    XCTAssertThrowsError(try GANExperimentConfig.load(context: context("smok"), overrides: [])) { error in
      XCTAssertEqual(
        "\(error)", "profile 'smok': not found under \(repoConfigs)/; available profiles: long, paper, quick, smoke")
    }
  }

  func testMissingFileListsTheProfilesConfigs() throws {
    try write("configs/tiny/regression.json", text: "{}")
    XCTAssertThrowsError(try ScorerConfig.load(context: context("tiny", configs: dir + "/configs"), overrides: [])) {
      XCTAssertTrue("\($0)".contains("scorer.json not found; this profile has: regression"), "\($0)")
    }
  }

  func testRangeErrorsNameKeyValueAndRange() {
    let cases: [(String, String)] = [
      ("task.validateEvery=0", "config key 'task.validateEvery': expected an integer >= 1, found 0"),
      (
        "controller.baselineDecay=1.5",
        "config key 'controller.baselineDecay': expected in [0, 1), found 1.5"
      ),
      (
        "ablationGroups=[\"gradients\"]",
        "config key 'ablationGroups': expected names from progress, gradient, loss, validation, found \"gradients\""
      ),
      ("dgsLambdaHigh=0.001", "config key 'dgsLambdaHigh': expected a number >= dgsLambdaLow (0.01), found 0.001"),
    ]
    for (override, message) in cases {
      XCTAssertThrowsError(
        try RegularizedExperimentConfig.load(kind: .regression, context: context("smoke"), overrides: [override])
      ) { XCTAssertTrue("\($0)".hasPrefix(message), "\(override): \($0)") }
    }
  }

  func testTypeErrorsNameTheKey() {
    let cases: [(String, String)] = [
      ("task.lambda=\"x\"", "config key 'task.lambda': expected a number, found the string \"x\""),
      ("task.maxSteps=2.5", "config key 'task.maxSteps': expected a value of the type of its default"),
      ("thresholdGrid=[1,true]", "config key 'thresholdGrid[1]': expected a number, found true"),
      (
        "controller.algorithm=\"ppo\"",
        "config key 'controller.algorithm': expected one of reinforce, antithetic, found the string \"ppo\"",
      ),
    ]
    for (override, message) in cases {
      XCTAssertThrowsError(
        try RegularizedExperimentConfig.load(kind: .regression, context: context("smoke"), overrides: [override])
      ) { XCTAssertTrue("\($0)".hasPrefix(message), "\(override): \($0)") }
    }
  }

  /// NMT's `workers` comes from `--workers` (StageContext); the profile or `--set` may not set it.
  func testNMTWorkersComeFromTheContextOnly() throws {
    var c = context("smoke")
    c.workers = 3
    XCTAssertEqual(try NMTExperimentConfig.load(context: c, overrides: []).workers, 3)
    XCTAssertThrowsError(try NMTExperimentConfig.load(context: c, overrides: ["workers=4"])) {
      XCTAssertTrue("\($0)".contains("set by the command line option --workers"), "\($0)")
    }
  }
}
