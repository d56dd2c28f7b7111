import Engine
import Foundation
import XCTest

@testable import AutoLoss

final class ControllerTrainerTests: XCTestCase {
  func quickConfig() -> ControllerTrainerConfig {
    var c = ControllerTrainerConfig()
    c.episodes = 12
    c.episodesPerUpdate = 3
    c.learningRate = 0.05
    c.temperature = 1
    c.averageLast = 2
    return c
  }

  func testSlotCountsGiveIdenticalWeights() throws {
    for algorithm in ControllerAlgorithm.allCases {
      var config = quickConfig()
      config.algorithm = algorithm
      let one = try makeTrainer(config, slots: 1)
      let two = try makeTrainer(config, slots: 2)
      let u1 = try runToEnd(one)
      let u2 = try runToEnd(two)
      XCTAssertEqual(one.controller.stateDict(), two.controller.stateDict(), "\(algorithm)")
      // Everything but the wall time.
      func timeless(_ u: [ControllerUpdate]) -> [EpisodeResult] {
        u.flatMap(\.episodes).map {
          var e = $0
          e.seconds = 0
          return e
        }
      }
      XCTAssertTrue(timeless(u1) == timeless(u2), "\(algorithm): episodes differ")
      XCTAssertEqual(u1.map(\.advantages), u2.map(\.advantages), "\(algorithm)")
      XCTAssertNotEqual(one.controller.stateDict(), one.untrainedWeights, "\(algorithm) never stepped")
    }
  }

  func testResumeThroughCodableGivesExactlyEqualWeights() throws {
    for algorithm in ControllerAlgorithm.allCases {
      var config = quickConfig()
      config.algorithm = algorithm
      config.episodes = 24
      config.evaluated = .average
      let straight = try makeTrainer(config)
      _ = try runToEnd(straight)

      let first = try makeTrainer(config)
      while first.episodesDone < 12 { try first.runNextUpdate() }
      let data = try JSONEncoder().encode(first.snapshot())
      let snapshot = try JSONDecoder().decode(ControllerTrainerSnapshot.self, from: data)
      XCTAssertEqual(snapshot, first.snapshot())
      let resumed = try makeTrainer(config)
      try resumed.restore(snapshot)
      _ = try runToEnd(resumed)

      XCTAssertEqual(resumed.controller.stateDict(), straight.controller.stateDict(), "\(algorithm)")
      XCTAssertEqual(resumed.evaluatedWeights(), straight.evaluatedWeights(), "\(algorithm)")
      XCTAssertEqual(resumed.snapshot(), straight.snapshot(), "\(algorithm)")
    }
  }

  func testRestoreRejectsAnotherSeed() throws {
    let a = try makeTrainer(quickConfig(), seed: 1)
    let b = try makeTrainer(quickConfig(), seed: 2)
    XCTAssertThrowsError(try b.restore(a.snapshot()))
  }

  func testNaNEpisodeGetsThePenaltyAndReinitializes() throws {
    var config = quickConfig()
    config.episodesPerUpdate = 1
    config.episodes = 3
    config.collapseAdvantage = -7
    config.reinitializeOnCollapse = true
    let probe = try makeTrainer(config, task: { PoisonTask(poisoned: []) })
    let poisoned: Set<UInt64> = [probe.episodeSeed(1)]
    let trainer = try makeTrainer(config, task: { PoisonTask(poisoned: poisoned) })
    let first = try trainer.runNextUpdate()
    XCTAssertFalse(first.episodes[0].failed)
    XCTAssertEqual(trainer.baseline, first.episodes[0].reward)
    let before = trainer.controller.stateDict()
    let second = try trainer.runNextUpdate()
    XCTAssertEqual(second.episodes[0].outcome, "non-finite loss")
    XCTAssertTrue(second.episodes[0].failed)
    XCTAssertEqual(second.advantages, [-7])
    XCTAssertTrue(second.reinitialized)
    XCTAssertEqual(trainer.reinitializations, 1)
    XCTAssertEqual(trainer.failedEpisodes, 1)
    XCTAssertEqual(trainer.baseline, first.episodes[0].reward, "a failed episode leaves the baseline alone")
    XCTAssertNotEqual(trainer.controller.stateDict(), before)
    XCTAssertEqual(trainer.bestEpisode, 0)
  }

