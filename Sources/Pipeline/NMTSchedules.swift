import AutoLoss
import Engine

/// FineTuned MT (paper-spec section 5, baseline 3): FixedRatio sampling until `switchStep`, then MT
/// (action 0) only.
public struct SwitchToMainTask: Schedule {
  public var first: WeightedRandom
  public let switchStep: Int
  public let name: String

  public init(_ first: WeightedRandom, switchStep: Int, name: String = "fine-tuned") {
    self.first = first
    self.switchStep = switchStep
    self.name = name
  }

  public mutating func reset() { first.reset() }

  public mutating func decide(_ task: AlternatingTask, rng: inout SeededRandom) -> Decision {
    if task.stepCount < switchStep { return first.decide(task, rng: &rng) }
    var p = [Float](repeating: 0, count: task.actionNames.count)
    p[0] = 1
    return .action(0, probabilities: p)
  }
}

/// The schedules of the NMT experiments, by name.
enum NMTScheduleKind: String, CaseIterable, Sendable {
  case mtOnly = "mt-only"
  case fixedRatio = "fixed-ratio"
  case fineTuned = "fine-tuned"
  case roundRobin = "round-robin"
  case bestMix = "best-mix"
  case mix
  case autoLoss = "autoloss"
  case autoLossTransfer = "autoloss-transfer"
}

/// The task mix of a constant-mix schedule with P(MT) = `mt`: the auxiliary tasks share the rest.
func nmtMix(mt: Float, taskCount: Int) -> [Float] {
  guard taskCount > 1 else { return [1] }
  return [mt] + Array(repeating: (1 - mt) / Float(taskCount - 1), count: taskCount - 1)
}
