import Engine
import XCTest

@testable import AutoLoss

final class PPOTests: XCTestCase {
  /// A two-armed bandit with a constant state: arm 1 pays 1, arm 0 pays 0. PPO must learn arm 1.
  func testLearnsTheBetterArmOfATwoArmedBandit() {
    var config = PPOConfig()
    config.discount = 0
    config.syncEvery = 1
    config.learningRate = 1e-2
    config.bufferSize = 200
    let trainer = PPOTrainer(featureCount: 2, actionCount: 2, config: config, seed: 7)
    var rng = SeededRandom(seed: 3)
    let state: [Float] = [1, 0.5]
    let before = trainer.probabilities(state)[1]
    for _ in 0..<60 {
      var transitions: [PPOTransition] = []
      for _ in 0..<20 {
        let (a, _, _) = trainer.act(state, exploration: 0, rng: &rng)
        transitions.append(PPOTransition(state: state, action: a, reward: a == 1 ? 1 : 0, nextState: state))
      }
      trainer.store(transitions)
      trainer.update()
    }
    let after = trainer.probabilities(state)[1]
    XCTAssertGreaterThan(after, 0.9, "P(better arm) went from \(before) to \(after)")
    // The critic learns the expected reward of the policy (γ = 0): close to P(arm 1).
    let v = trainer.critic.evaluate(state)[0]
    XCTAssertEqual(v, after, accuracy: 0.15)
  }

  /// One minibatch step moves the probability of a positive-advantage action up, and the
  /// clipped surrogate stops pushing once the ratio leaves [1 − ε, 1 + ε].
  func testDecoupledRatioWeightsTheSurrogateByPolicyOverBehaviour() throws {
    func firstActorLoss(_ reference: PPORatioReference) throws -> Float {
      var config = PPOConfig()
      config.discount = 0
      config.entropyBonus = 0
      config.minibatchUpdates = 1
      config.ratioReference = reference
      let trainer = PPOTrainer(featureCount: 1, actionCount: 2, config: config, seed: 1)
      let s: [Float] = [1]
      let p = trainer.probabilities(s)[1]
      // Drawn by ε-exploration twice as often as π would have taken it.
      trainer.store([
        PPOTransition(
          state: s, action: 1, reward: 3, nextState: s, behaviourProbability: 2 * p, policyProbability: p)
      ])
      return try XCTUnwrap(trainer.update()).actorLoss
    }
    let centred = try firstActorLoss(.collectionPolicy)
    XCTAssertNotEqual(centred, 0)
    // Both start at ratio π/π = 1; the decoupled surrogate carries the weight π/μ = 1/2.
    XCTAssertEqual(try firstActorLoss(.decoupled), centred / 2, accuracy: 1e-6)
    XCTAssertEqual(try firstActorLoss(.behaviour), centred / 2, accuracy: 1e-6)  // ratio π/μ = 1/2, unclipped below
  }

  func testClippingStopsTheUpdate() {
    func run(clip: Float) -> (p0: Float, last: Float, clippedSeen: Bool) {
      var config = PPOConfig()
      config.discount = 0
      config.syncEvery = 1000
      config.learningRate = 0.05
      config.minibatchUpdates = 1
      config.clip = clip
      config.zeroInitialOutput = false
      let trainer = PPOTrainer(featureCount: 1, actionCount: 2, config: config, seed: 1)
      let s: [Float] = [1]
      let p0 = trainer.probabilities(s)[0]
      trainer.store([PPOTransition(state: s, action: 0, reward: 10, nextState: s)])
      var last = p0
      var clippedSeen = false
      for _ in 0..<200 {
        let stats = trainer.update()!
        if stats.clippedFraction == 1 { clippedSeen = true }
        last = trainer.probabilities(s)[0]
      }
      return (p0, last, clippedSeen)
    }
    let clipped = run(clip: 0.2)
    XCTAssertTrue(clipped.clippedSeen)
    // Once clipped, π(a)/π_old(a) stays near 1 + ε (Adam momentum carries it somewhat past);
    // without clipping the same updates drive π(a) to ~1.
    XCTAssertGreaterThan(clipped.last / clipped.p0, 1.05)
    XCTAssertLessThan(clipped.last / clipped.p0, 1.6)
    let free = run(clip: 100)
    XCTAssertFalse(free.clippedSeen)
    XCTAssertGreaterThan(free.last, 0.95)
  }