  func testNaNPenaltyStepsWithoutReinitialization() throws {
    var config = quickConfig()
    config.episodesPerUpdate = 1
    config.episodes = 1
    config.collapseAdvantage = -3
    let probe = try makeTrainer(config, task: { PoisonTask(poisoned: []) })
    let poisoned: Set<UInt64> = [probe.episodeSeed(0)]
    let trainer = try makeTrainer(config, task: { PoisonTask(poisoned: poisoned) })
    let update = try trainer.runNextUpdate()
    XCTAssertEqual(update.advantages, [-3])
    XCTAssertFalse(update.reinitialized)
    XCTAssertNil(trainer.baseline)
    XCTAssertEqual(trainer.bestEpisode, -1)
    // Penalized actions become less likely.
    let action = Int(update.episodes[0].trace.actions[0])
    XCTAssertLessThan(
      trainer.controller.probabilities([1])[action], trainer.untrainedController.probabilities([1])[action])
  }

  func testCollapseEndsTheEpisodeWithThePenalty() throws {
    var config = quickConfig()
    config.episodesPerUpdate = 2
    config.episodes = 2
    config.collapseLength = 3
    config.collapseAdvantage = -5
    config.zeroInitialOutput = true
    // A 1-step-flipping signal never repeats the right action; a uniform policy repeats some action
    // more than 3 times within 50 steps with near certainty.
    let trainer = try makeTrainer(config)
    let update = try trainer.runNextUpdate()
    for (e, a) in zip(update.episodes, update.advantages) where e.outcome == "collapse" {
      XCTAssertEqual(a, -5)
      XCTAssertLessThanOrEqual(e.trace.actions.count, 50)
    }
    XCTAssertTrue(update.episodes.contains { $0.outcome == "collapse" })
  }

  /// Antithetic: a collapsed episode (R = 0) counts as worse than its successful partner by the
  /// reward gap plus the penalty, not by the penalty alone.
  func testAntitheticFailedEpisodeIsWorseThanItsPartnerByAtLeastThePenalty() throws {
    var config = ControllerTrainerConfig()
    config.algorithm = .antithetic
    config.hidden = 0
    config.zeroInitialOutput = true
    config.antitheticSigma = 0.1
    config.episodes = 2
    config.collapseAdvantage = -20
    // The perturbation that prefers action 1 collapses with R = 0; its partner earns R = 90.
    let episode: EpisodeFunction = { controller, seed, _ in
      let collapses = controller.probabilities([1])[1] > 0.5
      var trace = EpisodeTrace()
      trace.outcome = collapses ? "collapse" : "step cap"
      return EpisodeResult(index: 0, seed: seed, trace: trace, reward: collapses ? 0 : 90)
    }
    let trainer = try ControllerTrainer(
      config: config, featureCount: 1, actionCount: 2, featureGroups: [("constant", [0])], seed: 3,
      executor: LocalExecutor(slots: 1), episode: episode)
    let update = try trainer.runNextUpdate()
    XCTAssertEqual(update.episodes.filter(\.failed).count, 1)
    let plusFailed = update.episodes[0].failed
    XCTAssertEqual(update.advantages[0], (plusFailed ? -110 : 110) / 0.2, accuracy: 1e-3)
    XCTAssertEqual(update.advantages[1], -update.advantages[0])
    // The step moves away from the collapsing side.
    XCTAssertLessThan(trainer.controller.probabilities([1])[1], 0.5)
  }

  func testZeroInitialOutputIsExactlyUniform() throws {
    var config = quickConfig()
    config.zeroInitialOutput = true
    for hidden in [0, 16] {
      config.hidden = hidden
      let trainer = try makeTrainer(config)
      XCTAssertEqual(trainer.controller.probabilities([1, 0.3]), [0.5, 0.5])
      XCTAssertEqual(trainer.untrainedController.probabilities([-1, 0.9]), [0.5, 0.5])
    }
  }

  func testEvaluatedControllerChoices() throws {
    var config = quickConfig()
    config.episodes = 9
    config.averageLast = 2
    var weights: [EvaluatedControllerChoice: [String: Tensor]] = [:]
    for choice in EvaluatedControllerChoice.allCases {
      config.evaluated = choice
      let trainer = try makeTrainer(config)
      var history: [[String: Tensor]] = []
      var used: [[String: Tensor]] = []
      while !trainer.isFinished {
        used.append(trainer.controller.stateDict())
        try trainer.runNextUpdate()
        history.append(trainer.controller.stateDict())
      }
      switch choice {
      case .final:
        XCTAssertEqual(trainer.evaluatedWeights(), trainer.controller.stateDict())
      case .average:
        for (name, t) in trainer.evaluatedWeights() {
          let a = history[history.count - 2][name]!.data
          let b = history[history.count - 1][name]!.data
          XCTAssertEqual(t.data, zip(a, b).map { ($0 + $1) / 2 }, name)
        }
      case .bestEpisode:
        let update = trainer.bestEpisode / config.episodesPerUpdate
        XCTAssertEqual(trainer.evaluatedWeights(), used[update])
      }
      XCTAssertEqual(trainer.evaluatedController().stateDict(), trainer.evaluatedWeights())
      weights[choice] = trainer.evaluatedWeights()
    }
    XCTAssertNotEqual(weights[.final], weights[.average])
  }

