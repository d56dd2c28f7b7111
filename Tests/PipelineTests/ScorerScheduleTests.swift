import Pipeline
import XCTest

/// The scorer's learning-rate schedule and its config checks.
final class ScorerScheduleTests: PipelineTempDirTestCase {
  func testCosineRunsFromTheLearningRateToTheFinalOne() {
    var config = ScorerConfig()
    config.steps = 101
    config.learningRate = 1e-3
    config.finalLearningRate = 1e-5
    config.learningRateSchedule = .cosine
    XCTAssertEqual(config.learningRate(atStep: 0), 1e-3, accuracy: 1e-9)
    XCTAssertEqual(config.learningRate(atStep: 50), (1e-3 + 1e-5) / 2, accuracy: 1e-8)
    XCTAssertEqual(config.learningRate(atStep: 100), 1e-5, accuracy: 1e-9)
    let rates = (0..<101).map { config.learningRate(atStep: $0) }
    XCTAssertTrue(zip(rates, rates.dropFirst()).allSatisfy { $0 >= $1 }, "the cosine schedule only decreases")
  }

  func testConstantIsTheDefaultSoOlderConfigsKeepTheirMeaning() {
    let config = ScorerConfig()
    XCTAssertEqual(config.learningRateSchedule, .constant)
    XCTAssertEqual(config.learningRate(atStep: 0), config.learningRate(atStep: config.steps - 1))
  }

  func testBadScheduleSettingsNameTheKey() throws {
    try write("configs/tiny/scorer.json", text: #"{ "learningRateSchedule": "cosine", "finalLearningRate": 0.01 }"#)
    let context = StageContext(profile: "tiny", configRoot: dir + "/configs", showProgress: false)
    XCTAssertThrowsError(try ScorerConfig.load(context: context, overrides: [])) {
      XCTAssertTrue("\($0)".contains("config key 'finalLearningRate'"), "\($0)")
    }
    XCTAssertThrowsError(
      try ScorerConfig.load(context: context, overrides: ["learningRateSchedule=\"linear\"", "finalLearningRate=0"])
    ) {
      XCTAssertTrue(
        "\($0)".contains(
          "config key 'learningRateSchedule': expected one of constant, cosine, found the string \"linear\""),
        "\($0)")
    }
  }
}