  func testSegmentRewardFollowsThePaperFormula() {
    var r = SegmentReward(scale: 2, history: 2, clip: 100, minimumRelativeImprovement: 0)
    XCTAssertNil(r.add(10))  // boundary 0: start
    XCTAssertNil(r.add(8))  // segment 1: no history
    // Segment 2: Δ = 8 − 7 = 1; past k = 1 segment improved by 2 → R = 2 · 1 / 2.
    XCTAssertEqual(r.add(7)!, 1, accuracy: 1e-6)
    // Segment 3: Δ = 7 − 6.5 = 0.5; past k = 2 segments: (10 − 7) / 2 = 1.5 → R = 2 · 0.5 / 1.5.
    XCTAssertEqual(r.add(6.5)!, 2.0 / 3.0, accuracy: 1e-6)
    // A deterioration gives a negative reward: Δ = −0.25, past (8 − 6.5) / 2 = 0.75 → −2/3.
    XCTAssertEqual(r.add(6.75)!, -2.0 / 3.0, accuracy: 1e-6)
  }

  func testSegmentRewardIsFlooredAndClipped() {
    var r = SegmentReward(scale: 1, history: 1, clip: 5, minimumRelativeImprovement: 0.01)
    _ = r.add(10)
    _ = r.add(10)  // no improvement in the past segment
    // Past improvement 0 → floor 0.01·10 = 0.1; Δ = 1 → 10, clipped to 5.
    XCTAssertEqual(r.add(9)!, 5, accuracy: 1e-6)
  }

  /// The paper's normalisation by recent progress pays a slow steady decline at least as much as a
  /// fast one (both geometric: each segment's drop is a fixed fraction of the metric), so it cannot
  /// reward a schedule that speeds the metric's progress over one that slows it; the metric
  /// normalisation pays the fast decline ten times as much.
  func testMetricNormalisationRanksFastProgressAboveSlow() {
    func meanReward(_ normalization: SegmentRewardNormalization, dropPerSegment: Float) -> Float {
      var r = SegmentReward(
        scale: 1, history: 5, clip: 100, minimumRelativeImprovement: 1e-3, normalization: normalization)
      var value: Float = 100
      var rewards: [Float] = []
      for _ in 0..<30 {
        if let x = r.add(value) { rewards.append(x) }
        value *= 1 - dropPerSegment
      }
      return rewards.reduce(0, +) / Float(rewards.count)
    }
    let paperFast = meanReward(.recentProgress, dropPerSegment: 0.02)
    let paperSlow = meanReward(.recentProgress, dropPerSegment: 0.002)
    // Each drop is (1 − d) of the one before, so R ≈ C·(1 − d)^3 for k = 5: 0.94 and 0.99.
    XCTAssertEqual(paperFast, 0.94, accuracy: 0.01)
    XCTAssertEqual(paperSlow, 0.99, accuracy: 0.01)
    XCTAssertGreaterThanOrEqual(paperSlow, paperFast, "the paper's reward pays the slow decline at least as much")
    let fast = meanReward(.metric, dropPerSegment: 0.02)
    let slow = meanReward(.metric, dropPerSegment: 0.002)
    XCTAssertEqual(fast, 0.02, accuracy: 1e-4)
    XCTAssertEqual(slow, 0.002, accuracy: 1e-5)
  }

  func testMetricNormalisationNeedsOnlyOneBoundary() {
    var r = SegmentReward(scale: 100, history: 5, clip: 5, minimumRelativeImprovement: 0, normalization: .metric)
    XCTAssertNil(r.add(80))
    XCTAssertEqual(r.add(79)!, 1.25, accuracy: 1e-4)  // 100 · 1/80
    XCTAssertEqual(r.add(79)!, 0, accuracy: 1e-6)  // no progress earns 0 whatever came before
    XCTAssertEqual(r.add(60)!, 5, accuracy: 1e-6)  // clipped
    XCTAssertEqual(r.add(.nan)!, -5, accuracy: 1e-6)
  }

  func testCheckpointRoundTrip() throws {
    var config = PPOConfig()
    config.zeroInitialOutput = false
    let a = PPOTrainer(featureCount: 3, actionCount: 3, config: config, seed: 1)
    let b = PPOTrainer(featureCount: 3, actionCount: 3, config: config, seed: 2)
    let s: [Float] = [0.1, -0.2, 0.3]
    XCTAssertNotEqual(a.probabilities(s), b.probabilities(s))
    try b.load(a.stateDict())
    XCTAssertEqual(a.probabilities(s), b.probabilities(s))
  }
}
