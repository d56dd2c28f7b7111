/// One finished controller-training episode, as an episode function returns it (Codable so that
/// the MPI executor can gather it; floats are coded bit-exactly, NaN included).
public struct EpisodeResult: Codable, Sendable, Equatable {
  /// The global episode index.
  public var index: Int
  /// The episode seed (task model, data order, action sampling).
  public var seed: UInt64
  /// What the episode recorded: actions, probabilities, features, losses and checks.
  public var trace: EpisodeTrace
  /// The episode reward R (may be non-finite; such an episode gets the penalty advantage).
  public var reward: Float
  /// Why the episode ended (the trace's outcome, or a task family's own label).
  public var outcome: String
  /// Task payload, e.g. GAN samples (`"samples"`) and the final IS (`"final_is"`).
  public var extras: [String: [Float]]
  /// Wall time of the episode (not used by the update, so runs stay reproducible).
  public var seconds: Double

  /// Creates a result.
  ///
  /// - Parameters:
  ///   - index: The global episode index (``ControllerTrainer`` overwrites it with the job's index).
  ///   - seed: The episode seed.
  ///   - trace: The episode's trace.
  ///   - reward: The episode reward R.
  ///   - outcome: Why the episode ended; nil takes `trace.outcome`.
  ///   - extras: Task payload by name.
  ///   - seconds: Wall time of the episode.
  public init(
    index: Int, seed: UInt64, trace: EpisodeTrace, reward: Float, outcome: String? = nil,
    extras: [String: [Float]] = [:], seconds: Double = 0
  ) {
    self.index = index
    self.seed = seed
    self.trace = trace
    self.reward = reward
    self.outcome = outcome ?? trace.outcome
    self.extras = extras
    self.seconds = seconds
  }

  /// Whether the episode failed (collapse, non-finite loss or non-finite reward) and earns the
  /// penalty advantage instead of R − B.
  public var failed: Bool {
    outcome == "collapse" || outcome == "non-finite loss" || !reward.isFinite
  }

  enum CodingKeys: String, CodingKey { case index, seed, trace, reward, outcome, extras, seconds }

  /// Decodes a result; floats are read from their bit patterns.
  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    index = try c.decode(Int.self, forKey: .index)
    seed = try c.decode(UInt64.self, forKey: .seed)
    trace = try c.decode(EpisodeTrace.self, forKey: .trace)
    reward = try c.decodeExact(Float.self, forKey: .reward)
    outcome = try c.decode(String.self, forKey: .outcome)
    extras = try c.decode([String: [UInt32]].self, forKey: .extras).mapValues { $0.map(Float.init(bitPattern:)) }
    seconds = Double(bitPattern: try c.decode(UInt64.self, forKey: .seconds))
  }

  /// Encodes the result; floats are written as their bit patterns, so NaN and ±∞ survive JSON.
  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(index, forKey: .index)
    try c.encode(seed, forKey: .seed)
    try c.encode(trace, forKey: .trace)
    try c.encodeExact(reward, forKey: .reward)
    try c.encode(outcome, forKey: .outcome)
    try c.encode(extras.mapValues { $0.map(\.bitPattern) }, forKey: .extras)
    try c.encode(seconds.bitPattern, forKey: .seconds)
  }

  /// Bitwise equality of every field.
  public static func == (a: EpisodeResult, b: EpisodeResult) -> Bool {
    a.index == b.index && a.seed == b.seed && a.trace == b.trace && a.reward.bitPattern == b.reward.bitPattern
      && a.outcome == b.outcome
      && a.extras.mapValues { $0.map(\.bitPattern) } == b.extras.mapValues { $0.map(\.bitPattern) }
      && a.seconds.bitPattern == b.seconds.bitPattern
  }
}

/// Runs one episode of a task family under `controller` (a private copy for this job) with episode
/// seed `seed`, on executor slot `slot` (so that a family can keep one task model per slot).
/// The result must depend only on the controller weights and the seed.
public typealias EpisodeFunction =
  @Sendable (_ controller: Controller, _ seed: UInt64, _ slot: Int) throws -> EpisodeResult

/// One finished controller update: its episodes in job order and what the update made of them.
public struct ControllerUpdate: Sendable {
  /// The update's index (0-based).
  public var index: Int
  /// The update's episodes, in job order.
  public var episodes: [EpisodeResult]
  /// Per episode: the baseline after this episode (REINFORCE; NaN for antithetic).
  public var baselines: [Float]
  /// Per episode: the advantage it was weighted with (antithetic: ±(R+ − R−)/(2σ)).
  public var advantages: [Float]
  /// Per episode: whether it set a new best reward.
  public var newBest: [Bool]
  /// Whether the controller was re-drawn after a failed episode instead of stepping.
  public var reinitialized: Bool
}
