import AutoLoss
import Tasks

/// Range checks of config values. Each failing check throws a ``PipelineError`` that names the key
/// (with its group prefix), the value found and the allowed range.
struct ConfigChecker {
  /// The key prefix of the checked group, e.g. `task.` (empty at the top level).
  var prefix = ""

  /// The checker of a nested group, e.g. `controller`.
  func group(_ name: String) -> ConfigChecker { ConfigChecker(prefix: "\(prefix)\(name).") }

  func fail(_ key: String, _ value: Any, _ expected: String) -> PipelineError {
    PipelineError("config key '\(prefix)\(key)': expected \(expected), found \(value)")
  }

  /// `value >= low` (an integer count, size or interval).
  func atLeast(_ key: String, _ value: Int, _ low: Int) throws {
    guard value >= low else { throw fail(key, value, "an integer >= \(low)") }
  }

  /// `value > 0`.
  func positive(_ key: String, _ value: Float) throws {
    guard value > 0, value.isFinite else { throw fail(key, value, "a number > 0") }
  }

  /// `value >= 0`.
  func nonNegative(_ key: String, _ value: Float) throws {
    guard value >= 0, value.isFinite else { throw fail(key, value, "a number >= 0") }
  }

  /// `low <= value < high` (a decay or a momentum).
  func fraction(_ key: String, _ value: Float, low: Float = 0, below high: Float = 1) throws {
    guard value >= low, value < high else { throw fail(key, value, "a number in [\(low), \(high))") }
  }

  /// `low <= value <= high`.
  func closed(_ key: String, _ value: Double, _ low: Double, _ high: Double) throws {
    guard value >= low, value <= high else { throw fail(key, value, "a number in [\(low), \(high)]") }
  }

  /// `0 < value < 1` (a probability that leaves both actions possible).
  func openProbability(_ key: String, _ value: Float) throws {
    guard value > 0, value < 1 else { throw fail(key, value, "a probability in (0, 1)") }
  }

  /// `value` is one of `allowed`.
  func oneOf(_ key: String, _ value: String, _ allowed: [String]) throws {
    guard allowed.contains(value) else {
      throw fail(key, "\"\(value)\"", "one of \(allowed.joined(separator: ", "))")
    }
  }

  /// Every element of `values` is one of `allowed`.
  func subset(_ key: String, _ values: [String], _ allowed: [String]) throws {
    for value in values where !allowed.contains(value) {
      throw fail(key, "\"\(value)\"", "names from \(allowed.joined(separator: ", "))")
    }
  }

  /// A non-empty list.
  func nonEmpty<T>(_ key: String, _ values: [T]) throws {
    guard !values.isEmpty else { throw fail(key, "an empty list", "at least one value") }
  }
}

extension PipelineError {
  /// `key: rest` (a message of a config type's own `validate()`) as `config key 'key': rest`.
  init(quotingKey message: String) {
    guard let colon = message.range(of: ": ") else {
      self.init("config: \(message)")
      return
    }
    self.init("config key '\(message[..<colon.lowerBound])': \(message[colon.upperBound...])")
  }
}

/// The feature groups of the regression, classification and GAN tasks (``RegularizedTask``, ``GANTask``).
let regularizedFeatureGroups = ["progress", "gradient", "loss", "validation"]

extension RegularizedTaskConfig {
  /// Checks the task constants (keys under `task.`).
  func check(_ c: ConfigChecker) throws {
    try c.nonNegative("lambda", lambda)
    try c.positive("learningRate", learningRate)
    try c.atLeast("validateEvery", validateEvery, 1)
    try c.atLeast("patienceChecks", patienceChecks, 1)
    try c.atLeast("maxSteps", maxSteps, 1)
    try c.positive("rewardScale", rewardScale)
  }
}

extension ControllerTrainerConfig {
  /// Checks the controller-trainer settings (keys under `controller.`): the trainer's own
  /// ``validate()`` plus the dense step reward and the names of dropped feature groups.
  func check(_ c: ConfigChecker, featureGroups: [String]) throws {
    do {
      try validate()
    } catch let error as ControllerConfigError {
      throw PipelineError(quotingKey: error.message)
    }
    try c.positive("stepRewardCap", stepRewardCap)
    try c.nonNegative("stepRewardScale", stepRewardScale)
    try c.subset("droppedFeatureGroups", droppedFeatureGroups, featureGroups)
  }
}

