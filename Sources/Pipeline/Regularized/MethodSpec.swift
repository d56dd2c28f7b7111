import AutoLoss
import Engine
import Tasks

/// A schedule described by value, so that parallel trials can each build their own copy.
public enum MethodSpec: Sendable {
  /// A fixed cycle of actions.
  case pattern([Int], name: String)
  /// Independent draws with fixed probabilities.
  case random([Float], name: String)
  /// Steps on Σ weights·losses.
  case joint([Float], name: String)
  /// Threshold rule S1-S3.
  case threshold(ThresholdRule.Kind, Float)
  /// A trained controller: its parameters and shape.
  case controller(ControllerSpec)
  /// A controller whose features `indices` are replaced per step by `meanFeatures[t]` (the clamp).
  case clampedController(ControllerSpec, indices: [Int], meanFeatures: [[Float]], name: String)

  /// Builds a fresh schedule.
  public func makeSchedule() -> any Schedule {
    switch self {
    case .pattern(let p, let name): return FixedPattern(p, name: name)
    case .random(let p, let name): return WeightedRandom(p, name: name)
    case .joint(let w, let name): return JointObjective(weights: w, name: name)
    case .threshold(let kind, let th): return ThresholdRule(kind, threshold: th)
    case .controller(let spec): return PolicySchedule(spec.makeController())
    case .clampedController(let spec, let indices, let means, let name):
      return ClampedPolicySchedule(spec.makeController(), indices: indices, meanFeatures: means, name: name)
    }
  }
}

/// The parameters and shape of a trained controller.
public struct ControllerSpec: Sendable {
  public var state: [String: Tensor]
  public var featureMask: [Bool]
  public var actionCount: Int
  public var hidden: Int
  public var temperature: Float
  public var standardization: InputStandardization?

  public init(_ controller: Controller) {
    state = controller.stateDict()
    featureMask = controller.featureMask
    actionCount = controller.actionCount
    hidden = controller.hidden
    temperature = controller.temperature
    standardization = controller.standardization
  }

  /// A controller with these weights.
  public func makeController() -> Controller {
    var rng = SeededRandom(seed: 0)
    let c = Controller(
      featureCount: featureMask.count, actionCount: actionCount, hidden: hidden, temperature: temperature,
      featureMask: featureMask, standardization: standardization, rng: &rng)
    do { try c.load(state) } catch { preconditionFailure("controller spec does not fit its own shape: \(error)") }
    return c
  }
}

/// The outcome of training fresh task models under one method.
public struct TrialResults: Sendable {
  public var traces: [EpisodeTrace]
  public var testErrors: [Float] { traces.map(\.testError) }
  public var validationErrors: [Float] { traces.map(\.bestValidationError) }
}

/// Trains one fresh task model per seed under `method` on `data`, in parallel; keeps per-step
/// records only for the first trial (for schedule pictures) unless `recordAll`.
public func runTrials(
  kind: RegularizedTaskKind, data: TaskData, taskConfig: RegularizedTaskConfig, method: MethodSpec, seeds: [UInt64],
  workers: Int, evaluateTest: Bool = true, recordAll: Bool = false
) -> TrialResults {
  let indexed = Array(seeds.enumerated())
  let traces = parallelMap(indexed, workers: workers) { item -> EpisodeTrace in
    let task = RegularizedTask(kind: kind, data: data, config: taskConfig)
    var schedule = method.makeSchedule()
    return runEpisode(
      task: task, schedule: &schedule, seed: item.element,
      options: EpisodeOptions(recordSteps: recordAll || item.offset == 0, evaluateTest: evaluateTest))
  }
  return TrialResults(traces: traces)
}

/// ``runTrials(kind:data:taskConfig:method:seeds:workers:evaluateTest:)`` with the trials spread
/// over `executor` (MPI ranks and their threads); the same traces, in seed order, on every rank.
public func runTrials(
  kind: RegularizedTaskKind, data: TaskData, taskConfig: RegularizedTaskConfig, method: MethodSpec, seeds: [UInt64],
  executor: any JobExecutor, evaluateTest: Bool = true, recordAll: Bool = false
) throws -> TrialResults {
  let traces = try executor.map(count: seeds.count) { i, _ -> EpisodeTrace in
    let task = RegularizedTask(kind: kind, data: data, config: taskConfig)
    var schedule = method.makeSchedule()
    return runEpisode(
      task: task, schedule: &schedule, seed: seeds[i],
      options: EpisodeOptions(recordSteps: recordAll || i == 0, evaluateTest: evaluateTest))
  }
  return TrialResults(traces: traces)
}

/// Mean and (sample) standard deviation.
public func meanAndStd(_ values: [Float]) -> (mean: Float, std: Float) {
  guard !values.isEmpty else { return (.nan, .nan) }
  let mean = values.reduce(0, +) / Float(values.count)
  guard values.count > 1 else { return (mean, 0) }
  let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(values.count - 1)
  return (mean, variance.squareRoot())
}

/// Seeds for `count` trials derived from a base seed and a purpose tag (same tag → same seeds,
/// so methods are compared on the same initializations).
public func trialSeeds(base: UInt64, tag: UInt64, count: Int) -> [UInt64] {
  var rng = SeededRandom(seed: base &* 0x9E37_79B9 &+ tag)
  return (0..<count).map { _ in rng.next() }
}
