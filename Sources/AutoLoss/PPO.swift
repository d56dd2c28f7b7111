import Engine
import Foundation

/// Settings of the online PPO controller (paper-spec section 5: the paper's constants where it
/// gives them, the official code's otherwise; T, k and C of the segment reward are not given
/// anywhere and are ours).
public struct PPOConfig: Sendable, Codable, Equatable {
  /// Hidden units of the actor and of the critic (tanh MLPs).
  public var hidden = 32
  /// Adam learning rate of actor and critic.
  public var learningRate: Float = 1e-3
  /// Discount γ of the critic target r + γ V(s′) (the paper: 0.95; the code: 0.9).
  public var discount: Float = 0.95
  /// PPO ratio clip ε.
  public var clip: Float = 0.2
  /// Entropy bonus β (the loss subtracts β·H; the official code adds it, a sign bug).
  public var entropyBonus: Float = 1e-5
  /// Replay buffer capacity in transitions (the paper: 2000; the code: 200).
  public var bufferSize = 2000
  /// Transitions per minibatch.
  public var minibatchSize = 64
  /// Minibatch updates per controller update (one controller update per segment).
  public var minibatchUpdates = 10
  /// Controller updates between copies of the actor into the old (reference) policy (the paper: 10;
  /// the official code: 1, the reference is refreshed after every update).
  public var syncEvery = 1
  /// Validation checks per reward segment (T = segmentChecks × the task's validation interval).
  public var segmentChecks = 1
  /// Past segments k that normalize the reward.
  public var historySegments = 5
  /// Reward scale C.
  public var rewardScale: Float = 1
  /// The reward is clipped into [−rewardClip, rewardClip].
  public var rewardClip: Float = 5
  /// Floor of the normalizer, relative to the metric (guards against division by ~0 or a past
  /// deterioration flipping the sign).
  public var minimumRelativeImprovement: Float = 1e-3
  /// What a segment's improvement is divided by: the past segments' progress (the paper) or the
  /// metric itself (see ``SegmentRewardNormalization``).
  public var rewardNormalization = SegmentRewardNormalization.recentProgress
  /// Leave the untrained model's check (step 0) out of the reward history.
  public var skipInitialCheck = true
  /// ε-exploration (a uniformly random action with probability ε), constant within a training run
  /// and decaying linearly over meta-episodes from `explorationStart` (meta-episode 0) to
  /// `explorationEnd` (meta-episode `explorationEpisodes` − 1 and later); the official code:
  /// ε = linspace(0.5, 0.1, 5) indexed by meta-episode. Frozen evaluation uses no exploration.
  public var explorationStart: Float = 0.5
  /// ε from meta-episode `explorationEpisodes` − 1 on.
  public var explorationEnd: Float = 0.1
  /// Meta-episodes over which ε decays from `explorationStart` to `explorationEnd`.
  public var explorationEpisodes = 5
  /// Normalize advantages within each minibatch (mean 0, standard deviation 1).
  public var normalizeAdvantages = true
  /// The actor's output layer starts at zero, so the untrained policy is uniform.
  public var zeroInitialOutput = true
  /// What the probability ratio ρ of the clipped surrogate divides by (see ``PPORatioReference``).
  public var ratioReference = PPORatioReference.behaviour

  /// The default settings listed above.
  public init() {}

  /// ε of meta-episode `episode`: linear from `explorationStart` to `explorationEnd` over the first
  /// `explorationEpisodes` meta-episodes, then constant.
  public func exploration(episode: Int) -> Float {
    guard explorationEpisodes > 1 else { return explorationEnd }
    let f = min(1, Float(max(episode, 0)) / Float(explorationEpisodes - 1))
    return explorationStart + (explorationEnd - explorationStart) * f
  }
}

