import Engine

/// Everything recorded about one training run of a task model under a schedule.
public struct EpisodeTrace: Sendable {
  /// Per step: the action taken (−1 for a joint-objective step).
  public var actions: [Int32] = []
  /// Per step: the probabilities the action was drawn from, `[T, K]` flattened.
  public var probabilities: [Float] = []
  /// Per step: the features the schedule saw, `[T, F]` flattened.
  public var features: [Float] = []
  /// Per step: the latest loss values after the step, `[T, M]` flattened.
  public var losses: [Float] = []
  /// Every validation check.
  public var checks: [ValidationCheck] = []
  /// Steps taken.
  public var steps = 0
  /// The best validation error of the run.
  public var bestValidationError: Float = .infinity
  /// The test error of the best checkpoint, when evaluated.
  public var testError: Float = .nan
  /// Why the run ended: `"patience"`, `"step cap"`, `"non-finite loss"`, `"collapse"`, or
  /// `"unsupported: …"` when the schedule needs an opt-in protocol the task does not adopt.
  public var outcome = ""

  /// An empty trace.
  public init() {}

  /// The fraction of steps that took each action (joint steps are not counted).
  public func actionFractions(actionCount: Int) -> [Float] {
    var counts = [Float](repeating: 0, count: actionCount)
    for a in actions where a >= 0 { counts[Int(a)] += 1 }
    let total = counts.reduce(0, +)
    return total > 0 ? counts.map { $0 / total } : counts
  }
}

/// Options for running one episode.
public struct EpisodeOptions: Sendable {
  /// Record per-step features, probabilities and losses (actions and checks are always kept).
  public var recordSteps = true
  /// Evaluate the best checkpoint on the test split at the end.
  public var evaluateTest = false
  /// End the episode when the same action is taken more than this many times in a row (0 = never).
  public var collapseLength = 0

  /// Creates options; see the properties for each argument.
  public init(recordSteps: Bool = true, evaluateTest: Bool = false, collapseLength: Int = 0) {
    self.recordSteps = recordSteps
    self.evaluateTest = evaluateTest
    self.collapseLength = collapseLength
  }
}

/// The outcome prefix of an episode whose schedule cannot run on its task.
public let unsupportedOutcomePrefix = "unsupported: "

/// A schedule asked a task for something it does not offer (a joint objective, threshold signals).
public struct UnsupportedScheduleError: Error, CustomStringConvertible, Sendable {
  /// The schedule's name.
  public var schedule: String
  /// Why it cannot run on the task.
  public var reason: String
  /// `"schedule '<name>': <reason>"`.
  public var description: String { "schedule '\(schedule)': \(reason)" }
}

/// ``runEpisode(task:schedule:seed:options:)`` that throws ``UnsupportedScheduleError`` instead of
/// returning an `"unsupported: …"` trace.
public func runCheckedEpisode(
  task: AlternatingTask, schedule: inout some Schedule, seed: UInt64, options: EpisodeOptions = EpisodeOptions()
) throws -> EpisodeTrace {
  let trace = runEpisode(task: task, schedule: &schedule, seed: seed, options: options)
  if trace.outcome.hasPrefix(unsupportedOutcomePrefix) {
    throw UnsupportedScheduleError(
      schedule: schedule.name, reason: String(trace.outcome.dropFirst(unsupportedOutcomePrefix.count)))
  }
  return trace
}

/// Trains a fresh task model under `schedule` until the task's stopping rule fires.
///
/// A schedule that needs an opt-in protocol the task does not adopt (``JointObjectiveTask``,
/// ``ThresholdSignalTask``) ends the episode at once with outcome `"unsupported: <reason>"`.
public func runEpisode(
  task: AlternatingTask, schedule: inout some Schedule, seed: UInt64, options: EpisodeOptions = EpisodeOptions()
) -> EpisodeTrace {
  var rng = SeededRandom(seed: seed ^ 0x5EED_0F_A11)
  task.reset(seed: seed)
  schedule.reset()
  var trace = EpisodeTrace()
  let k = task.actionNames.count
  var runLength = 0
  var lastAction: Int32 = -2
  if let reason = schedule.unsupportedReason(for: task) {
    trace.outcome = unsupportedOutcomePrefix + reason
    return trace
  }
  while !task.isFinished {
    let features = options.recordSteps ? task.features() : []
    let decision = schedule.decide(task, rng: &rng)
    switch decision {
    case .action(let a, let p):
      task.step(a)
      trace.actions.append(Int32(a))
      if options.recordSteps { trace.probabilities += p }
    case .joint(let w):
      guard let joint = task as? JointObjectiveTask else {
        trace.outcome =
          unsupportedOutcomePrefix + "\(type(of: task)) has no joint objective (schedule \(schedule.name))"
        return trace
      }
      joint.stepJoint(weights: w)
      trace.actions.append(-1)
      if options.recordSteps { trace.probabilities += [Float](repeating: .nan, count: k) }
    }
    if options.recordSteps {
      trace.features += features
      trace.losses += task.latestLosses
    }
    let a = trace.actions.last!
    runLength = a == lastAction ? runLength + 1 : 1
    lastAction = a
    if !task.latestLosses.allSatisfy(\.isFinite) {
      trace.outcome = "non-finite loss"
      break
    }
    if options.collapseLength > 0 && runLength > options.collapseLength {
      trace.outcome = "collapse"
      break
    }
  }
  trace.steps = task.stepCount
  trace.checks = task.checks
  trace.bestValidationError = task.bestValidationError
  if trace.outcome.isEmpty { trace.outcome = task.stopReason }
  if options.evaluateTest { trace.testError = task.testError() }
  return trace
}
