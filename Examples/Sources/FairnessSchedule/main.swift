import AutoLoss
import Foundation

// Learns when to take a fairness step instead of a task step, then compares the learned schedule
// with fixed ones on fresh models. Usage: FairnessSchedule [episodes] (default 60).
let episodes = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 60
var config = ControllerTrainerConfig()
(config.episodes, config.episodesPerUpdate, config.learningRate, config.hidden) = (episodes, 2, 0.01, 8)
let task = FairnessTask()
let trainer = try ControllerTrainer(
  config: config, featureCount: task.featureNames.count, actionCount: task.actionNames.count,
  featureGroups: task.featureGroups, seed: 7, executor: LocalExecutor(slots: 2),
  episode: taskEpisodeFunction { FairnessTask() })  // one task per executor slot
while !trainer.isFinished {
  for e in try trainer.runNextUpdate().episodes {
    let p = e.trace.actionFractions(actionCount: 2)
    print(String(format: "episode %3d  reward %.3f  P(fairness step) %.2f", e.index, e.reward, p[1]))
  }
}

/// The mean test error of the best checkpoint of 5 fresh models trained under `schedule`.
@MainActor func testError(_ schedule: some Schedule) -> Float {
  var schedule = schedule
  return (100..<105).map { seed in
    _ = runEpisode(task: task, schedule: &schedule, seed: UInt64(seed))
    return task.testError()
  }.reduce(0, +) / 5
}
print("test error (1 - accuracy + |parity gap|), mean of 5 models:")
print("  AutoLoss", testError(PolicySchedule(trainer.evaluatedController(), name: "AutoLoss")))
print("  untrained controller", testError(PolicySchedule(trainer.untrainedController, name: "untrained")))
print("  task steps only", testError(FixedPattern([0])))
print("  alternating 1:1", testError(FixedPattern.ratio(1, 1)))
print("  random, P(fairness step) 0.85", testError(WeightedRandom([0.15, 0.85])))
print("  joint objective", testError(JointObjective(weights: [1, 1], name: "joint")))