/// The denominator of PPO's probability ratio ρ = π(a|s) / π_ref(a|s).
public enum PPORatioReference: String, Sendable, Codable, CaseIterable {
  /// The official code's: π_old, the actor as of the last refresh, recomputed at update time for
  /// every transition of the replay buffer, whichever policy took it, and without the ε-exploration
  /// it was drawn with.
  case previousPolicy
  /// Standard PPO's: the probability the action was drawn with, stored with the transition (the
  /// behaviour policy (1−ε)π + ε/K of its time). Replayed and explored transitions are weighted by
  /// how likely the current policy is to take them, and the clip stops a transition's push once
  /// the policy has moved 1 ± clip away from the one that acted. As the trust region is centred on
  /// the ε-mixed policy, an explored action is no longer pushed down once π(a) < (1 − clip)·μ(a),
  /// so π keeps every action above about (1 − clip)(ε/K) / (1 − (1 − clip)(1 − ε)) (0.14 for ε 0.1,
  /// clip 0.2 and K = 2): the most decisive policy it learns is mixed. Measured on
  /// ``MultiTaskProgressTask`` (noisy segment rewards, overfitting main task), it learns the best
  /// frozen controllers of the three references (see ``KnownAnswer``).
  case behaviour
  /// The actor's probability π(a|s) when the action was taken (before the ε-exploration mix),
  /// stored with the transition: each replayed transition is judged against the policy that
  /// collected it, so its push stops once the policy has moved 1 ± clip away from that policy.
  case collectionPolicy
  /// Decoupled PPO (Hilton et al. 2022): the clip is centred on the stored collection policy π
  /// (as ``collectionPolicy``) and each transition's surrogate is weighted by π(a|s) / μ(a|s), the
  /// stored collection probability over the stored behaviour probability, which corrects for the
  /// ε-exploration (an explored action counts as much as π would have taken it). The trust region
  /// does not keep explored actions above a floor, as ``behaviour``'s does.
  case decoupled
}

/// One stored transition (s, a, r, s′) with the probability of `a` under the behaviour policy.
public struct PPOTransition: Sendable, Equatable {
  /// The features s when the action was taken.
  public var state: [Float]
  /// The action a taken.
  public var action: Int
  /// The reward r of the segment the step belongs to.
  public var reward: Float
  /// The features s′ after the step.
  public var nextState: [Float]
  /// The probability μ(a|s) the action was drawn with (nil when not known).
  public var behaviourProbability: Float?
  /// The actor's probability π(a|s) when the action was taken, before the ε mix (nil when not known).
  public var policyProbability: Float?

  /// Creates a transition (s, a, r, s′), drawn with probability `behaviourProbability` from the
  /// actor's `policyProbability` mixed with ε-exploration.
  public init(
    state: [Float], action: Int, reward: Float, nextState: [Float], behaviourProbability: Float? = nil,
    policyProbability: Float? = nil
  ) {
    self.state = state
    self.action = action
    self.reward = reward
    self.nextState = nextState
    self.behaviourProbability = behaviourProbability
    self.policyProbability = policyProbability
  }
}

/// A two-layer tanh MLP, x `[N, F]` → Linear(F, hidden) → tanh → Linear(hidden, out).
public final class TanhMLP: Module {
  /// The hidden layer, `[N, F]` → `[N, hidden]`.
  public let layer1: Linear
  /// The output layer, `[N, hidden]` → `[N, out]`.
  public let layer2: Linear

  /// Creates the MLP; both layers are `Linear` layers with their default initialization.
  ///
  /// - Parameters:
  ///   - inputSize: Features F per row.
  ///   - hidden: Hidden units.
  ///   - outputSize: Outputs per row.
  ///   - rng: The source of the initial weights.
  public init(inputSize: Int, hidden: Int, outputSize: Int, rng: inout SeededRandom) {
    layer1 = Linear(inputSize, hidden, rng: &rng)
    layer2 = Linear(hidden, outputSize, rng: &rng)
  }

