/// How the controller's parameters are updated from episodes.
public enum ControllerAlgorithm: String, Codable, Sendable, CaseIterable {
  /// Policy-gradient REINFORCE with a moving-average baseline (paper Algorithm 1).
  case reinforce
  /// Antithetic parameter-space search: θ ± σε on the same episode seed, step along
  /// (R+ − R−)/(2σ)·ε (evolution strategies with common random numbers).
  case antithetic
}

/// Which controller a finished training run hands to evaluation.
public enum EvaluatedControllerChoice: String, Codable, Sendable, CaseIterable {
  /// The controller after the last update.
  case final
  /// The Polyak mean of the weights after the last `averageLast` updates.
  case average
  /// The controller that produced the best episode reward (the official code's rule).
  case bestEpisode = "best-episode"
}

/// Settings of ``ControllerTrainer`` (defaults: the official code's regression/classification values).
public struct ControllerTrainerConfig: Codable, Sendable, Equatable {
  /// How the controller is updated from episodes.
  public var algorithm = ControllerAlgorithm.reinforce
  /// The episode budget (every episode counts, both of an antithetic pair too).
  public var episodes = 400
  /// Episodes per controller update (antithetic: ± pairs per update).
  public var episodesPerUpdate = 1
  /// Controller Adam learning rate.
  public var learningRate: Float = 1e-3
  /// Softmax temperature c.
  public var temperature: Float = 2
  /// Hidden units of the controller (0 = linear controller).
  public var hidden = 16
  /// Moving-average decay η of the reward baseline: B ← ηB + (1 − η)R (updated before R − B is taken).
  public var baselineDecay: Float = 0.8
  /// R − B is clipped into [−clip, clip].
  public var advantageClip: Float = 20
  /// Lower bound on |R − B| (the GAN code's [1, 20] clipping); 0 for none.
  public var advantageFloor: Float = 0
  /// The same action more than this many times in a row ends the episode as a collapse (0 = off).
  public var collapseLength = 0
  /// The advantage of an episode that collapsed or produced a non-finite loss or reward (antithetic:
  /// the least margin by which such an episode counts as worse than its partner).
  public var collapseAdvantage: Float = -20
  /// Re-draw the controller (and reset Adam) after an update with a failed episode instead of stepping.
  public var reinitializeOnCollapse = false
  /// Start the output layer at zero weights and bias: an exactly uniform initial policy.
  public var zeroInitialOutput = false
  /// Antithetic: the perturbation scale σ.
  public var antitheticSigma: Float = 0.05
  /// Which controller is evaluated downstream.
  public var evaluated = EvaluatedControllerChoice.final
  /// Updates in the Polyak average of `evaluated = average`.
  public var averageLast = 10
  /// Stop after this many episodes in a row without a new best reward (0 = off).
  public var patienceEpisodes = 0
  /// Add the official code's dense step reward to the final advantage (not in the paper).
  public var denseStepReward = false
  /// Cap and scale of the dense step reward.
  public var stepRewardCap: Float = 20
  /// Scale of the dense step reward.
  public var stepRewardScale: Float = 1
  /// Feature groups the controller may not see (the ablation of Table 3).
  public var droppedFeatureGroups: [String] = []
  /// Independent controller trainings (seeds) per experiment; artifacts `<name>-c1 … <name>-cN`.
  public var controllerSeeds = 1
  /// Standardise the controller's features with fixed per-feature means and SDs
  /// (``InputStandardization``): `inputMeans`/`inputSDs` when given, else the moments the caller
  /// measured (the GAN: its calibration runs).
  public var standardizeInputs = false
  /// Explicit feature means for `standardizeInputs` (empty: the measured ones).
  public var inputMeans: [Float] = []
  /// Explicit feature SDs for `standardizeInputs` (empty: the measured ones).
  public var inputSDs: [Float] = []

  /// The defaults listed above.
  public init() {}

