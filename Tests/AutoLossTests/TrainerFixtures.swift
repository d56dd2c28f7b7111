import Engine
import Foundation

@testable import AutoLoss

/// A tiny task whose losses turn NaN at a chosen step when the episode seed is in `poisoned`.
final class PoisonTask: AlternatingTask {
  let actionNames = ["a", "b"]
  let lossNames = ["loss"]
  let featureNames = ["bias"]
  let featureGroups: [(name: String, indices: [Int])] = [("bias", [0])]
  let poisoned: Set<UInt64>
  private(set) var stepCount = 0
  private(set) var checks: [ValidationCheck] = []
  private(set) var bestValidationError: Float = .infinity
  private var loss: Float = 1
  private var seed: UInt64 = 0

  init(poisoned: Set<UInt64>) { self.poisoned = poisoned }

  func reset(seed: UInt64) {
    self.seed = seed
    stepCount = 0
    loss = 1
    checks = []
    bestValidationError = .infinity
  }

  func step(_ action: Int) {
    stepCount += 1
    loss = poisoned.contains(seed) && stepCount == 3 ? .nan : loss * (action == 1 ? 0.9 : 0.95)
    if stepCount == 5 {
      checks.append(ValidationCheck(step: 5, error: loss))
      bestValidationError = loss
    }
  }

  func features() -> [Float] { [1] }
  var latestLosses: [Float] { [loss] }
  var isFinished: Bool { stepCount >= 5 }
  var stopReason: String { isFinished ? "step cap" : "" }
  func testError() -> Float { bestValidationError }
  func reward(bestValidationError: Float) -> Float { 1 / bestValidationError }
}

func makeTrainer(
  _ config: ControllerTrainerConfig, seed: UInt64 = 5, slots: Int = 1,
  task: @escaping @Sendable () -> AlternatingTask = { SignalFollowingTask() }
) throws -> ControllerTrainer {
  let probe = task()
  return try ControllerTrainer(
    config: config, featureCount: probe.featureNames.count, actionCount: probe.actionNames.count,
    featureGroups: probe.featureGroups, seed: seed, executor: LocalExecutor(slots: slots),
    episode: taskEpisodeFunction(collapseLength: config.collapseLength, makeTask: task))
}

func runToEnd(_ trainer: ControllerTrainer) throws -> [ControllerUpdate] {
  var updates: [ControllerUpdate] = []
  while !trainer.isFinished { updates.append(try trainer.runNextUpdate()) }
  return updates
}
