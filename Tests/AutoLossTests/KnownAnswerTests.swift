import Engine
import XCTest

@testable import AutoLoss

/// The trainers must learn when there is something to learn (issue 12 section 2).
final class KnownAnswerTests: XCTestCase {
  static let evaluationSeeds = (0..<30).map { UInt64(1_000_000 + $0) }

  func stateDependentConfig(_ algorithm: ControllerAlgorithm) -> ControllerTrainerConfig {
    var c = ControllerTrainerConfig()
    c.algorithm = algorithm
    c.temperature = 1
    c.hidden = 16
    c.zeroInitialOutput = true
    switch algorithm {
    case .reinforce:
      c.episodes = 300
      c.episodesPerUpdate = 4
      c.learningRate = 0.02
    case .antithetic:
      c.episodes = 400
      c.episodesPerUpdate = 4
      c.learningRate = 0.05
      c.antitheticSigma = 0.1
    }
    return c
  }

  func checkStateDependent(_ algorithm: ControllerAlgorithm) throws {
    let trainer = try makeTrainer(stateDependentConfig(algorithm), seed: 11, slots: 2)
    _ = try runToEnd(trainer)
    let result = KnownAnswer.evaluateStateDependent(
      controller: trainer.evaluatedController(), seeds: Self.evaluationSeeds)
    print(
      "known-answer state-dependent \(algorithm): correct \(result.correctFraction), margin \(result.margin) "
        + "(\(result.marginInStandardErrors) SE) over constant ratio \(result.bestConstantRatio)")
    XCTAssertGreaterThanOrEqual(result.correctFraction, 0.9)
    XCTAssertGreaterThan(result.margin, 3 * result.standardError)
    XCTAssertGreaterThan(result.margin, 0)
  }

  func testReinforceLearnsTheStateDependentPolicy() throws { try checkStateDependent(.reinforce) }

  func testAntitheticLearnsTheStateDependentPolicy() throws { try checkStateDependent(.antithetic) }

  func testUntrainedControllerDoesNotPassTheStateDependentTask() throws {
    let trainer = try makeTrainer(stateDependentConfig(.reinforce), seed: 11)
    let result = KnownAnswer.evaluateStateDependent(
      controller: trainer.untrainedController, seeds: Self.evaluationSeeds)
    XCTAssertLessThan(result.correctFraction, 0.7)
  }

  func testReinforceFindsTheRatio() throws {
    var c = ControllerTrainerConfig()
    c.temperature = 1
    c.hidden = 0
    c.zeroInitialOutput = true
    c.episodes = 400
    c.episodesPerUpdate = 4
    c.learningRate = 0.02
    c.evaluated = .average
    let trainer = try makeTrainer(c, seed: 3, slots: 2) { RatioTask() }
    _ = try runToEnd(trainer)
    let result = KnownAnswer.evaluateRatio(controller: trainer.evaluatedController(), seeds: Self.evaluationSeeds)
    print("known-answer ratio: P(action 1) \(result.meanProbability), realized \(result.realizedRatio), target 0.7")
    XCTAssertEqual(result.meanProbability, 0.7, accuracy: 0.05)
    XCTAssertEqual(result.realizedRatio, 0.7, accuracy: 0.05)
  }
}
