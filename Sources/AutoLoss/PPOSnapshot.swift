import Engine

/// Everything a ``PPOTrainer`` needs to continue exactly as an uninterrupted one would: actor,
/// critic and reference policy, both Adam states, the replay buffer, the update count and the
/// minibatch random stream. Codable, bit-exact (floats as bit patterns).
public struct PPOTrainerSnapshot: Codable, Sendable, Equatable {
  /// The trainer settings the snapshot was taken with.
  public var config: PPOConfig
  /// The length F of the state vector.
  public var featureCount: Int
  /// The number K of actions.
  public var actionCount: Int
  /// The actor's weights (`layer1.*`, `layer2.*`).
  public var actor: ParameterSet
  /// The critic's weights.
  public var critic: ParameterSet
  /// The reference policy π_old (equal to the actor right after a refresh).
  public var reference: ParameterSet
  /// The actor's Adam state, in the actor's parameter order.
  public var actorOptimizer: AdamState
  /// The critic's Adam state, in the critic's parameter order.
  public var criticOptimizer: AdamState
  /// The replay buffer, oldest first.
  public var buffer: [PPOTransition]
  /// Controller updates done.
  public var updates: Int
  /// The minibatch random stream.
  public var rng: SeededRandom
}

extension PPOTransition: Codable {
  enum CodingKeys: String, CodingKey { case state, action, reward, nextState, behaviourProbability, policyProbability }

  /// Decodes a transition; floats are read from their bit patterns.
  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    self.init(
      state: try c.decodeExact([Float].self, forKey: .state), action: try c.decode(Int.self, forKey: .action),
      reward: try c.decodeExact(Float.self, forKey: .reward),
      nextState: try c.decodeExact([Float].self, forKey: .nextState),
      behaviourProbability: try c.decodeIfPresent(UInt32.self, forKey: .behaviourProbability).map(
        Float.init(bitPattern:)),
      policyProbability: try c.decodeIfPresent(UInt32.self, forKey: .policyProbability).map(Float.init(bitPattern:)))
  }

  /// Encodes a transition; floats are written as their bit patterns.
  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encodeExact(state, forKey: .state)
    try c.encode(action, forKey: .action)
    try c.encodeExact(reward, forKey: .reward)
    try c.encodeExact(nextState, forKey: .nextState)
    try c.encodeIfPresent(behaviourProbability?.bitPattern, forKey: .behaviourProbability)
    try c.encodeIfPresent(policyProbability?.bitPattern, forKey: .policyProbability)
  }
}

extension PPOTrainer {
  /// The trainer's state (take it between updates).
  public func snapshot() -> PPOTrainerSnapshot {
    func weights(_ m: TanhMLP) -> ParameterSet {
      var d: [String: Tensor] = [:]
      for (name, p) in m.namedParameters { d[name] = p.value }
      return ParameterSet(d)
    }
    return PPOTrainerSnapshot(
      config: config, featureCount: featureCount, actionCount: actionCount, actor: weights(actor),
      critic: weights(critic), reference: weights(oldActor),
      actorOptimizer: actorOptimizer.exportState(parameters: actor.parameters),
      criticOptimizer: criticOptimizer.exportState(parameters: critic.parameters), buffer: buffer, updates: updates,
      rng: rng)
  }

  /// Continues from `s`, taken from a trainer with the same config and shape.
  ///
  /// - Throws: ``SnapshotMismatchError`` naming what differs, or the weight loader's error.
  public func restore(_ s: PPOTrainerSnapshot) throws {
    guard s.config == config else {
      throw SnapshotMismatchError(message: "PPO snapshot was taken with a different controller config")
    }
    guard s.featureCount == featureCount, s.actionCount == actionCount else {
      throw SnapshotMismatchError(
        message: "PPO snapshot has \(s.featureCount) features and \(s.actionCount) actions, "
          + "the trainer \(featureCount) and \(actionCount)")
    }
    for (name, state, module) in [
      ("actor", s.actorOptimizer, actor), ("critic", s.criticOptimizer, critic),
    ] where state.stepCount > 0 && state.m.count != module.parameters.count {
      throw SnapshotMismatchError(
        message: "PPO snapshot has \(name) Adam moments for \(state.m.count) parameters, "
          + "the \(name) \(module.parameters.count)")
    }
    try actor.load(s.actor.tensors)
    try critic.load(s.critic.tensors)
    try oldActor.load(s.reference.tensors)
    actorOptimizer.importState(s.actorOptimizer, parameters: actor.parameters)
    criticOptimizer.importState(s.criticOptimizer, parameters: critic.parameters)
    buffer = s.buffer
    updates = s.updates
    rng = s.rng
  }
}

extension PPOUpdateStats: Codable {
  enum CodingKeys: String, CodingKey { case actorLoss, criticLoss, entropy, clippedFraction }

  /// Decodes the statistics; floats are read from their bit patterns.
  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    self.init(
      actorLoss: try c.decodeExact(Float.self, forKey: .actorLoss),
      criticLoss: try c.decodeExact(Float.self, forKey: .criticLoss),
      entropy: try c.decodeExact(Float.self, forKey: .entropy),
      clippedFraction: try c.decodeExact(Float.self, forKey: .clippedFraction))
  }

  /// Encodes the statistics; floats are written as their bit patterns.
  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encodeExact(actorLoss, forKey: .actorLoss)
    try c.encodeExact(criticLoss, forKey: .criticLoss)
    try c.encodeExact(entropy, forKey: .entropy)
    try c.encodeExact(clippedFraction, forKey: .clippedFraction)
  }
}
