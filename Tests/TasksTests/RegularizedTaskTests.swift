import AutoLoss
import Engine
import XCTest

@testable import Tasks

final class RegularizedTaskTests: XCTestCase {
  func testRegressionLearnsTowardsNoiseFloor() {
    let (data, _) = TaskFixtures.regression()
    // A larger step size than the paper's 5e-4 keeps this test short in debug builds.
    var config = RegularizedTaskConfig.regression
    config.learningRate = 5e-3
    config.maxSteps = 3000
    config.patienceChecks = 30
    let task = RegularizedTask(kind: .regression, data: data, config: config)
    var schedule = FixedPattern.ratio(1, 1)
    let trace = runEpisode(task: task, schedule: &schedule, seed: 3, options: EpisodeOptions(evaluateTest: true))
    let initial = trace.checks[0].error
    XCTAssertGreaterThan(initial, 8)
    // Noise variance is 4; with L1 steps the quadratic model gets near it.
    XCTAssertLessThan(trace.bestValidationError, 5.5)
    XCTAssertLessThan(trace.testError, 6)
    // Without L1 the 272-parameter model overfits 200 samples and stops far above the floor.
    var mseOnly = FixedPattern([0])
    let unregularized = runEpisode(task: task, schedule: &mseOnly, seed: 3)
    XCTAssertGreaterThan(unregularized.bestValidationError, trace.bestValidationError)
    XCTAssertTrue(["patience", "step cap"].contains(trace.outcome))
    XCTAssertEqual(trace.actions.count, trace.steps)
  }

  func testValidationEveryTenStepsAndPatienceStops() {
    let (data, _) = TaskFixtures.regression(n: 50)
    var config = RegularizedTaskConfig.regression
    config.patienceChecks = 3
    config.maxSteps = 500
    let task = RegularizedTask(kind: .regression, data: data, config: config)
    task.reset(seed: 1)
    var steps = 0
    // Only L1 steps: the validation error never improves much, so patience ends the run early.
    while !task.isFinished {
      task.step(1)
      steps += 1
    }
    XCTAssertEqual(task.checks.map(\.step).prefix(3), [0, 10, 20])
    XCTAssertLessThan(steps, 500)
    XCTAssertEqual(task.stopReason, "patience")
  }

  func testL1StepsShrinkWeights() {
    let (data, _) = TaskFixtures.regression(n: 50)
    let task = RegularizedTask(kind: .regression, data: data)
    task.reset(seed: 1)
    let before = task.latestLosses[1]
    for _ in 0..<50 { task.step(1) }
    XCTAssertLessThan(task.latestLosses[1], before)
  }

  func testSameSeedSameRun() {
    let (data, _) = TaskFixtures.regression(n: 50)
    let task = RegularizedTask(kind: .regression, data: data)
    var a = WeightedRandom([0.7, 0.3])
    let first = runEpisode(task: task, schedule: &a, seed: 9)
    let second = runEpisode(task: task, schedule: &a, seed: 9)
    XCTAssertEqual(first.actions, second.actions)
    XCTAssertEqual(first.bestValidationError, second.bestValidationError)
  }

  func testClassificationBeatsChanceAndFeaturesAreFinite() {
    let task = RegularizedTask(kind: .classification, data: TaskFixtures.classification())
    var schedule = FixedPattern.ratio(1, 1)
    let trace = runEpisode(task: task, schedule: &schedule, seed: 4, options: EpisodeOptions(evaluateTest: true))
    XCTAssertLessThan(trace.bestValidationError, 0.2)
    XCTAssertLessThan(trace.testError, 0.25)
    XCTAssertEqual(trace.features.count, trace.steps * task.featureNames.count)
    XCTAssertTrue(trace.features.allSatisfy(\.isFinite))
    XCTAssertLessThanOrEqual(trace.steps, 2000)
  }

  func testJointObjectiveAndRewardShapes() {
    let task = RegularizedTask(kind: .classification, data: TaskFixtures.classification())
    XCTAssertEqual(task.reward(bestValidationError: 0.1), -1000 / 0.9, accuracy: 1e-3)
    XCTAssertEqual(task.reward(bestValidationError: 0.7), -2000, accuracy: 1e-3)
    let regression = RegularizedTask(kind: .regression, data: TaskFixtures.regression(n: 20).0)
    XCTAssertEqual(regression.reward(bestValidationError: 4), 5000, accuracy: 1e-3)
    var joint = JointObjective(weights: [1, 0.5], name: "DGS")
    let trace = runEpisode(task: task, schedule: &joint, seed: 1)
    XCTAssertTrue(trace.actions.allSatisfy { $0 == -1 })
  }

  func testThresholdRuleUsesSignals() {
    let (data, _) = TaskFixtures.regression(n: 50)
    let task = RegularizedTask(kind: .regression, data: data)
    var always = ThresholdRule(.s3, threshold: -10)
    var never = ThresholdRule(.s3, threshold: 1e9)
    let a = runEpisode(task: task, schedule: &always, seed: 1)
    let b = runEpisode(task: task, schedule: &never, seed: 1)
    // The task gradient norm is unknown until the first task step, so every rule starts with it.
    XCTAssertEqual(a.actions.first, 0)
    XCTAssertTrue(a.actions.dropFirst().allSatisfy { $0 == 1 })
    XCTAssertEqual(b.actionFractions(actionCount: 2)[0], 1)
    // A threshold inside the ratio's range mixes both actions (the L1 norm is known at every step).
    var mixed = ThresholdRule(.s3, threshold: -0.5)
    let m = runEpisode(task: task, schedule: &mixed, seed: 1)
    let f = m.actionFractions(actionCount: 2)
    XCTAssertGreaterThan(f[0], 0)
    XCTAssertGreaterThan(f[1], 0)
  }
}