  /// The official GAN code's settings (lr 0.02, c = 1, η = 0.9, |adv| ∈ [1, 20], collapse after 500
  /// equal actions with −20 and a re-drawn controller).
  public static var gan: ControllerTrainerConfig {
    var c = ControllerTrainerConfig()
    c.learningRate = 0.02
    c.temperature = 1
    c.baselineDecay = 0.9
    c.advantageFloor = 1
    c.collapseLength = 500
    c.reinitializeOnCollapse = true
    c.patienceEpisodes = 50
    return c
  }

  /// Checks the values a profile or override may get wrong; the error names the key.
  public func validate() throws {
    func fail(_ key: String, _ expected: String, _ found: Any) -> ControllerConfigError {
      ControllerConfigError(message: "controller.\(key): expected \(expected), found \(found)")
    }
    if episodes < 1 { throw fail("episodes", ">= 1", episodes) }
    if episodesPerUpdate < 1 { throw fail("episodesPerUpdate", ">= 1", episodesPerUpdate) }
    if !(learningRate > 0) { throw fail("learningRate", "> 0", learningRate) }
    if !(temperature > 0) { throw fail("temperature", "> 0", temperature) }
    if hidden < 0 { throw fail("hidden", ">= 0", hidden) }
    if !(baselineDecay >= 0 && baselineDecay < 1) { throw fail("baselineDecay", "in [0, 1)", baselineDecay) }
    if !(advantageClip > 0) { throw fail("advantageClip", "> 0", advantageClip) }
    if !(advantageFloor >= 0 && advantageFloor <= advantageClip) {
      throw fail("advantageFloor", "in [0, advantageClip]", advantageFloor)
    }
    if collapseLength < 0 { throw fail("collapseLength", ">= 0 (0 = off)", collapseLength) }
    if !collapseAdvantage.isFinite { throw fail("collapseAdvantage", "a finite number", collapseAdvantage) }
    if !(antitheticSigma > 0) { throw fail("antitheticSigma", "> 0", antitheticSigma) }
    if averageLast < 1 { throw fail("averageLast", ">= 1", averageLast) }
    if patienceEpisodes < 0 { throw fail("patienceEpisodes", ">= 0 (0 = off)", patienceEpisodes) }
    if controllerSeeds < 1 { throw fail("controllerSeeds", ">= 1", controllerSeeds) }
    if inputMeans.count != inputSDs.count {
      throw fail("inputSDs", "\(inputMeans.count) values (one per entry of inputMeans)", "\(inputSDs.count) values")
    }
  }

  /// The standardisation these settings ask for, given the caller's measured moments.
  /// - Throws: ``ControllerConfigError`` when `standardizeInputs` has neither explicit nor measured
  ///   moments, or when their length is not `featureCount`.
  public func inputStandardization(featureCount: Int, measured: InputStandardization?) throws
    -> InputStandardization?
  {
    guard standardizeInputs else { return nil }
    let chosen: InputStandardization
    if !inputMeans.isEmpty {
      chosen = try InputStandardization(means: inputMeans, sds: inputSDs)
    } else if let measured {
      chosen = measured
    } else {
      throw ControllerConfigError(
        message:
          "controller.standardizeInputs: no feature moments (give controller.inputMeans and controller.inputSDs, "
          + "or measure them: for the GAN, run `gan calibrate` first)")
    }
    guard chosen.count == featureCount else {
      throw ControllerConfigError(
        message: "controller.inputMeans: expected \(featureCount) values (one per feature), found \(chosen.count)")
    }
    return chosen
  }
}

/// A controller-trainer setting out of range (names the key, the expected and the found value).
public struct ControllerConfigError: Error, CustomStringConvertible, Sendable {
  /// The key, the expected and the found value.
  public var message: String
  /// The ``message``.
  public var description: String { message }
}

/// The former name of ``ControllerTrainerConfig`` (profiles keep their `controller.*` keys).
public typealias ReinforceConfig = ControllerTrainerConfig