  func testUntrainedWeightsAreKept() throws {
    let trainer = try makeTrainer(quickConfig())
    let initial = trainer.controller.stateDict()
    _ = try runToEnd(trainer)
    XCTAssertNotEqual(trainer.controller.stateDict(), initial)
    XCTAssertEqual(trainer.untrainedWeights, initial)
    XCTAssertEqual(trainer.untrainedController.stateDict(), initial)
    XCTAssertEqual(trainer.snapshot().untrained, ParameterSet(initial))
  }

  func testBaselineAndClipFollowTheOfficialCode() throws {
    var config = quickConfig()
    config.episodesPerUpdate = 2
    config.baselineDecay = 0.8
    config.advantageClip = 0.05
    let trainer = try makeTrainer(config)
    let u = try trainer.runNextUpdate()
    let (r0, r1) = (u.episodes[0].reward, u.episodes[1].reward)
    XCTAssertEqual(u.baselines[0], r0)  // the baseline starts at the first reward
    XCTAssertEqual(u.advantages[0], 0)
    XCTAssertEqual(u.baselines[1], 0.8 * r0 + 0.2 * r1)
    XCTAssertLessThanOrEqual(abs(u.advantages[1]), 0.05)
  }

  func testAdvantageFloorKeepsTheSign() {
    XCTAssertEqual(clippedAdvantage(reward: 1.2, baseline: 1, clip: 20, floor: 1), 1)
    XCTAssertEqual(clippedAdvantage(reward: 0.8, baseline: 1, clip: 20, floor: 1), -1)
    XCTAssertEqual(clippedAdvantage(reward: 50, baseline: 1, clip: 20, floor: 1), 20)
  }

  func testDenseStepRewardAddsPerSegmentTerms() throws {
    var config = quickConfig()
    config.denseStepReward = true
    let trainer = try makeTrainer(config)
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

  func testEpisodeResultRoundTripsNaNThroughJSON() throws {
    var trace = EpisodeTrace()
    trace.actions = [1, -1]
    trace.losses = [.nan, .infinity]
    trace.checks = [ValidationCheck(step: 1, error: .nan)]
    let result = EpisodeResult(
      index: 3, seed: 9, trace: trace, reward: .nan, extras: ["final_is": [-.infinity, 1.5]], seconds: 0.25)
    let back = try JSONDecoder().decode(EpisodeResult.self, from: try JSONEncoder().encode(result))
    XCTAssertEqual(back, result)
    XCTAssertTrue(back.reward.isNaN)
    XCTAssertTrue(back.trace.checks[0].error.isNaN)
    XCTAssertTrue(back.failed)
  }

  func testConfigErrorsNameTheKey() throws {
    var config = ControllerTrainerConfig()
    config.baselineDecay = 1.5
    XCTAssertThrowsError(try config.validate()) { XCTAssertTrue("\($0)".contains("controller.baselineDecay")) }
    config = ControllerTrainerConfig()
    config.droppedFeatureGroups = ["nope"]
    XCTAssertThrowsError(try makeTrainer(config)) { XCTAssertTrue("\($0)".contains("nope")) }
    var tree = try JSONSerialization.jsonObject(with: JSONEncoder().encode(ControllerTrainerConfig())) as? [String: Any]
    tree?["algorithm"] = "antithetic"
    tree?["evaluated"] = "best-episode"
    let decoded = try JSONDecoder().decode(
      ControllerTrainerConfig.self, from: JSONSerialization.data(withJSONObject: tree ?? [:]))
    XCTAssertEqual(decoded.algorithm, .antithetic)
    XCTAssertEqual(decoded.evaluated, .bestEpisode)
  }

  func testJointScheduleOnATaskWithoutJointObjectiveIsAnError() {
    var joint = JointObjective(weights: [1, 1], name: "DGS")
    let trace = runEpisode(task: SignalFollowingTask(), schedule: &joint, seed: 1)
    XCTAssertTrue(trace.outcome.hasPrefix(unsupportedOutcomePrefix))
    XCTAssertThrowsError(try runCheckedEpisode(task: SignalFollowingTask(), schedule: &joint, seed: 1)) {
      XCTAssertTrue("\($0)".contains("JointObjectiveTask"))
    }
    var rule = ThresholdRule(.s1, threshold: 0)
    XCTAssertThrowsError(try runCheckedEpisode(task: RatioTask(), schedule: &rule, seed: 1))
  }
}
