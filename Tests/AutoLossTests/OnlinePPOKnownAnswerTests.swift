import Engine
import XCTest

@testable import AutoLoss

final class OnlinePPOKnownAnswerTests: XCTestCase {
  /// The stand-in has something to learn: auxiliary updates once the main task overfits (the
  /// switch) or all along (the best constant mix) beat main only.
  func testStandInRewardsAuxiliaryUpdatesOverMainOnly() {
    let r = KnownAnswer.runOnlinePPOCheck(controllerSeeds: [], evaluationRuns: 2)
    XCTAssertLessThan(r.switchPerplexity, r.mainOnlyPerplexity - 0.5, "\(r)")
    XCTAssertLessThan(r.bestMixPerplexity, r.mainOnlyPerplexity - 0.5, "\(r)")
    XCTAssertLessThan(r.bestMixShare, 1)
    XCTAssertLessThan(r.bestMixPerplexity, r.untrainedPerplexity - 0.5, "\(r)")
    XCTAssertFalse(r.passed, "no controller was trained")
  }

  /// Only the trained task's features move, and the main task's validation loss rises past the onset.
  func testFeaturesFollowTheTrainedTaskAndMainOverfits() {
    let task = MultiTaskProgressTask(maxSteps: 400, checkEvery: 50, overfitOnset: 100, overfitRate: 3)
    task.reset(seed: 1)
    let start = task.features()
    task.step(1)
    let after = task.features()
    XCTAssertEqual(after[0], start[0], "main's training feature moved on an auxiliary step")
    XCTAssertNotEqual(after[2], start[2])
    for _ in 0..<399 { task.step(0) }
    XCTAssertEqual(task.checks.count, 9)
    XCTAssertGreaterThan(task.checks.last!.extra, task.checks[2].extra, "main did not overfit")
    XCTAssertEqual(task.mainShare, 399 / 400, accuracy: 1e-6)
  }

  /// Known answer for the online trainer: with the measured segment noise and an overfitting main
  /// task, PPO with the behaviour-probability ratio learns, in 10 meta-episodes, frozen controllers
  /// that beat main only and the untrained controller.
  func testOnlinePPOBeatsMainOnlyOnTheStandIn() {
    let r = KnownAnswer.runOnlinePPOCheck()
    XCTAssertTrue(r.passed, "\(r)")
    XCTAssertEqual(r.controllerPerplexity.count, 2)
  }
}
