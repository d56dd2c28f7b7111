import Engine
import Foundation

/// How ``SegmentReward`` normalises a segment's improvement.
public enum SegmentRewardNormalization: String, Sendable, Codable, CaseIterable {
  /// The paper's (section 1): by the mean improvement of the past k segments. Scale-free: any
  /// steady decline earns about C per segment however slow it is, so a schedule that slows the
  /// metric's progress is not penalised once its own history has slowed too.
  case recentProgress
  /// By the metric itself: C · (P_{j−1} − P_j) / |P_{j−1}|, the segment's relative decrease (for a
  /// perplexity, about the drop of the log loss). A segment without progress earns 0 whatever came
  /// before, so faster progress always earns more.
  case metric
}

/// The online segment reward for a lower-is-better metric P measured at segment boundaries, clipped
/// to ±`rewardClip` (a non-finite reward becomes −clip):
/// - ``SegmentRewardNormalization/recentProgress`` (the paper, section 1): at the end of segment j,
///   R = C · (P_{j−1} − P_j) / ((P_{j−1−k} − P_{j−1}) / k) (k shrinks to the segments available),
///   the normalizer floored at `minimumRelativeImprovement · |P_{j−1}|`. The first two boundaries
///   recorded by ``add(_:)`` give no reward (nil): a reward needs one past segment.
/// - ``SegmentRewardNormalization/metric``: R = C · (P_{j−1} − P_j) / |P_{j−1}|; only the first
///   boundary gives no reward.
public struct SegmentReward: Sendable {
  /// The reward scale C.
  public let scale: Float
  /// Past segments k in the normalizer (at least 1).
  public let history: Int
  /// The reward is clipped into [−clip, clip]; a non-finite reward becomes −clip.
  public let clip: Float
  /// Floor of the normalizer, relative to |P_{j−1}|.
  public let minimumRelativeImprovement: Float
  /// What the improvement is divided by.
  public let normalization: SegmentRewardNormalization
  /// The metric at every boundary so far.
  public private(set) var values: [Float] = []

  /// Creates a reward with no recorded boundaries.
  ///
  /// - Parameters:
  ///   - scale: The reward scale C.
  ///   - history: Past segments k in the normalizer (raised to 1 when smaller).
  ///   - clip: The reward bound.
  ///   - minimumRelativeImprovement: Floor of the normalizer, relative to |P_{j−1}|.
  ///   - normalization: What the improvement is divided by (the paper's by default).
  public init(
    scale: Float, history: Int, clip: Float, minimumRelativeImprovement: Float,
    normalization: SegmentRewardNormalization = .recentProgress
  ) {
    self.scale = scale
    self.history = max(history, 1)
    self.clip = clip
    self.minimumRelativeImprovement = minimumRelativeImprovement
    self.normalization = normalization
  }

  /// Creates a reward from `rewardScale`, `historySegments`, `rewardClip`,
  /// `minimumRelativeImprovement` and `rewardNormalization` of `config`.
  public init(_ config: PPOConfig) {
    self.init(
      scale: config.rewardScale, history: config.historySegments, clip: config.rewardClip,
      minimumRelativeImprovement: config.minimumRelativeImprovement, normalization: config.rewardNormalization)
  }

  /// Records the metric at a boundary; returns the reward of the segment that just ended.
  public mutating func add(_ value: Float) -> Float? {
    values.append(value)
    let j = values.count - 1
    let previous = j >= 1 ? values[j - 1] : .nan
    let norm: Float
    switch normalization {
    case .recentProgress:
      guard j >= 2 else { return nil }
      let k = min(history, j - 1)
      let past = (values[j - 1 - k] - previous) / Float(k)
      let floor = minimumRelativeImprovement * abs(previous)
      norm = max(past, floor, 1e-12)
    case .metric:
      guard j >= 1 else { return nil }
      norm = max(abs(previous), 1e-12)
    }
    let r = scale * (previous - value) / norm
    guard r.isFinite else { return -clip }
    return min(max(r, -clip), clip)
  }
}

