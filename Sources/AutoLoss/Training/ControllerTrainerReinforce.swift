import Engine

extension ControllerTrainer {
  /// One REINFORCE update: `episodesPerUpdate` episodes of the current controller, then one Adam
  /// step on the mean of their policy gradients (or a re-draw after a failed episode).
  func reinforceUpdate() throws -> ControllerUpdate {
    let first = episodesDone
    let count = min(config.episodesPerUpdate, config.episodes - episodesDone)
    let weights = controller.stateDict()
    let seeds = (0..<count).map { episodeSeed(first + $0) }
    let results = try runEpisodes(weights: Array(repeating: weights, count: count), seeds: seeds, first: first)
    var baselines: [Float] = []
    var advantages: [Float] = []
    var newBest: [Bool] = []
    for r in results {
      if r.failed {
        baselines.append(baseline ?? .nan)
        advantages.append(config.collapseAdvantage)
      } else {
        // The official code updates the baseline before taking the advantage.
        let b = updateBaseline(with: r.reward)
        baselines.append(b)
        advantages.append(
          clippedAdvantage(reward: r.reward, baseline: b, clip: config.advantageClip, floor: config.advantageFloor))
      }
      newBest.append(noteBest(r, weights: weights))
    }
    episodesDone += count
    let reinitialize = config.reinitializeOnCollapse && results.contains(where: \.failed)
    if reinitialize {
      self.reinitialize()
    } else {
      controller.zeroGrad()
      var any = false
      for (r, advantage) in zip(results, advantages) {
        let w = stepWeights(trace: r.trace, advantage: advantage).map { $0 / Float(count) }
        any = controller.accumulatePolicyGradient(trace: r.trace, weights: w) || any
      }
      if any { optimizer.step(controller.parameters) }
    }
    return ControllerUpdate(
      index: updatesDone, episodes: results, baselines: baselines, advantages: advantages, newBest: newBest,
      reinitialized: reinitialize)
  }

  /// Per-step REINFORCE weights: the advantage, plus the dense step reward when enabled.
  func stepWeights(trace: EpisodeTrace, advantage: Float) -> [Float] {
    var weights = [Float](repeating: advantage, count: trace.actions.count)
    guard config.denseStepReward, trace.checks.count > 1 else { return weights }
    // Step reward of the official code, computed at validation checks and given to the steps of the
    // segment that led to the check: sign(Δ)·min(√(|Δ| / (|EMA Δ| + 1e-5)), cap)·scale.
    var ema: Float = 0
    var previous = trace.checks[0]
    for check in trace.checks.dropFirst() {
      let delta = previous.error - check.error
      ema = 0.8 * ema + 0.2 * delta
      let r =
        (delta >= 0 ? 1 : -1) * min((abs(delta) / (abs(ema) + 1e-5)).squareRoot(), config.stepRewardCap)
        * config.stepRewardScale
      if r.isFinite {
        for t in max(previous.step, 0)..<min(check.step, weights.count) where t < weights.count { weights[t] += r }
      }
      previous = check
    }
    return weights
  }
}
