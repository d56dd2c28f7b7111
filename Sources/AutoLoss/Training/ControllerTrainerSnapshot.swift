import Engine

/// Everything a ``ControllerTrainer`` needs to continue after its last finished update exactly as
/// an uninterrupted run would: controller, Adam state, baseline, counters (which fix the trainer's
/// random stream), best episode, Polyak buffer and untrained weights. Codable, bit-exact.
public struct ControllerTrainerSnapshot: Codable, Sendable, Equatable {
  /// The trainer seed the snapshot was taken with.
  public var seed: UInt64
  /// The trainer settings the snapshot was taken with.
  public var config: ControllerTrainerConfig
  /// The controller weights after the last finished update.
  public var controller: ParameterSet
  /// The controller weights before any update.
  public var untrained: ParameterSet
  /// The weights that produced the best successful episode (the untrained ones before one).
  public var best: ParameterSet
  /// The weights after each of the last `averageLast` updates, oldest first (the Polyak buffer).
  public var recent: [ParameterSet]
  /// Adam steps taken (its bias-correction counter).
  public var adamStepCount: Int
  /// Adam moments per parameter, in the controller's parameter order (empty before the first step).
  public var adamM: [[Float]]
  /// Adam second moments per parameter, in the same order as ``adamM``.
  public var adamV: [[Float]]
  /// NaN when there is no baseline yet.
  public var baseline: Float
  /// Episodes run so far.
  public var episodesDone: Int
  /// Controller updates finished so far.
  public var updatesDone: Int
  /// Episodes in a row without a new best reward.
  public var episodesSinceBest: Int
  /// How often the controller was re-drawn after a failed episode.
  public var reinitializations: Int
  /// Failed (collapsed or non-finite) episodes so far.
  public var failedEpisodes: Int
  /// The best reward of a successful episode (−∞ before one).
  public var bestReward: Float
  /// The index of the best episode (−1 before one).
  public var bestEpisode: Int
}

extension ControllerTrainerSnapshot {
  enum CodingKeys: String, CodingKey {
    case seed, config, controller, untrained, best, recent, adamStepCount, adamM, adamV, baseline, episodesDone,
      updatesDone, episodesSinceBest, reinitializations, failedEpisodes, bestReward, bestEpisode
  }

  /// Decodes a snapshot; floats are read from their bit patterns.
  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    seed = try c.decode(UInt64.self, forKey: .seed)
    config = try c.decode(ControllerTrainerConfig.self, forKey: .config)
    controller = try c.decode(ParameterSet.self, forKey: .controller)
    untrained = try c.decode(ParameterSet.self, forKey: .untrained)
    best = try c.decode(ParameterSet.self, forKey: .best)
    recent = try c.decode([ParameterSet].self, forKey: .recent)
    adamStepCount = try c.decode(Int.self, forKey: .adamStepCount)
    adamM = try c.decode([[UInt32]].self, forKey: .adamM).map { $0.map(Float.init(bitPattern:)) }
    adamV = try c.decode([[UInt32]].self, forKey: .adamV).map { $0.map(Float.init(bitPattern:)) }
    baseline = try c.decodeExact(Float.self, forKey: .baseline)
    episodesDone = try c.decode(Int.self, forKey: .episodesDone)
    updatesDone = try c.decode(Int.self, forKey: .updatesDone)
    episodesSinceBest = try c.decode(Int.self, forKey: .episodesSinceBest)
    reinitializations = try c.decode(Int.self, forKey: .reinitializations)
    failedEpisodes = try c.decode(Int.self, forKey: .failedEpisodes)
    bestReward = try c.decodeExact(Float.self, forKey: .bestReward)
    bestEpisode = try c.decode(Int.self, forKey: .bestEpisode)
  }

  /// Encodes the snapshot; floats are written as their bit patterns, so NaN and ±∞ survive JSON.
  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(seed, forKey: .seed)
    try c.encode(config, forKey: .config)
    try c.encode(controller, forKey: .controller)
    try c.encode(untrained, forKey: .untrained)
    try c.encode(best, forKey: .best)
    try c.encode(recent, forKey: .recent)
    try c.encode(adamStepCount, forKey: .adamStepCount)
    try c.encode(adamM.map { $0.map(\.bitPattern) }, forKey: .adamM)
    try c.encode(adamV.map { $0.map(\.bitPattern) }, forKey: .adamV)
    try c.encodeExact(baseline, forKey: .baseline)
    try c.encode(episodesDone, forKey: .episodesDone)
    try c.encode(updatesDone, forKey: .updatesDone)
    try c.encode(episodesSinceBest, forKey: .episodesSinceBest)
    try c.encode(reinitializations, forKey: .reinitializations)
    try c.encode(failedEpisodes, forKey: .failedEpisodes)
    try c.encodeExact(bestReward, forKey: .bestReward)
    try c.encode(bestEpisode, forKey: .bestEpisode)
  }

  /// Bitwise equality of every field (NaN equals NaN when the bits agree).
  public static func == (a: ControllerTrainerSnapshot, b: ControllerTrainerSnapshot) -> Bool {
    func bits(_ x: [[Float]]) -> [[UInt32]] { x.map { $0.map(\.bitPattern) } }
    return a.seed == b.seed && a.config == b.config && a.controller == b.controller && a.untrained == b.untrained
      && a.best == b.best && a.recent == b.recent && a.adamStepCount == b.adamStepCount
      && bits(a.adamM) == bits(b.adamM) && bits(a.adamV) == bits(b.adamV)
      && a.baseline.bitPattern == b.baseline.bitPattern && a.episodesDone == b.episodesDone
      && a.updatesDone == b.updatesDone && a.episodesSinceBest == b.episodesSinceBest
      && a.reinitializations == b.reinitializations && a.failedEpisodes == b.failedEpisodes
      && a.bestReward.bitPattern == b.bestReward.bitPattern && a.bestEpisode == b.bestEpisode
  }
}