extension RegularizedExperimentConfig: CheckedConfig {
  /// Checks every setting of a regression or classification experiment.
  public func check() throws {
    let c = ConfigChecker()
    try task.check(c.group("task"))
    try controller.check(c.group("controller"), featureGroups: regularizedFeatureGroups)
    try c.atLeast("evaluationTrials", evaluationTrials, 1)
    try c.nonEmpty("thresholdGrid", thresholdGrid)
    try c.positive("dgsLambdaLow", dgsLambdaLow)
    guard dgsLambdaHigh >= dgsLambdaLow else {
      throw c.fail("dgsLambdaHigh", dgsLambdaHigh, "a number >= dgsLambdaLow (\(dgsLambdaLow))")
    }
    try c.atLeast("dgsRuns", dgsRuns, 1)
    try c.nonEmpty("ratioGrid", ratioGrid)
    for p in ratioGrid { try c.openProbability("ratioGrid", p) }
    try c.atLeast("tuningRepeats", tuningRepeats, 1)
    for lambda in sweepLambdas { try c.nonNegative("sweepLambdas", lambda) }
    try c.atLeast("sweepEpisodes", sweepEpisodes, 1)
    try c.atLeast("sweepTrials", sweepTrials, 1)
    try c.subset("ablationGroups", ablationGroups, regularizedFeatureGroups)
  }
}

extension GANExperimentConfig: CheckedConfig {
  /// Checks every setting of the GAN experiments: the GAN's own ``validate()`` plus the
  /// controller, optimizer, decays and transfer sizes.
  public func check() throws {
    do {
      try validate()
    } catch let error as GANError {
      throw PipelineError(quotingKey: error.message)
    } catch let error as PipelineError {
      throw PipelineError(quotingKey: error.description)
    }
    let c = ConfigChecker()
    let datasets = GANData.datasets
    try c.oneOf("dataset", dataset, datasets)
    try c.subset("transferDatasets", transferDatasets, datasets)
    try controller.check(c.group("controller"), featureGroups: regularizedFeatureGroups)
    let task = c.group("task")
    try task.fraction("isEMADecay", self.task.isEMADecay)
    try task.fraction("lossEMADecay", self.task.lossEMADecay)
    try task.positive("rewardScale", self.task.rewardScale)
    let optimizer = task.group("optimizer")
    try optimizer.positive("learningRate", self.task.optimizer.learningRate)
    try optimizer.fraction("beta1", self.task.optimizer.beta1)
    try optimizer.fraction("beta2", self.task.optimizer.beta2)
    try c.nonEmpty("fixedRatios", fixedRatios)
    try c.atLeast("transferArchitectures", transferArchitectures, 0)
    try c.positive("architectureWidthScale", architectureWidthScale)
  }
}

extension PPOConfig {
  /// Checks the online PPO settings (keys under `ppo.`).
  func check(_ c: ConfigChecker) throws {
    try c.atLeast("hidden", hidden, 1)
    try c.positive("learningRate", learningRate)
    try c.closed("discount", Double(discount), 0, 1)
    try c.positive("clip", clip)
    try c.nonNegative("entropyBonus", entropyBonus)
    try c.atLeast("bufferSize", bufferSize, 1)
    try c.atLeast("minibatchSize", minibatchSize, 1)
    try c.atLeast("minibatchUpdates", minibatchUpdates, 1)
    try c.atLeast("syncEvery", syncEvery, 1)
    try c.atLeast("segmentChecks", segmentChecks, 1)
    try c.atLeast("historySegments", historySegments, 1)
    try c.positive("rewardScale", rewardScale)
    try c.positive("rewardClip", rewardClip)
    try c.nonNegative("minimumRelativeImprovement", minimumRelativeImprovement)
    try c.closed("explorationStart", Double(explorationStart), 0, 1)
    try c.closed("explorationEnd", Double(explorationEnd), 0, 1)
    try c.atLeast("explorationEpisodes", explorationEpisodes, 1)
  }
}

