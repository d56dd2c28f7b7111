/// Settings of one GAN training run (paper-spec 4.1; the official code's constants by default).
public struct GANTaskConfig: Sendable, Codable, Equatable {
  /// Images (and z vectors) per step.
  public var batchSize = 64
  public var optimizer = GANOptimizerConfig()
  /// The range real images are scaled to; recorded with every result.
  public var realRange: ImageRange = .zeroToOne
  /// Compute the Inception Score every this many steps.
  public var checkEvery = 500
  /// Generated samples per IS check, and the splits they are scored in.
  public var isSamples = 5000
  public var isSplits = 5
  /// Samples and splits of the final IS of the best checkpoint (the reward and the reported score).
  public var finalISSamples = 5000
  public var finalISSplits = 5
  /// Decay of the moving average of the IS that the stopping rule tracks.
  public var isEMADecay: Float = 0.8
  /// Stop after this many checks in a row without a better IS moving average.
  public var patienceChecks = 50
  /// Stop after this many steps.
  public var maxSteps = 200_000
  /// Decay of the loss moving averages used as features (`state_decay`).
  public var lossEMADecay: Float = 0.9
  /// Reward constant C of R = C·IS².
  public var rewardScale: Float = 10
  /// Samples from a fixed z drawn at every check (PNG grid and trace).
  public var gridSamples = 64

  public init() {}

  /// Checks the settings; the message names the bad one.
  public func validate() throws {
    for (name, value) in [
      ("batchSize", batchSize), ("checkEvery", checkEvery), ("isSamples", isSamples), ("isSplits", isSplits),
      ("finalISSamples", finalISSamples), ("finalISSplits", finalISSplits), ("patienceChecks", patienceChecks),
      ("maxSteps", maxSteps),
    ] where value < 1 {
      throw GANError("task.\(name): expected a positive integer, found \(value)")
    }
    guard gridSamples >= 0 else { throw GANError("task.gridSamples: expected >= 0, found \(gridSamples)") }
  }
}