/// A snapshot that does not fit the trainer it is restored into.
public struct SnapshotMismatchError: Error, CustomStringConvertible, Sendable {
  /// What differs between the snapshot and the trainer.
  public var message: String
  /// The ``message``.
  public var description: String { message }
}

extension ControllerTrainer {
  /// The state after the last finished update.
  public func snapshot() -> ControllerTrainerSnapshot {
    let adam = optimizer.exportState(parameters: controller.parameters)
    return ControllerTrainerSnapshot(
      seed: seed, config: config, controller: ParameterSet(controller.stateDict()),
      untrained: ParameterSet(untrainedWeights), best: ParameterSet(bestWeights),
      recent: recentWeights.map(ParameterSet.init), adamStepCount: adam.stepCount, adamM: adam.m, adamV: adam.v,
      baseline: baseline ?? .nan, episodesDone: episodesDone, updatesDone: updatesDone,
      episodesSinceBest: episodesSinceBest, reinitializations: reinitializations, failedEpisodes: failedEpisodes,
      bestReward: bestReward, bestEpisode: bestEpisode)
  }

  /// Continues from `s`, taken from a trainer with the same seed, config and architecture.
  /// - Throws: ``SnapshotMismatchError`` naming what differs, or the weight loader's error.
  public func restore(_ s: ControllerTrainerSnapshot) throws {
    guard s.seed == seed else { throw SnapshotMismatchError(message: "snapshot seed \(s.seed), trainer seed \(seed)") }
    guard s.config == config else {
      throw SnapshotMismatchError(message: "snapshot was taken with a different controller config")
    }
    let untrained = s.untrained.tensors
    guard untrained == untrainedWeights else {
      throw SnapshotMismatchError(message: "snapshot's untrained controller differs from this trainer's")
    }
    let parameters = controller.parameters
    guard s.adamM.count == parameters.count || s.adamStepCount == 0, s.adamM.count == s.adamV.count else {
      throw SnapshotMismatchError(
        message: "snapshot has Adam moments for \(s.adamM.count) parameters, the controller \(parameters.count)")
    }
    try controller.load(s.controller.tensors)
    optimizer.importState(AdamState(stepCount: s.adamStepCount, m: s.adamM, v: s.adamV), parameters: parameters)
    baseline = s.baseline.isNaN ? nil : s.baseline
    episodesDone = s.episodesDone
    updatesDone = s.updatesDone
    episodesSinceBest = s.episodesSinceBest
    reinitializations = s.reinitializations
    failedEpisodes = s.failedEpisodes
    bestReward = s.bestReward
    bestEpisode = s.bestEpisode
    bestWeights = s.best.tensors
    recentWeights = s.recent.map(\.tensors)
  }
}
