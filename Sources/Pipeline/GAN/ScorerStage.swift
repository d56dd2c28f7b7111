import Engine
import Foundation
import Store
import Tasks

/// Settings of scorer training (configs/<profile>/scorer.json).
public struct ScorerConfig: Codable, Sendable, Equatable {
  /// Adam steps on the training split (batch `batchSize`).
  public var steps = 3000
  public var batchSize = 64
  /// Adam 1e-3 reaches 99% MNIST accuracy in ~3000 steps (cpu-budgets.md); the paper's 1e-4 needs far longer.
  public var learningRate: Float = 1e-3
  /// How the learning rate moves over the steps: `constant`, or `cosine` (half a cosine from
  /// `learningRate` at the first step down to `finalLearningRate` at the last).
  public var learningRateSchedule = LearningRateSchedule.constant
  /// The learning rate of the last step under the `cosine` schedule.
  public var finalLearningRate: Float = 0
  /// Test images used for the accuracy and the real-data IS (0 = all).
  public var testImages = 0
  /// Splits of the real-data IS.
  public var isSplits = 10
  public var seed: UInt64 = 1

  public init() {}

  /// The scorer's learning-rate schedules.
  public enum LearningRateSchedule: String, Codable, Sendable, CaseIterable {
    case constant
    case cosine
  }

  /// The learning rate of step `step` (0-based) of `steps`.
  public func learningRate(atStep step: Int) -> Float {
    switch learningRateSchedule {
    case .constant:
      return learningRate
    case .cosine:
      let progress = steps > 1 ? Double(step) / Double(steps - 1) : 0
      let weight = Float(0.5 * (1 + cos(Double.pi * progress)))
      return finalLearningRate + (learningRate - finalLearningRate) * weight
    }
  }

  /// Defaults, then configs/<profile>/scorer.json when present, then `--set` overrides.
  public static func load(context: StageContext, overrides: [String]) throws -> ScorerConfig {
    try ConfigLoader.load(
      ScorerConfig.self, config: "scorer", defaults: ScorerConfig(), context: context, overrides: overrides)
  }
}

/// A trained scorer with its measured quality, read from `artifacts/scorers/<dataset>/vNNNN.h5`.
public struct ScorerArtifact: @unchecked Sendable {
  public static let schema = "autoloss/scorer"
  public let scorer: ScorerCNN
  public let testAccuracy: Float
  /// IS of the real test images with this scorer (the ceiling generated images are compared to).
  public let realInceptionScore: Float
  public let realInceptionScoreStd: Float
  public let artifact: ResolvedArtifact

  /// Loads the latest (or the given) version of the scorer of `dataset`.
  public static func load(dataset: String, context: StageContext, version: Int? = nil) throws -> ScorerArtifact {
    let resolved: ResolvedArtifact
    do {
      resolved = try context.store.resolve(stage: "scorers", name: dataset, version: version)
    } catch {
      throw PipelineError("\(error) (train it with `autoloss train-scorer --dataset \(dataset)`)")
    }
    let file = try ArtifactReader.open(resolved, schema: schema, supportedVersions: 1...1)
    defer { file.close() }
    let root = file.root
    let channels = Int(try root.attribute("channels", as: Int64.self))
    let size = Int(try root.attribute("image_size", as: Int64.self))
    let classes = Int(try root.attribute("classes", as: Int64.self))
    var rng = SeededRandom(seed: 0)
    let scorer = ScorerCNN(channels: channels, imageSize: size, classes: classes, rng: &rng)
    do {
      try scorer.load(try ParameterIO.read(from: try root.group("weights")))
    } catch {
      throw PipelineError("\(resolved.path): /weights: \(error)")
    }
    return ScorerArtifact(
      scorer: scorer, testAccuracy: Float(try root.attribute("test_accuracy", as: Double.self)),
      realInceptionScore: Float(try root.attribute("real_is", as: Double.self)),
      realInceptionScoreStd: Float(try root.attribute("real_is_std", as: Double.self)), artifact: resolved)
  }
}