extension NMTTaskConfig {
  /// Checks the NMT model and training settings (keys under `task.`).
  func check(_ c: ConfigChecker) throws {
    let m = c.group("model")
    try m.atLeast("embeddingSize", model.embeddingSize, 1)
    try m.atLeast("hiddenSize", model.hiddenSize, 1)
    try m.atLeast("layers", model.layers, 1)
    try m.fraction("dropout", model.dropout)
    try m.oneOf("attention", model.attention, ["general", "dot"])
    try c.atLeast("batchSize", batchSize, 1)
    try c.positive("learningRate", learningRate)
    try c.positive("clipNorm", clipNorm)
    try c.atLeast("validateEvery", validateEvery, 1)
    try c.atLeast("validationLimit", validationLimit, 0)
    try c.atLeast("evaluationBatchSize", evaluationBatchSize, 1)
    try c.atLeast("patienceChecks", patienceChecks, 1)
    try c.atLeast("maxSteps", maxSteps, 1)
  }
}

extension NMTExperimentConfig: CheckedConfig {
  /// Checks every setting of the NMT experiments.
  public func check() throws {
    let c = ConfigChecker()
    try task.check(c.group("task"))
    try ppo.check(c.group("ppo"))
    for (key, value) in [
      ("maxLength", maxLength), ("mtTrainLimit", mtTrainLimit), ("auxTrainLimit", auxTrainLimit),
      ("sourceVocabularyCap", sourceVocabularyCap), ("targetVocabularyCap", targetVocabularyCap),
      ("evaluationSplitLimit", evaluationSplitLimit), ("fineTuneSwitchPatience", fineTuneSwitchPatience),
      ("mixTuningSteps", mixTuningSteps),
    ] {
      try c.atLeast(key, value, 0)
    }
    try c.atLeast("sliceCount", sliceCount, 1)
    guard (0..<sliceCount).contains(slice) else {
      throw c.fail("slice", slice, "an integer in [0, sliceCount = \(sliceCount))")
    }
    try c.atLeast("transferSliceCount", transferSliceCount, 1)
    guard (0..<transferSliceCount).contains(transferSlice) else {
      throw c.fail("transferSlice", transferSlice, "an integer in [0, transferSliceCount = \(transferSliceCount))")
    }
    try c.atLeast("runs", runs, 0)  // 0: `nmt baselines` runs only the mix calibration
    try c.atLeast("mixTuningRuns", mixTuningRuns, 1)
    try c.atLeast("metaEpisodes", metaEpisodes, 1)
    try c.atLeast("controllerSeeds", controllerSeeds, 1)
    try c.atLeast("evaluationRuns", evaluationRuns, 1)
    try c.atLeast("evaluationSeedOffset", evaluationSeedOffset, 0)
    try c.closed("evaluationExploration", Double(evaluationExploration), 0, 1)
    try c.oneOf(
      "evaluatedController", evaluatedController.rawValue,
      [EvaluatedControllerChoice.final, .average].map(\.rawValue))
    try c.atLeast("averageLastMetaEpisodes", averageLastMetaEpisodes, 1)
    try c.subset(
      "evaluationBaselines", evaluationBaselines,
      [NMTScheduleKind.mtOnly, .fixedRatio, .fineTuned, .roundRobin, .bestMix].map(\.rawValue))
    try c.atLeast("transferRuns", transferRuns, 0)
    try c.atLeast("transferHiddenSize", transferHiddenSize, 1)
    try c.atLeast("decodeBatchSize", decodeBatchSize, 1)
    try c.atLeast("workers", workers, 1)
    try c.subset(
      "baselines", baselines, [NMTScheduleKind.mtOnly, .fixedRatio, .fineTuned, .roundRobin, .bestMix].map(\.rawValue))
    try c.oneOf("fixedRatioBy", fixedRatioBy, ["sentences", "tokens"])
    try c.closed("fineTuneSwitchFraction", fineTuneSwitchFraction, 0, 1)
    for p in mixGrid {
      guard p > 0, p <= 1 else { throw c.fail("mixGrid", p, "probabilities in (0, 1]") }
    }
  }
}

extension ScorerConfig: CheckedConfig {
  /// Checks the scorer training settings.
  public func check() throws {
    let c = ConfigChecker()
    try c.atLeast("steps", steps, 1)
    try c.atLeast("batchSize", batchSize, 1)
    try c.positive("learningRate", learningRate)
    try c.nonNegative("finalLearningRate", finalLearningRate)
    guard finalLearningRate <= learningRate else {
      throw c.fail("finalLearningRate", finalLearningRate, "at most learningRate (\(learningRate))")
    }
    try c.atLeast("testImages", testImages, 0)
    try c.atLeast("isSplits", isSplits, 1)
  }
}