  /// The parameters, named `layer1.*` and `layer2.*`.
  public var namedParameters: [(String, Variable)] { prefixed("layer1", layer1) + prefixed("layer2", layer2) }

  /// The output `[N, out]` for inputs `[N, F]`, on the tape.
  public func callAsFunction(_ x: Variable) -> Variable { layer2(layer1(x).tanh()) }

  /// The output for one input row, without the tape.
  public func evaluate(_ x: [Float]) -> [Float] {
    GradMode.withoutRecording { self(Variable(Tensor(shape: [1, x.count], data: x))).value.data }
  }
}

/// Statistics of one controller update.
public struct PPOUpdateStats: Sendable, Equatable {
  /// The clipped surrogate loss with the entropy term, averaged over the minibatches.
  public var actorLoss: Float
  /// The critic's mean squared error, averaged over the minibatches.
  public var criticLoss: Float
  /// The mean policy entropy H(π(·|s)), averaged over the minibatches.
  public var entropy: Float
  /// Fraction of samples whose ratio was clipped.
  public var clippedFraction: Float
}

/// Proximal policy optimization of a softmax actor with a state-value critic, trained from a
/// replay buffer (the paper's online AutoLoss controller for NMT).
///
/// Per update: `minibatchUpdates` times, draw `minibatchSize` transitions uniformly from the
/// buffer; target y = r + γ V(s′) and advantage A = y − V(s) (both constants); actor loss
/// −mean(min(ρA, clip(ρ, 1−ε, 1+ε)A)) − β·mean H(π(·|s)) with ρ = π(a|s) / π_old(a|s); critic
/// loss mean (V(s) − y)². A is normalized within the minibatch when `normalizeAdvantages` is on.
/// With ``PPORatioReference/previousPolicy``, π_old is a copy of the actor refreshed every
/// `syncEvery` updates (1: after every update, so each update starts at ρ = 1 and the clip bounds
/// how far one update moves the policy); with ``PPORatioReference/behaviour`` it is the stored
/// probability the action was drawn with, with ``PPORatioReference/collectionPolicy`` the stored
/// π(a|s) of the actor that took it; ``PPORatioReference/decoupled`` also weights each
/// advantage by the stored π(a|s)/μ(a|s).
public final class PPOTrainer {
  /// The settings.
  public let config: PPOConfig
  /// The length F of the state vector.
  public let featureCount: Int
  /// The number K of actions.
  public let actionCount: Int
  /// The policy network: features `[N, F]` → logits `[N, K]`.
  public let actor: TanhMLP
  /// The value network: features `[N, F]` → V(s) `[N, 1]`.
  public let critic: TanhMLP
  let oldActor: TanhMLP
  let actorOptimizer: Adam
  let criticOptimizer: Adam
  /// The replay buffer (oldest first).
  public internal(set) var buffer: [PPOTransition] = []
  /// Controller updates done.
  public internal(set) var updates = 0
  var rng: SeededRandom

  /// Creates actor, critic and reference policy, seeded by `seed`.
  ///
  /// - Parameters:
  ///   - featureCount: The length F of the state vector.
  ///   - actionCount: The number K of actions.
  ///   - config: The settings.
  ///   - seed: Seeds the initial weights and the minibatch draws.
  public init(featureCount: Int, actionCount: Int, config: PPOConfig, seed: UInt64) {
    self.config = config
    self.featureCount = featureCount
    self.actionCount = actionCount
    var r = SeededRandom(seed: seed)
    actor = TanhMLP(inputSize: featureCount, hidden: config.hidden, outputSize: actionCount, rng: &r)
    critic = TanhMLP(inputSize: featureCount, hidden: config.hidden, outputSize: 1, rng: &r)
    oldActor = TanhMLP(inputSize: featureCount, hidden: config.hidden, outputSize: actionCount, rng: &r)
    if config.zeroInitialOutput {
      actor.layer2.weight.value = .zeros(actor.layer2.weight.value.shape)
      if let b = actor.layer2.bias { b.value = .zeros(b.value.shape) }
    }
    actorOptimizer = Adam(learningRate: config.learningRate)
    criticOptimizer = Adam(learningRate: config.learningRate)
    rng = r.fork()
    syncOld()
  }

