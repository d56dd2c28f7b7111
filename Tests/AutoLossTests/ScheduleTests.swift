import Engine
import XCTest

@testable import AutoLoss

final class ScheduleTests: XCTestCase {
  func testFixedRatioPattern() {
    let task = ToyTask(maxSteps: 8)
    var schedule = FixedPattern.ratio(1, 3)
    let trace = runEpisode(task: task, schedule: &schedule, seed: 1)
    XCTAssertEqual(trace.actions, [0, 1, 1, 1, 0, 1, 1, 1])
    XCTAssertEqual(trace.actionFractions(actionCount: 2), [0.25, 0.75])
    XCTAssertEqual(schedule.name, "fixed 1:3")
  }

  func testWeightedRandomMatchesProbabilities() {
    let task = ToyTask(maxSteps: 4000)
    var schedule = WeightedRandom([0.8, 0.2])
    let trace = runEpisode(task: task, schedule: &schedule, seed: 2, options: EpisodeOptions(recordSteps: false))
    XCTAssertEqual(trace.actionFractions(actionCount: 2)[1], 0.2, accuracy: 0.03)
  }

  func testThresholdRatios() {
    let s = ToyTask().thresholdSignals
    XCTAssertEqual(ThresholdRule.ratio(.s1, s), 0)  // (1 - 1) / 1
    XCTAssertEqual(ThresholdRule.ratio(.s2, s), -0.5)  // (0.5 - 1) / 1
    XCTAssertEqual(ThresholdRule.ratio(.s3, s), 1)  // (2 - 1) / 1
    var unknown = s
    unknown.taskGradientNorm = .nan
    XCTAssertNil(ThresholdRule.ratio(.s3, unknown))
  }

  func testCollapseEndsEpisode() {
    let task = ToyTask(maxSteps: 100)
    var schedule = FixedPattern([1])
    let trace = runEpisode(task: task, schedule: &schedule, seed: 1, options: EpisodeOptions(collapseLength: 10))
    XCTAssertEqual(trace.outcome, "collapse")
    XCTAssertEqual(trace.steps, 11)
  }

  func testRecordsFeaturesAndProbabilities() {
    let task = ToyTask(maxSteps: 5)
    var schedule = JointObjective(weights: [0, 1], name: "joint")
    let trace = runEpisode(task: task, schedule: &schedule, seed: 1)
    XCTAssertEqual(trace.actions, [-1, -1, -1, -1, -1])
    XCTAssertEqual(trace.features.count, 10)
    XCTAssertEqual(trace.losses.count, 5)
    XCTAssertEqual(trace.outcome, "step cap")
  }
}

final class ValidationHistoryTests: XCTestCase {
  func testPatienceAndStepCap() {
    var h = ValidationHistory(patienceChecks: 2, maxSteps: 100)
    XCTAssertTrue(h.record(ValidationCheck(step: 0, error: 5)))
    XCTAssertTrue(h.record(ValidationCheck(step: 10, error: 4)))
    XCTAssertFalse(h.record(ValidationCheck(step: 20, error: 4)))  // equal is not better
    XCTAssertEqual(h.stopReason(stepCount: 20), "")
    XCTAssertFalse(h.record(ValidationCheck(step: 30, error: 6)))
    XCTAssertEqual(h.stopReason(stepCount: 30), "patience")
    XCTAssertEqual(h.bestError, 4)
    XCTAssertEqual(h.checks.count, 4)
    XCTAssertEqual(ValidationHistory(patienceChecks: 2, maxSteps: 100).stopReason(stepCount: 100), "step cap")
  }
}
