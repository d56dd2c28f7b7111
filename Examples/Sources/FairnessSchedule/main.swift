import AutoLoss
import Foundation

// Learns when to take a fairness step instead of a task step, then compares the learned schedule
// with fixed ones on fresh models. Usage: FairnessSchedule [episodes] (default 60).
let episodes = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 60
let task = FairnessTask()
var config = ReinforceConfig()
(config.episodes, config.patienceEpisodes, config.learningRate, config.hidden) = (episodes, episodes, 0.01, 8)
let trainer = ReinforceTrainer(task: task, config: config, seed: 7)
while !trainer.isFinished {
  let e = trainer.runNextEpisode(recordSteps: false)
  let p = e.trace.actionFractions(actionCount: 2)
  print(String(format: "episode %3d  reward %.3f  P(fairness step) %.2f", e.index, e.reward, p[1]))
}

/// The mean test error of the best checkpoint of 5 fresh models trained under `schedule`.
@MainActor func testError(_ schedule: some Schedule) -> Float {
  var schedule = schedule
  let errors = (100..<105).map { seed in
    _ = runEpisode(task: task, schedule: &schedule, seed: UInt64(seed))
    return task.testError()
  }
  return errors.reduce(0, +) / 5
}
print("test error (1 - accuracy + |parity gap|), mean of 5 models:")
print("  AutoLoss", testError(PolicySchedule(trainer.controller, name: "AutoLoss")))
print("  task steps only", testError(FixedPattern([0])))
print("  alternating 1:1", testError(FixedPattern.ratio(1, 1)))
print("  joint objective", testError(JointObjective(weights: [1, 1], name: "joint")))
