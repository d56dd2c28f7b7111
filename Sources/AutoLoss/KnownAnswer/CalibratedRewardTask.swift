import Engine
import Foundation

/// A stand-in for an expensive task whose final score was measured to be linear in the share of
/// action 1 (a calibration's slope and noise), used to predict what a trainer configuration can
/// learn from it before any real episode runs.
///
/// Over an episode of `steps` actions with a realized share r of action 1, the score is
/// `intercept + slope·clamp(r, shareRange) + seedNoise·z_seed + (pairNoise/√2)·z_run`, where z_seed
/// is drawn from the episode seed (common to every run on that seed, as with common random numbers)
/// and z_run from the seed and the whole action sequence (so two runs on one seed whose actions differ
/// anywhere differ by the pair noise, as two GAN runs that part ways do). Outside `shareRange` (the
/// calibrated P(G) range) the score is flat: nothing beyond what was measured is promised.
///
/// The features are the step fraction followed by `featureCount − 1` normals per step drawn from the
/// episode seed, with the real task's per-feature means and SDs when given (standard normals
/// otherwise, clipped to ±3 SDs): the controller has as many inputs, of the same scale, as the real
/// task, but only its mean output matters. Reward = `rewardOfScore(score)`, e.g. the GAN's 10·IS².
public final class CalibratedRewardTask: AlternatingTask {
  /// `"action 0"`, `"action 1"`.
  public let actionNames = ["action 0", "action 1"]
  /// The running share of action 1, then the final score (lower-is-better error = −score).
  public let lossNames = ["score"]
  /// `"progress"`, `"noise 1"` …
  public let featureNames: [String]
  /// The feature groups: those given at creation, else one per feature.
  public let featureGroups: [(name: String, indices: [Int])]
  /// Steps per episode T.
  public let steps: Int
  /// Score per unit share of action 1.
  public let slope: Float
  /// The score at share 0.
  public let intercept: Float
  /// SD of the difference of two runs on one seed with different actions.
  public let pairNoise: Float
  /// SD of the seed effect shared by every run on a seed.
  public let seedNoise: Float
  /// Shares outside this range score as its nearer end.
  public let shareRange: ClosedRange<Float>
  private let rewardOfScore: @Sendable (Float) -> Float
  private let featureMeans: [Float]
  private let featureSDs: [Float]
  public private(set) var stepCount = 0
  public private(set) var checks: [ValidationCheck] = []
  public private(set) var bestValidationError: Float = .infinity
  private var seed: UInt64 = 0
  private var onesTaken = 0
  private var actionHash: UInt64 = 0
  private var featureRandom = SeededRandom(seed: 0)
  private var currentFeatures: [Float] = []

  /// Creates the task.
  ///
  /// - Parameters:
  ///   - steps: Actions per episode (at least 1).
  ///   - slope: Score per unit share of action 1.
  ///   - intercept: Score at share 0.
  ///   - pairNoise: SD of paired differences of two runs on one seed.
  ///   - seedNoise: SD of the per-seed effect.
  ///   - shareRange: The share range the slope was measured on.
  ///   - featureCount: The controller's input count (at least 1).
  ///   - featureMeans: Means of features 1… (the first is the step fraction); missing ones are 0.
  ///   - featureSDs: Their SDs; missing ones are 1.
  ///   - featureGroups: The groups of the task it stands in for (so the same
  ///     `droppedFeatureGroups` apply); nil makes one group per feature, named after it.
  ///   - rewardOfScore: The episode reward of a final score.
  public init(
    steps: Int, slope: Float, intercept: Float, pairNoise: Float, seedNoise: Float,
    shareRange: ClosedRange<Float> = 0...1, featureCount: Int = 1, featureMeans: [Float] = [],
    featureSDs: [Float] = [], featureGroups: [(name: String, indices: [Int])]? = nil,
    rewardOfScore: @escaping @Sendable (Float) -> Float = { $0 }
  ) {
    self.featureMeans = featureMeans.map { $0.isFinite ? $0 : 0 }
    self.featureSDs = featureSDs.map { $0.isFinite ? max(0, $0) : 1 }
    self.steps = max(1, steps)
    self.slope = slope
    self.intercept = intercept
    self.pairNoise = pairNoise.isFinite ? max(0, pairNoise) : 0
    self.seedNoise = seedNoise.isFinite ? max(0, seedNoise) : 0
    self.shareRange = shareRange
    self.rewardOfScore = rewardOfScore
    let count = max(1, featureCount)
    featureNames = ["progress"] + (1..<max(count, 1)).map { "noise \($0)" }
    self.featureGroups = featureGroups ?? featureNames.enumerated().map { ($0.element, [$0.offset]) }
  }

  /// The noise-free score of a realized share.
  public func expectedScore(share: Float) -> Float {
    intercept + slope * min(max(share, shareRange.lowerBound), shareRange.upperBound)
  }

  public func reset(seed: UInt64) {
    self.seed = seed
    stepCount = 0
    onesTaken = 0
    checks = []
    bestValidationError = .infinity
    actionHash = seed ^ 0x9E37_79B9_7F4A_7C15
    featureRandom = SeededRandom(seed: seed ^ 0xFEA7_0000)
    drawFeatures()
  }

  /// Features are drawn once per step, so repeated ``features()`` calls agree.
  private func drawFeatures() {
    currentFeatures = [Float(stepCount) / Float(steps)]
    for i in 1..<featureNames.count {
      let mean = i - 1 < featureMeans.count ? featureMeans[i - 1] : 0
      let sd = i - 1 < featureSDs.count ? featureSDs[i - 1] : 1
      currentFeatures.append(mean + sd * min(max(featureRandom.normal(), -3), 3))
    }
  }

  public func step(_ action: Int) {
    let one = action == 1
    if one { onesTaken += 1 }
    actionHash = (actionHash ^ (one ? 0xA5A5_A5A5 : 0x5A5A_5A5A)) &* 0x1000_0000_01B3
    actionHash ^= actionHash >> 29
    stepCount += 1
    if stepCount == steps {
      let error = -finalScore
      checks.append(ValidationCheck(step: stepCount, error: error))
      bestValidationError = error
    }
    drawFeatures()
  }

  private var finalScore: Float {
    var seedRandom = SeededRandom(seed: seed ^ 0x5EED_5EED)
    var runRandom = SeededRandom(seed: actionHash)
    let share = Float(onesTaken) / Float(steps)
    return expectedScore(share: share) + seedNoise * seedRandom.normal()
      + pairNoise / Float(2).squareRoot() * runRandom.normal()
  }

  public func features() -> [Float] { currentFeatures }

  /// The share of action 1 so far, then the final score.
  public var latestLosses: [Float] {
    [stepCount >= steps ? finalScore : Float(onesTaken) / Float(max(stepCount, 1))]
  }
  public var isFinished: Bool { stepCount >= steps }
  public var stopReason: String { isFinished ? "step cap" : "" }
  public func testError() -> Float { bestValidationError }
  /// `rewardOfScore(−bestValidationError)`.
  public func reward(bestValidationError: Float) -> Float { rewardOfScore(-bestValidationError) }
}
