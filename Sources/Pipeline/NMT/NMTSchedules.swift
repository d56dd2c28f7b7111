import AutoLoss
import Engine

/// FineTuned MT (paper-spec section 5, baseline 3): FixedRatio sampling, then MT (action 0) only
/// from `switchStep` on, or, when `switchPatience` > 0, from the first step at which the MT
/// validation error has not improved for that many checks (whichever comes first).
public struct SwitchToMainTask: Schedule {
  public var first: WeightedRandom
  public let switchStep: Int
  public let switchPatience: Int
  public let name: String
  /// The step at which the schedule switched to MT only (nil while it has not).
  public private(set) var switchedAt: Int?

  public init(_ first: WeightedRandom, switchStep: Int, switchPatience: Int = 0, name: String = "fine-tuned") {
    self.first = first
    self.switchStep = switchStep
    self.switchPatience = switchPatience
    self.name = name
  }

  public mutating func reset() {
    first.reset()
    switchedAt = nil
  }

  func stalled(_ task: AlternatingTask) -> Bool {
    guard switchPatience > 0,
      let bestIndex = task.checks.indices.min(by: { task.checks[$0].error < task.checks[$1].error })
    else { return false }
    return task.checks.count - 1 - bestIndex >= switchPatience
  }

  public mutating func decide(_ task: AlternatingTask, rng: inout SeededRandom) -> Decision {
    if switchedAt == nil && (task.stepCount >= switchStep || stalled(task)) { switchedAt = task.stepCount }
    if switchedAt == nil { return first.decide(task, rng: &rng) }
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