  func syncOld() {
    for ((_, o), (_, a)) in zip(oldActor.namedParameters, actor.namedParameters) { o.value = a.value }
  }

  /// π(· | features) of the current actor.
  public func probabilities(_ features: [Float]) -> [Float] {
    Tensor(shape: [actionCount], data: actor.evaluate(features)).softmax().data
  }

  /// π_old(· | features) of the reference (old) policy.
  public func referenceProbabilities(_ features: [Float]) -> [Float] {
    Tensor(shape: [actionCount], data: oldActor.evaluate(features)).softmax().data
  }

  /// The exploration rate ε of meta-episode `episode` (0-based).
  public func exploration(episode: Int) -> Float { config.exploration(episode: episode) }

  /// Samples an action: with probability `exploration` uniformly, otherwise from π. Returns the
  /// action, the behaviour distribution (1−ε)π + ε/K it was drawn from and π.
  public func act(_ features: [Float], exploration eps: Float, rng: inout SeededRandom) -> (
    action: Int, probabilities: [Float], policy: [Float]
  ) {
    let p = probabilities(features)
    let mixed = p.map { (1 - eps) * $0 + eps / Float(actionCount) }
    return (rng.categorical(mixed), mixed, p)
  }

  /// Adds transitions to the buffer, dropping the oldest beyond `bufferSize`.
  public func store(_ transitions: [PPOTransition]) {
    buffer += transitions
    if buffer.count > config.bufferSize { buffer.removeFirst(buffer.count - config.bufferSize) }
  }

  /// One controller update (`minibatchUpdates` minibatch steps); nil when the buffer is empty.
  @discardableResult
  public func update() -> PPOUpdateStats? {
    guard !buffer.isEmpty else { return nil }
    var totals = (actor: Float(0), critic: Float(0), entropy: Float(0), clipped: Float(0))
    let rounds = max(config.minibatchUpdates, 1)
    for _ in 0..<rounds {
      let n = min(config.minibatchSize, buffer.count)
      let batch = (0..<n).map { _ in buffer[rng.int(below: buffer.count)] }
      let s = updateMinibatch(batch)
      totals.actor += s.actorLoss
      totals.critic += s.criticLoss
      totals.entropy += s.entropy
      totals.clipped += s.clippedFraction
    }
    updates += 1
    if updates % max(config.syncEvery, 1) == 0 { syncOld() }
    let k = Float(rounds)
    return PPOUpdateStats(
      actorLoss: totals.actor / k, criticLoss: totals.critic / k, entropy: totals.entropy / k,
      clippedFraction: totals.clipped / k)
  }

