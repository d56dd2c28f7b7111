import Engine

extension ControllerTrainer {
  /// One antithetic update: per pair, ε ~ N(0, I); θ + σε and θ − σε run on the same episode seed;
  /// one Adam ascent step along g = mean over pairs of (R+ − R−)/(2σ)·ε. A failed episode counts as
  /// worse than its partner by at least |`collapseAdvantage`|: its own finite reward when that is
  /// lower still (a collapsed GAN earns R = 0), else the partner's reward minus the penalty. A pair
  /// that failed twice contributes nothing.
  func antitheticUpdate() throws -> ControllerUpdate {
    let first = episodesDone
    let pairs = max(1, min(config.episodesPerUpdate, (config.episodes - episodesDone) / 2))
    let sigma = config.antitheticSigma
    let named = controller.namedParameters
    var rng = updateRandom()
    var directions: [[String: Tensor]] = []
    var weights: [[String: Tensor]] = []
    var seeds: [UInt64] = []
    for pair in 0..<pairs {
      var eps: [String: Tensor] = [:]
      var plus: [String: Tensor] = [:]
      var minus: [String: Tensor] = [:]
      for (name, p) in named {
        let e = rng.normalTensor(p.value.shape)
        eps[name] = e
        var a = p.value
        a.addScaled(e, sigma)
        var b = p.value
        b.addScaled(e, -sigma)
        plus[name] = a
        minus[name] = b
      }
      directions.append(eps)
      weights += [plus, minus]
      let s = episodeSeed(first + 2 * pair)
      seeds += [s, s]
    }
    let results = try runEpisodes(weights: weights, seeds: seeds, first: first)
    var baselines: [Float] = []
    var advantages: [Float] = []
    var newBest: [Bool] = []
    var gradient: [String: Tensor] = [:]
    for (name, p) in named { gradient[name] = Tensor(shape: p.value.shape, repeating: 0) }
    for pair in 0..<pairs {
      let (rp, rm) = (results[2 * pair], results[2 * pair + 1])
      let raw = rp.reward.isFinite && rm.reward.isFinite ? rp.reward - rm.reward : 0
      let penalty = abs(config.collapseAdvantage)
      let difference: Float
      switch (rp.failed, rm.failed) {
      case (false, false): difference = raw
      case (true, false): difference = min(raw, 0) - penalty
      case (false, true): difference = max(raw, 0) + penalty
      case (true, true): difference = 0
      }
      let scale = difference / (2 * sigma)
      for (name, e) in directions[pair] { gradient[name]?.addScaled(e, scale / Float(pairs)) }
      advantages += [scale, -scale]
      for (j, r) in [rp, rm].enumerated() {
        baselines.append(r.failed ? (baseline ?? .nan) : updateBaseline(with: r.reward))
        newBest.append(noteBest(r, weights: weights[2 * pair + j]))
      }
    }
    episodesDone += 2 * pairs
    let reinitialize = config.reinitializeOnCollapse && results.contains(where: \.failed)
    if reinitialize {
      self.reinitialize()
    } else {
      // Adam descends; ascent on R is descent along −g.
      for (name, p) in named {
        p.grad = gradient[name].map { Tensor(shape: $0.shape, data: $0.data.map { -$0 }) }
      }
      optimizer.step(controller.parameters)
    }
    return ControllerUpdate(
      index: updatesDone, episodes: results, baselines: baselines, advantages: advantages, newBest: newBest,
      reinitialized: reinitialize)
  }
}
