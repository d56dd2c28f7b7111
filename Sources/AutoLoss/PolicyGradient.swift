import Engine

extension Controller {
  /// Adds the gradient of −Σ_t weights[t] · log π(a_t | x_t) / T for one episode to the parameters'
  /// gradients (REINFORCE); joint-objective steps (action −1) are skipped. Returns false when the
  /// trace has no per-step features to learn from.
  @discardableResult
  public func accumulatePolicyGradient(trace: EpisodeTrace, weights: [Float]) -> Bool {
    let steps = trace.actions.count
    guard steps > 0, trace.features.count == steps * featureCount, weights.count == steps else { return false }
    let logp = logProbabilities(Tensor(shape: [steps, featureCount], data: trace.features))
    var selector = [Float](repeating: 0, count: steps * actionCount)
    for t in 0..<steps where trace.actions[t] >= 0 {
      selector[t * actionCount + Int(trace.actions[t])] = -weights[t] / Float(steps)
    }
    (logp * Variable(Tensor(shape: [steps, actionCount], data: selector))).sum().backward()
    return true
  }
}

/// R − B clipped into [−clip, clip], with |R − B| raised to at least `floor` (the GAN code's [1, 20]).
public func clippedAdvantage(reward: Float, baseline: Float, clip: Float, floor: Float = 0) -> Float {
  let raw = reward - baseline
  var advantage = min(max(raw, -clip), clip)
  if floor > 0 && abs(advantage) < floor { advantage = raw < 0 ? -floor : floor }
  return advantage
}

/// The seed of episode `index` of a controller trainer seeded with `trainerSeed`: fixed by the two,
/// so a resumed or repeated run draws every episode exactly as before.
public func episodeSeed(trainerSeed: UInt64, index: Int) -> UInt64 {
  var r = SeededRandom(seed: trainerSeed &+ UInt64(index) &* 0x9E37_79B9_7F4A_7C15)
  return r.next()
}
