import Engine
import XCTest

@testable import AutoLoss

final class ControllerTests: XCTestCase {
  func testProbabilitiesMatchTapeComputation() {
    var rng = SeededRandom(seed: 3)
    let controller = Controller(featureCount: 4, actionCount: 3, hidden: 16, temperature: 2, rng: &rng)
    let x: [Float] = [0.5, -1, 2, 0.1]
    let p = controller.probabilities(x)
    let logp = controller.logProbabilities(Tensor(shape: [1, 4], data: x)).value
    for j in 0..<3 { XCTAssertEqual(p[j], exp(logp.data[j]), accuracy: 1e-5) }
    XCTAssertEqual(p.reduce(0, +), 1, accuracy: 1e-5)
  }

  func testTemperatureFlattensPolicy() {
    var r1 = SeededRandom(seed: 4)
    var r2 = SeededRandom(seed: 4)
    let sharp = Controller(featureCount: 2, actionCount: 2, hidden: 0, temperature: 0.1, rng: &r1)
    let flat = Controller(featureCount: 2, actionCount: 2, hidden: 0, temperature: 10, rng: &r2)
    let x: [Float] = [3, -3]
    XCTAssertGreaterThan(abs(sharp.probabilities(x)[0] - 0.5), abs(flat.probabilities(x)[0] - 0.5))
  }

  func testFeatureMaskZeroesDroppedFeatures() {
    var rng = SeededRandom(seed: 5)
    let c = Controller(featureCount: 2, actionCount: 2, hidden: 4, featureMask: [true, false], rng: &rng)
    XCTAssertEqual(c.probabilities([1, 5]), c.probabilities([1, -7]))
  }

  func testReinforceLearnsTheBetterAction() {
    var config = ReinforceConfig()
    config.episodes = 150
    config.patienceEpisodes = 1000
    config.learningRate = 0.05
    config.temperature = 1
    config.advantageClip = 20
    config.baselineDecay = 0.8
    let task = ToyTask(maxSteps: 20)
    let trainer = ReinforceTrainer(task: task, config: config, seed: 7)
    let before = trainer.controller.probabilities([0.5, 1])[1]
    var fractions: [Float] = []
    while !trainer.isFinished {
      let e = trainer.runNextEpisode()
      fractions.append(e.trace.actionFractions(actionCount: 2)[1])
    }
    let after = trainer.controller.probabilities([0.5, 1])[1]
    XCTAssertGreaterThan(after, before)
    XCTAssertGreaterThan(after, 0.8)
    let late = fractions.suffix(20).reduce(0, +) / 20
    XCTAssertGreaterThan(late, fractions.prefix(20).reduce(0, +) / 20)
  }

  func testSnapshotRestoreRepeatsTheRun() throws {
    var config = ReinforceConfig()
    config.episodes = 6
    config.learningRate = 0.05
    let a = ReinforceTrainer(task: ToyTask(), config: config, seed: 9)
    for _ in 0..<3 { _ = a.runNextEpisode() }
    let snapshot = a.snapshot()
    let b = ReinforceTrainer(task: ToyTask(), config: config, seed: 9)
    try b.restore(snapshot)
    let ea = a.runNextEpisode()
    let eb = b.runNextEpisode()
    XCTAssertEqual(ea.trace.actions, eb.trace.actions)
    XCTAssertEqual(ea.advantage, eb.advantage)
    XCTAssertEqual(a.controller.stateDict(), b.controller.stateDict())
  }

  func testBaselineAndClipFollowTheOfficialCode() {
    var config = ReinforceConfig()
    config.baselineDecay = 0.8
    config.advantageClip = 0.05
    let trainer = ReinforceTrainer(task: ToyTask(), config: config, seed: 1)
    let first = trainer.runNextEpisode()
    XCTAssertEqual(first.baseline, first.reward)  // baseline starts at the first reward
    XCTAssertEqual(first.advantage, 0)
    let second = trainer.runNextEpisode()
    let expected = 0.8 * first.reward + 0.2 * second.reward
    XCTAssertEqual(second.baseline, expected, accuracy: 1e-4)
    XCTAssertLessThanOrEqual(abs(second.advantage), 0.05)
  }

  func testDenseStepRewardAddsPerSegmentTerms() {
    var config = ReinforceConfig()
    config.denseStepReward = true
    let trainer = ReinforceTrainer(task: ToyTask(), config: config, seed: 1)
    var trace = EpisodeTrace()
    trace.actions = [0, 0, 0, 0]
    trace.checks = [
      ValidationCheck(step: 0, error: 1), ValidationCheck(step: 2, error: 0.5), ValidationCheck(step: 4, error: 0.6),
    ]
    let w = trainer.stepWeights(trace: trace, advantage: 1)
    XCTAssertGreaterThan(w[0], 1)
    XCTAssertEqual(w[0], w[1])
    XCTAssertLessThan(w[2], 1)
  }
}
