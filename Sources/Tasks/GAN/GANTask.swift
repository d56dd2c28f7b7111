import AutoLoss
import Engine
import Foundation

/// The GAN task of the paper as an ``AlternatingTask``: action 0 is one Adam step of D, action 1
/// one Adam step of G, each on a fresh batch of real images and z ~ N(0, I). Batches and noise come
/// from separate streams of the episode seed (``GANStreams``, common random numbers): the k-th D step
/// always sees the k-th real batch and D-noise batch, whatever the schedule did before.
///
/// Every `checkEvery` steps the Inception Score of `isSamples` generated images is computed with the
/// scorer, its moving average (decay 0.8) is updated, the best generator (by that average) is kept and a
/// grid of samples from a fixed z is recorded. Training stops after `patienceChecks` checks without a
/// better average or at `maxSteps`. Validation errors are 1/IS-EMA (lower is better); `extra` is the raw IS.
///
/// Features (paper 4.2, latest history values, each scaled to O(1)):
/// progress t/T; log10 of ‖∇_G‖/√dim G and ‖∇_D‖/√dim D (+3.5), their log ratio / 2; EMA(ℓ_G) − 1,
/// 2·(EMA(ℓ_D) − 0.5) and log(ℓ_G/ℓ_D); the latest IS as 2·IS/IS_real − 1; D's error on the equal real
/// and fake batch of its latest step, 4·(err − 0.25).
public final class GANTask: AlternatingTask {
  public let model: DCGANConfig
  public let config: GANTaskConfig
  public let data: ImageSet
  public let scorer: ScorerCNN
  /// The real-data IS of the scorer (the ceiling; scales the IS feature).
  public let realInceptionScore: Float

  public let actionNames = ["update D", "update G"]
  public let lossNames = ["G", "D"]
  public let featureNames = GANTask.controllerFeatures
  /// The controller's features, in order.
  public static let controllerFeatures = [
    "progress", "grad_norm_g", "grad_norm_d", "grad_log_ratio", "loss_g", "loss_d", "loss_log_ratio",
    "inception_score", "d_error",
  ]
  /// How many features the controller reads.
  public static var featureCount: Int { controllerFeatures.count }
  public var featureGroups: [(name: String, indices: [Int])] { GANTask.controllerFeatureGroups }
  /// The controller's feature groups (for `controller.droppedFeatureGroups`).
  public static let controllerFeatureGroups: [(name: String, indices: [Int])] = [
    ("progress", [0]), ("gradient", [1, 2, 3]), ("loss", [4, 5, 6]), ("validation", [7, 8]),
  ]

  public private(set) var trainer: GANTrainer
  /// The episode's random streams (common random numbers across schedules on the same seed).
  public private(set) var streams = GANStreams(seed: 0)
  private let gridZ: Tensor
  private var bestGenerator: [String: Tensor] = [:]
  public private(set) var stepCount = 0
  private var history: ValidationHistory
  public var checks: [ValidationCheck] { history.checks }
  public var bestValidationError: Float { history.bestError }
  private var isEMA: Float = .nan
  private var cachedFinalIS: Float?
  /// Samples from the fixed z at each check, `[gridSamples, C, H, W]` in [0, 1] (as the scorer sees them).
  public private(set) var checkSamples: [Tensor] = []
  // Latest history values.
  public private(set) var lossG: Float = .nan
  public private(set) var lossD: Float = .nan
  private var lossGEMA: Float = .nan
  private var lossDEMA: Float = .nan
  private var gradNormG: Float = .nan
  private var gradNormD: Float = .nan
  private var dError: Float = .nan
  public private(set) var latestIS: Float = .nan

  public init(model: DCGANConfig, config: GANTaskConfig, data: ImageSet, scorer: ScorerCNN, realInceptionScore: Float) {
    self.model = model
    self.config = config
    self.data = data
    self.scorer = scorer
    self.realInceptionScore = realInceptionScore
    history = ValidationHistory(patienceChecks: config.patienceChecks, maxSteps: config.maxSteps)
    var r = SeededRandom(seed: 0x6A1D)
    gridZ = r.normalTensor([config.gridSamples, model.zSize])
    trainer = GANTrainer(config: model, optimizer: config.optimizer, rng: &r)
  }

  public func reset(seed: UInt64) {
    streams = GANStreams(seed: seed)
    var initialization = SeededRandom(seed: streams.initializationSeed)
    trainer = GANTrainer(config: model, optimizer: config.optimizer, rng: &initialization)
    bestGenerator = trainer.generator.stateDict()
    stepCount = 0
    history = ValidationHistory(patienceChecks: config.patienceChecks, maxSteps: config.maxSteps)
    checkSamples = []
    isEMA = .nan
    cachedFinalIS = nil
    latestIS = .nan
    gradNormG = .nan
    gradNormD = .nan
    dError = .nan
    // Losses of the untrained nets on one batch (a stream of its own), so every loss has a value
    // before its first step.
    var initial = SeededRandom(seed: streams.initialBatchSeed)
    let real = data.batch(
      (0..<config.batchSize).map { _ in initial.int(below: data.count) }, range: config.realRange)
    let z = initial.normalTensor([config.batchSize, model.zSize])
    GradMode.withoutRecording {
      let fake = trainer.generator(Variable(z))
      let fakeLogits = trainer.discriminator(fake)
      let realLogits = trainer.discriminator(Variable(real))
      lossG = bceWithLogits(fakeLogits, target: 1).value.scalar
      lossD =
        0.5 * (bceWithLogits(realLogits, target: 1).value.scalar + bceWithLogits(fakeLogits, target: 0).value.scalar)
    }
    lossGEMA = lossG
    lossDEMA = lossD
  }