  func updateMinibatch(_ batch: [PPOTransition]) -> PPOUpdateStats {
    let n = batch.count
    let f = featureCount
    let k = actionCount
    let states = Tensor(shape: [n, f], data: batch.flatMap(\.state))
    let nextStates = Tensor(shape: [n, f], data: batch.flatMap(\.nextState))
    // Constants: targets, advantages and old log-probabilities.
    let (values, nextValues, oldLogp) = GradMode.withoutRecording {
      (
        critic(Variable(states)).value.data, critic(Variable(nextStates)).value.data,
        oldActor(Variable(states)).value.logSoftmax()
      )
    }
    var targets = [Float](repeating: 0, count: n)
    var adv = [Float](repeating: 0, count: n)
    for i in 0..<n {
      targets[i] = batch[i].reward + config.discount * nextValues[i]
      adv[i] = targets[i] - values[i]
    }
    if config.normalizeAdvantages && n > 1 {
      let mean = adv.reduce(0, +) / Float(n)
      let sd = (adv.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(n)).squareRoot()
      adv = adv.map { ($0 - mean) / (sd + 1e-8) }
    }
    // Actor: the clipped surrogate. Its gradient is that of ρA on samples where the min picks
    // the unclipped term and 0 where it picks the (constant) clipped one.
    actor.zeroGrad()
    let logp = actor(Variable(states)).logSoftmax()
    var onehot = [Float](repeating: 0, count: n * k)
    var oldSel = [Float](repeating: 0, count: n)
    for i in 0..<n {
      onehot[i * k + batch[i].action] = 1
      let stored: Float? =
        switch config.ratioReference {
        case .previousPolicy: nil
        case .behaviour: batch[i].behaviourProbability
        case .collectionPolicy, .decoupled: batch[i].policyProbability
        }
      if let stored, stored > 0 {
        oldSel[i] = Foundation.log(stored)
      } else {
        oldSel[i] = oldLogp.data[i * k + batch[i].action]
      }
      if config.ratioReference == .decoupled, let p = batch[i].policyProbability,
        let mu = batch[i].behaviourProbability, p > 0, mu > 0
      {
        adv[i] *= p / mu  // the importance weight π/μ of the ε-exploration (at most 1/(1 − ε))
      }
    }
    let selected = (logp * Variable(Tensor(shape: [n, k], data: onehot))).sum(axis: 1)
    let ratio = (selected - Variable(Tensor(shape: [n], data: oldSel))).exp()
    var weights = [Float](repeating: 0, count: n)
    var surrogate: Float = 0
    var clipped = 0
    for i in 0..<n {
      let r = ratio.value.data[i]
      let rc = min(max(r, 1 - config.clip), 1 + config.clip)
      let unclipped = r * adv[i]
      let clippedTerm = rc * adv[i]
      surrogate += min(unclipped, clippedTerm)
      if unclipped <= clippedTerm {
        weights[i] = -adv[i] / Float(n)
      } else {
        clipped += 1
      }
    }
    let probs = logp.exp()
    let negEntropy = (probs * logp).sum() * (1 / Float(n))
    let actorLoss = (ratio * Variable(Tensor(shape: [n], data: weights))).sum() + negEntropy * config.entropyBonus
    actorLoss.backward()
    actorOptimizer.step(actor.parameters)
    actor.zeroGrad()
    // Critic: regression on the targets.
    critic.zeroGrad()
    let v = critic(Variable(states)).reshaped([n])
    let criticLoss = mseLoss(v, Tensor(shape: [n], data: targets))
    criticLoss.backward()
    criticOptimizer.step(critic.parameters)
    critic.zeroGrad()
    return PPOUpdateStats(
      actorLoss: -surrogate / Float(n) + negEntropy.value.scalar * config.entropyBonus,
      criticLoss: criticLoss.value.scalar, entropy: -negEntropy.value.scalar,
      clippedFraction: Float(clipped) / Float(n))
  }

  /// Actor and critic parameters, prefixed `actor.` and `critic.` (a checkpoint).
  public func stateDict() -> [String: Tensor] {
    var d: [String: Tensor] = [:]
    for (name, p) in actor.namedParameters { d["actor.\(name)"] = p.value }
    for (name, p) in critic.namedParameters { d["critic.\(name)"] = p.value }
    return d
  }

  /// Loads a checkpoint of ``stateDict()``; the old policy is synced to the loaded actor.
  public func load(_ state: [String: Tensor]) throws {
    var a: [String: Tensor] = [:]
    var c: [String: Tensor] = [:]
    for (name, t) in state {
      if name.hasPrefix("actor.") { a[String(name.dropFirst(6))] = t }
      if name.hasPrefix("critic.") { c[String(name.dropFirst(7))] = t }
    }
    try actor.load(a)
    try critic.load(c)
    syncOld()
  }
}
