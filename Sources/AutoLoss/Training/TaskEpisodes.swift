import Dispatch
import Engine

/// Builds the ``EpisodeFunction`` of a task family from a task factory: one task instance per
/// executor slot, created lazily on first use and reused; each episode runs
/// ``runCheckedEpisode(task:schedule:seed:options:)`` under the sampled policy and is rewarded with
/// `task.reward(bestValidationError:)`.
///
/// - Parameters:
///   - makeTask: creates one task instance (called at most once per slot).
///   - collapseLength: the same action more than this many times in a row ends the episode (0 = off).
///   - recordSteps: keep per-step features, probabilities and losses (REINFORCE needs them).
public func taskEpisodeFunction(
  collapseLength: Int = 0, recordSteps: Bool = true, makeTask: @escaping @Sendable () throws -> AlternatingTask
) -> EpisodeFunction {
  let pool = TaskPool(make: makeTask)
  return { controller, seed, slot in
    let start = DispatchTime.now().uptimeNanoseconds
    let task = try pool.task(slot: slot)
    var schedule = PolicySchedule(controller, name: "AutoLoss (training)")
    let trace = try runCheckedEpisode(
      task: task, schedule: &schedule, seed: seed,
      options: EpisodeOptions(recordSteps: recordSteps, evaluateTest: false, collapseLength: collapseLength))
    let reward = task.reward(bestValidationError: trace.bestValidationError)
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    return EpisodeResult(index: 0, seed: seed, trace: trace, reward: reward, seconds: seconds)
  }
}

/// One task per slot, made on first use. Each slot is used by one thread at a time (the executor
/// runs one job per slot at once), so only the table itself needs the lock.
public final class TaskPool: @unchecked Sendable {
  private let make: @Sendable () throws -> AlternatingTask
  private var tasks: [Int: AlternatingTask] = [:]
  private let lock = DispatchSemaphore(value: 1)

  /// Creates an empty pool that makes tasks with `make`.
  public init(make: @escaping @Sendable () throws -> AlternatingTask) { self.make = make }

  /// The task of `slot`, made now when it does not exist yet.
  public func task(slot: Int) throws -> AlternatingTask {
    lock.wait()
    defer { lock.signal() }
    if let t = tasks[slot] { return t }
    let t = try make()
    tasks[slot] = t
    return t
  }
}