  /// The next real batch (advances only the real-batch stream).
  func realBatch() -> Tensor {
    data.batch(streams.nextRealIndices(batchSize: config.batchSize, count: data.count), range: config.realRange)
  }

  public func step(_ action: Int) {
    precondition(action == 0 || action == 1, "action \(action) of the two-action GAN task")
    let decay = config.lossEMADecay
    if action == 0 {
      let real = realBatch()
      let r = trainer.dStep(real: real, z: streams.nextDiscriminatorNoise([config.batchSize, model.zSize]))
      lossD = r.loss
      lossDEMA = decay * lossDEMA + (1 - decay) * r.loss
      gradNormD = r.gradNorm
      dError = r.error
    } else {
      let r = trainer.gStep(z: streams.nextGeneratorNoise([config.batchSize, model.zSize]))
      lossG = r.loss
      lossGEMA = decay * lossGEMA + (1 - decay) * r.loss
      gradNormG = r.gradNorm
    }
    stepCount += 1
    if stepCount % config.checkEvery == 0 && lossG.isFinite && lossD.isFinite { check() }
  }

  /// Generated images mapped to the scorer's [0, 1] input range.
  public func scorerInput(_ generated: Tensor) -> Tensor {
    config.realRange == .zeroToOne ? generated : generated.map { ($0 + 1) * 0.5 }
  }

  /// The IS of `count` fresh samples (drawn from a stream fixed by `streamSeed`) in `splits` splits.
  public func inceptionScore(count: Int, splits: Int, streamSeed: UInt64) -> (mean: Float, std: Float) {
    var r = SeededRandom(seed: streamSeed)
    var probabilities: [Float] = []
    probabilities.reserveCapacity(count * scorer.classes)
    var done = 0
    while done < count {
      let n = min(100, count - done)
      let images = scorerInput(trainer.sample(z: r.normalTensor([n, model.zSize])))
      probabilities += scorer.probabilities(images).data
      done += n
    }
    return scoreOfProbabilities(probabilities, scorer.classes, splits)
  }

  private func check() {
    let score = inceptionScore(
      count: config.isSamples, splits: config.isSplits, streamSeed: streams.checkSeed(step: stepCount))
    let value = score.mean.isFinite ? score.mean : 0
    latestIS = value
    let d = config.isEMADecay
    isEMA = isEMA.isNaN ? value : d * isEMA + (1 - d) * value
    let error = 1 / max(isEMA, 1e-6)
    if config.gridSamples > 0 {
      checkSamples.append(scorerInput(trainer.sample(z: gridZ)).map { min(max($0, 0), 1) })
    }
    if history.record(ValidationCheck(step: stepCount, error: error, extra: value)) {
      bestGenerator = trainer.generator.stateDict()
    }
  }

  public var isFinished: Bool { !stopReason.isEmpty }

  public var stopReason: String { history.stopReason(stepCount: stepCount) }

  public var latestLosses: [Float] { [lossG, lossD] }

  public func features() -> [Float] {
    func clip(_ x: Float, _ lo: Float, _ hi: Float) -> Float { x.isFinite ? min(max(x, lo), hi) : 0 }
    func grad(_ g: Float) -> Float { g.isNaN ? 0 : clip(log10(max(g, 1e-12)) + 3.5, -3, 3) }
    let ratio = gradNormG > 0 && gradNormD > 0 ? clip(Foundation.log(gradNormD / gradNormG) / 2, -3, 3) : 0
    let lossRatio = lossGEMA > 0 && lossDEMA > 0 ? clip(Foundation.log(lossGEMA / lossDEMA), -3, 3) : 0
    let isFeature = latestIS.isNaN || realInceptionScore <= 0 ? 0 : clip(2 * latestIS / realInceptionScore - 1, -1, 2)
    return [
      Float(stepCount) / Float(config.maxSteps),
      grad(gradNormG),
      grad(gradNormD),
      ratio,
      clip(lossGEMA - 1, -3, 5),
      clip(2 * (lossDEMA - 0.5), -3, 5),
      lossRatio,
      isFeature,
      dError.isNaN ? 0 : clip(4 * (dError - 0.25), -1, 3),
    ]
  }

  /// The IS of the best generator (by IS moving average) on `finalISSamples` fresh samples; the
  /// episode's reward and reported score. Computed once per episode.
  public func finalInceptionScore() -> Float {
    if let cachedFinalIS { return cachedFinalIS }
    let current = trainer.generator.stateDict()
    trainer.generator.restoreOwnCheckpoint(bestGenerator)
    let score = inceptionScore(
      count: config.finalISSamples, splits: config.finalISSplits, streamSeed: streams.finalSeed)
    trainer.generator.restoreOwnCheckpoint(current)
    let value = score.mean.isFinite ? score.mean : 0
    cachedFinalIS = value
    return value
  }

  /// 1 / (final IS of the best checkpoint).
  public func testError() -> Float { 1 / max(finalInceptionScore(), 1e-6) }

  /// R = C·IS² for a run whose error is 1/IS.
  public func reward(bestValidationError: Float) -> Float {
    let score = 1 / max(bestValidationError, 1e-6)
    return config.rewardScale * score * score
  }
}

/// ``inceptionScore(probabilities:classes:splits:)`` under a name that ``GANTask``'s method does not shadow.
@inline(__always)
func scoreOfProbabilities(_ p: [Float], _ classes: Int, _ splits: Int) -> (mean: Float, std: Float) {
  inceptionScore(probabilities: p, classes: classes, splits: splits)
}
