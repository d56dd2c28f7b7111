import AutoLoss
import Engine

/// The controller's policy with some features replaced, at every step, by a fixed per-step value:
/// the test-time feature clamp of "what the controller learned". Actions are sampled, as at
/// evaluation.
public struct ClampedPolicySchedule: Schedule {
  public let controller: Controller
  public let name: String
  /// Feature indices that are replaced.
  public let indices: [Int]
  /// Per step t, the `featureCount` values to use for `indices` (steps past the end use the last row).
  public let meanFeatures: [[Float]]
  private var step = 0

  public init(_ controller: Controller, indices: [Int], meanFeatures: [[Float]], name: String) {
    self.controller = controller
    self.indices = indices
    self.meanFeatures = meanFeatures
    self.name = name
  }

  public mutating func reset() { step = 0 }

  public mutating func decide(_ task: AlternatingTask, rng: inout SeededRandom) -> Decision {
    var x = task.features()
    if let row = meanFeatures.isEmpty ? nil : meanFeatures[min(step, meanFeatures.count - 1)] {
      for i in indices where i < x.count && i < row.count { x[i] = row[i] }
    }
    step += 1
    let p = controller.probabilities(x)
    return .action(rng.categorical(p), probabilities: p)
  }
}

/// Shuffles of a recorded action sequence for the replays.
public enum ActionShuffle {
  /// A uniformly random permutation of `actions` (Fisher-Yates with `rng`).
  public static func full(_ actions: [Int], rng: inout SeededRandom) -> [Int] {
    var a = actions
    guard a.count > 1 else { return a }
    for i in stride(from: a.count - 1, to: 0, by: -1) {
      let j = Int(rng.next() % UInt64(i + 1))
      a.swapAt(i, j)
    }
    return a
  }

  /// Shuffles within consecutive blocks of `max(1, round(fraction · count))` steps: each block keeps
  /// its own actions (so the ratio over time is kept), their order within the block is lost.
  public static func withinBlocks(_ actions: [Int], fraction: Double, rng: inout SeededRandom) -> [Int] {
    let size = max(1, Int((fraction * Double(actions.count)).rounded()))
    var out: [Int] = []
    out.reserveCapacity(actions.count)
    var start = 0
    while start < actions.count {
      let end = min(actions.count, start + size)
      out += full(Array(actions[start..<end]), rng: &rng)
      start = end
    }
    return out
  }
}
