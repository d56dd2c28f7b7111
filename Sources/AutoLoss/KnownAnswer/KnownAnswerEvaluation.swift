import Engine

/// Measurements of controllers on the known-answer tasks (for tests, the report and the pipeline).
public enum KnownAnswer {
  /// A controller against the best constant ratio on ``SignalFollowingTask``, paired by seed.
  public struct StateDependentResult: Codable, Sendable, Equatable {
    /// Mean fraction of correct choices of the controller (actions sampled, as at evaluation).
    public var correctFraction: Float
    /// Per evaluation seed: the controller's reward.
    public var rewards: [Float]
    /// The constant P(action 1) with the best mean reward on the same seeds (tuned on them).
    public var bestConstantRatio: Float
    /// Per evaluation seed: the reward of the best constant ratio.
    public var constantRewards: [Float]
    /// Mean paired difference (controller − best constant ratio) and its standard error.
    public var margin: Float
    /// The standard error of ``margin``.
    public var standardError: Float
    /// margin / standardError.
    public var marginInStandardErrors: Float { standardError > 0 ? margin / standardError : .infinity }
  }

  /// Runs `controller` and every constant ratio of `ratioGrid` on ``SignalFollowingTask`` with the
  /// same `seeds` (common random numbers: the same signal paths).
  public static func evaluateStateDependent(
    controller: Controller, seeds: [UInt64], task: SignalFollowingTask = SignalFollowingTask(),
    ratioGrid: [Float] = stride(from: 0, through: 1, by: 0.1).map { Float($0) }
  ) -> StateDependentResult {
    var policy = PolicySchedule(controller)
    var rewards: [Float] = []
    var correct: Float = 0
    for s in seeds {
      let trace = runEpisode(task: task, schedule: &policy, seed: s)
      rewards.append(task.reward(bestValidationError: trace.bestValidationError))
      correct += SignalFollowingTask.correctFraction(trace)
    }
    var best: (ratio: Float, rewards: [Float], mean: Float) = (0, [], -.infinity)
    for p in ratioGrid {
      var coin = WeightedRandom([1 - p, p])
      let r = seeds.map { s in
        task.reward(bestValidationError: runEpisode(task: task, schedule: &coin, seed: s).bestValidationError)
      }
      let mean = r.reduce(0, +) / Float(max(r.count, 1))
      if mean > best.mean { best = (p, r, mean) }
    }
    let (margin, se) = pairedMeanAndStandardError(rewards, best.rewards)
    return StateDependentResult(
      correctFraction: correct / Float(max(seeds.count, 1)), rewards: rewards, bestConstantRatio: best.ratio,
      constantRewards: best.rewards, margin: margin, standardError: se)
  }

  /// A controller on ``RatioTask``: its realized share of action 1 and its mean P(action 1).
  public struct RatioResult: Codable, Sendable, Equatable {
    /// The task's optimal share p* of action 1.
    public var targetRatio: Float
    /// The mean share of action-1 steps over the evaluation seeds.
    public var realizedRatio: Float
    /// The mean P(action 1) of the controller over all steps and seeds.
    public var meanProbability: Float
    /// The mean episode reward (0 at the optimum).
    public var meanReward: Float
  }

  /// Runs `controller` on ``RatioTask`` with `seeds` (actions sampled).
  public static func evaluateRatio(controller: Controller, seeds: [UInt64], task: RatioTask = RatioTask())
    -> RatioResult
  {
    var policy = PolicySchedule(controller)
    var realized: Float = 0
    var probability: Float = 0
    var reward: Float = 0
    for s in seeds {
      let trace = runEpisode(task: task, schedule: &policy, seed: s)
      realized += trace.actionFractions(actionCount: 2)[1]
      let p1 = stride(from: 1, to: trace.probabilities.count, by: 2).map { trace.probabilities[$0] }
      probability += p1.reduce(0, +) / Float(max(p1.count, 1))
      reward += task.reward(bestValidationError: trace.bestValidationError)
    }
    let n = Float(max(seeds.count, 1))
    return RatioResult(
      targetRatio: task.targetRatio, realizedRatio: realized / n, meanProbability: probability / n,
      meanReward: reward / n)
  }

  /// Mean of a − b (paired) and its standard error sd/√n.
  public static func pairedMeanAndStandardError(_ a: [Float], _ b: [Float]) -> (mean: Float, standardError: Float) {
    let d = zip(a, b).map { $0 - $1 }
    guard d.count > 1 else { return (d.first ?? .nan, .nan) }
    let n = Float(d.count)
    let mean = d.reduce(0, +) / n
    let variance = d.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
    return (mean, (variance / n).squareRoot())
  }
}
