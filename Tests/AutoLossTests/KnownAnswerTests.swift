import Engine
import Foundation
import XCTest

@testable import AutoLoss

/// The trainers must learn when there is something to learn (issue 12 section 2).
final class KnownAnswerTests: XCTestCase {
  static let evaluationSeeds = (0..<30).map { UInt64(1_000_000 + $0) }

  func stateDependentConfig(_ algorithm: ControllerAlgorithm) -> ControllerTrainerConfig {
    KnownAnswer.suiteConfig(algorithm, ratioTask: false)
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
    let c = KnownAnswer.suiteConfig(.reinforce, ratioTask: true)
    XCTAssertEqual(c.evaluated, .average)
    let trainer = try makeTrainer(c, seed: 3, slots: 2) { RatioTask() }
    _ = try runToEnd(trainer)
    let result = KnownAnswer.evaluateRatio(controller: trainer.evaluatedController(), seeds: Self.evaluationSeeds)
    print("known-answer ratio: P(action 1) \(result.meanProbability), realized \(result.realizedRatio), target 0.7")
    XCTAssertEqual(result.meanProbability, 0.7, accuracy: 0.05)
    XCTAssertEqual(result.realizedRatio, 0.7, accuracy: 0.05)
  }
}

final class KnownAnswerSuiteTests: XCTestCase {
  func testSuitePassesWithReinforceAndRoundTrips() throws {
    let result = try KnownAnswer.runSuite(algorithm: .reinforce, executor: LocalExecutor(slots: 2))
    print(
      "known-answer suite reinforce: correct \(result.stateDependent.correctFraction), "
        + "\(result.stateDependent.marginInStandardErrors) SE; ratio \(result.ratio.realizedRatio)")
    XCTAssertTrue(result.stateDependentPassed)
    XCTAssertTrue(result.ratioPassed)
    let back = try JSONDecoder().decode(KnownAnswer.SuiteResult.self, from: JSONEncoder().encode(result))
    XCTAssertEqual(back, result)
  }
}