/// Everything recorded in one online PPO run.
public struct OnlinePPOTrace: Sendable {
  /// The task run: actions, behaviour probabilities, features, losses and checks.
  public var episode = EpisodeTrace()
  /// Per segment: the step at its end.
  public var segmentSteps: [Int] = []
  /// Per segment: its reward, NaN when it got none.
  public var segmentRewards: [Float] = []
  /// Per controller update: actor loss, critic loss, entropy, clipped fraction.
  public var updateStats: [PPOUpdateStats] = []

  /// An empty trace.
  public init() {}
}

/// The reward of one finished segment: given the task (its checks so far) and the actions taken in
/// the segment, the reward of every transition of the segment, or nil for none (not stored).
public typealias PPOSegmentRewardFunction = (_ task: AlternatingTask, _ segmentActions: [Int]) -> Float?

/// Trains a fresh task model while the PPO controller picks every action and, when `learn` is on,
/// learns online: the transitions of each segment of `segmentChecks` validation checks get that
/// segment's reward and are stored, then one controller update runs (the intended segment update
/// of the official code). The reward is the paper's ``SegmentReward`` of the checks' error (e.g.
/// MT validation perplexity) unless `segmentReward` is given. Segments without a reward (the first
/// one or two, see ``SegmentReward``) are not stored. Actions are drawn with exploration
/// `exploration` (ε of this meta-episode; 0 for a frozen controller). With `learn` off the
/// controller only acts (evaluation, transfer).
public func runOnlinePPO(
  task: AlternatingTask, trainer: PPOTrainer, seed: UInt64, exploration: Float, learn: Bool = true,
  segmentReward custom: PPOSegmentRewardFunction? = nil, onCheck: ((Int) -> Void)? = nil
) -> OnlinePPOTrace {
  var rng = SeededRandom(seed: seed ^ 0x0BB0_5EED)
  task.reset(seed: seed)
  var trace = OnlinePPOTrace()
  var reward = SegmentReward(trainer.config)
  // The check of the untrained model (step 0) would dominate the normalizer of the next k
  // segments (its first drop is orders of magnitude larger); with `skipInitialCheck` the reward
  // history starts at the first check after training began.
  if custom == nil && !trainer.config.skipInitialCheck { _ = reward.add(task.checks.last?.error ?? .nan) }
  var pending: [PPOTransition] = []
  var checksSeen = task.checks.count
  var checksInSegment = 0
  var state = task.features()
  while !task.isFinished {
    let (a, p, policy) = trainer.act(state, exploration: exploration, rng: &rng)
    task.step(a)
    let next = task.features()
    trace.episode.actions.append(Int32(a))
    trace.episode.probabilities += p
    trace.episode.features += state
    trace.episode.losses += task.latestLosses
    pending.append(
      PPOTransition(
        state: state, action: a, reward: 0, nextState: next, behaviourProbability: p[a], policyProbability: policy[a]))
    state = next
    if !task.latestLosses.allSatisfy(\.isFinite) {
      trace.episode.outcome = "non-finite loss"
      break
    }
    guard task.checks.count > checksSeen, let check = task.checks.last else { continue }
    checksSeen = task.checks.count
    checksInSegment += 1
    onCheck?(task.stepCount)
    guard checksInSegment >= max(trainer.config.segmentChecks, 1) else { continue }
    checksInSegment = 0
    let r: Float?
    if let custom { r = custom(task, pending.map(\.action)) } else { r = reward.add(check.error) }
    trace.segmentSteps.append(task.stepCount)
    trace.segmentRewards.append(r ?? .nan)
    if let r, learn {
      trainer.store(
        pending.map {
          var t = $0
          t.reward = r
          return t
        })
      if let s = trainer.update() { trace.updateStats.append(s) }
    }
    pending = []
  }
  trace.episode.steps = task.stepCount
  trace.episode.checks = task.checks
  trace.episode.bestValidationError = task.bestValidationError
  if trace.episode.outcome.isEmpty { trace.episode.outcome = task.stopReason }
  return trace
}