/// The `train-scorer` stage: the CNN of paper 4.1 trained on a dataset's training split; writes
/// `artifacts/scorers/<dataset>/vNNNN.h5` with `/weights/<param>` and root attributes `test_accuracy`,
/// `real_is`, `real_is_std`, `channels`, `image_size`, `classes`, `steps`, `seconds`.
public struct ScorerStage {
  public let dataset: String
  public let config: ScorerConfig
  public let context: StageContext

  public init(dataset: String, config: ScorerConfig, context: StageContext) {
    self.dataset = dataset
    self.config = config
    self.context = context
  }

  /// Trains, measures and writes the artifact.
  @discardableResult
  public func run() throws -> (artifact: ResolvedArtifact, accuracy: Float, realIS: Float, realISStd: Float) {
    let (train, source) = try GANData.load(dataset: dataset, split: "train", dataRoot: context.dataRoot)
    var (test, _) = try GANData.load(dataset: dataset, split: "test", dataRoot: context.dataRoot)
    if config.testImages > 0 { test = test.prefix(config.testImages) }
    guard train.height == train.width else {
      throw PipelineError("\(source.path): expected square images, found \(train.height)x\(train.width)")
    }
    var rng = SeededRandom(seed: config.seed)
    let scorer = ScorerCNN(channels: train.channels, imageSize: train.height, classes: 10, rng: &rng)
    let optimizer = Adam(learningRate: config.learningRate)
    let progress = ProgressDisplay("train-scorer \(dataset)", total: config.steps, enabled: context.showProgress)
    let start = Date()
    var order = rng.permutation(train.count)
    var cursor = 0
    var lossEMA: Float = .nan
    for step in 0..<config.steps {
      optimizer.learningRate = config.learningRate(atStep: step)
      if cursor + config.batchSize > order.count {
        order = rng.permutation(train.count)
        cursor = 0
      }
      let idx = Array(order[cursor..<(cursor + config.batchSize)])
      cursor += config.batchSize
      let loss = scorer.trainStep(
        images: train.batch(idx), labels: idx.map { train.labels[$0] }, optimizer: optimizer, rng: &rng)
      lossEMA = lossEMA.isNaN ? loss : 0.98 * lossEMA + 0.02 * loss
      progress.advance(status: String(format: "loss %.4f", lossEMA))
    }
    let seconds = Date().timeIntervalSince(start)
    let probabilities = scorer.probabilities(test.batch(Array(0..<test.count)))
    let predicted = probabilities.argmax()
    let correct = zip(predicted, test.labels).filter { $0 == $1 }.count
    let accuracy = Float(correct) / Float(max(test.count, 1))
    let real = inceptionScore(probabilities: probabilities.data, classes: 10, splits: config.isSplits)
    log(
      String(
        format: "scorer %@: test accuracy %.2f%% on %d images, real-data IS %.3f ± %.3f (%d splits), %.0f s training",
        dataset, accuracy * 100, test.count, real.mean, real.std, config.isSplits, seconds))
    let provenance = context.provenance(
      schema: ScorerArtifact.schema, config: ConfigLoader.text(config), seed: config.seed, inputs: [source])
    let writer = try context.store.writer(stage: "scorers", name: dataset, provenance: provenance)
    let root = writer.root
    try ParameterIO.write(scorer.stateDict(), to: try root.createGroup("weights"))
    try root.setAttribute("dataset", dataset)
    try root.setAttribute("test_accuracy", Double(accuracy))
    try root.setAttribute("test_images", Int64(test.count))
    try root.setAttribute("real_is", Double(real.mean))
    try root.setAttribute("real_is_std", Double(real.std))
    try root.setAttribute("real_is_splits", Int64(config.isSplits))
    try root.setAttribute("channels", Int64(train.channels))
    try root.setAttribute("image_size", Int64(train.height))
    try root.setAttribute("classes", Int64(10))
    try root.setAttribute("steps", Int64(config.steps))
    try root.setAttribute("seconds", seconds)
    try root.setAttribute(
      "note", "IS (our \(dataset) classifier): exp(E KL(p(y|x) || p(y))) with this CNN, not Inception-v3")
    let artifact = try writer.commit()
    return (artifact, accuracy, real.mean, real.std)
  }
}
