import AutoLoss
import Foundation
import Tasks

/// Every setting of the GAN experiments (configs/<profile>/gan.json over these defaults, which are
/// the paper's sizes; `--set` overrides on top).
public struct GANExperimentConfig: Codable, Sendable, Equatable {
  /// The dataset the controller is trained on.
  public var dataset = "mnist"
  /// The DCGAN of that dataset.
  public var model = DCGANConfig.mnist
  public var task = GANTaskConfig()
  public var controller = ControllerTrainerConfig.gan
  /// `gan calibrate`: fixed coins and ratios on common seeds (does the regime have anything to learn?).
  public var calibration = GANCalibrationConfig()
  public var seed: UInt64 = 1
  /// Fixed D:G ratios run as baselines (1:1, 1:K, K:1).
  public var fixedRatios: [[Int]] = [[1, 1], [1, 3], [1, 5], [1, 7], [1, 9], [3, 1]]
  /// The grid of P(G step) for the constant-ratio (random) baseline, tuned on the IS of `tuningRuns` runs.
  public var randomGrid: [Float] = [0.5, 0.6, 0.7, 0.8, 0.9]
  public var tuningRuns = 1
  /// Runs per schedule in the baselines and the evaluation (same seeds for every schedule).
  public var runs = 3
  /// Transfer: other datasets (skipped when their data or scorer is missing) and their DCGANs.
  public var transferDatasets = ["fashion-mnist", "cifar10"]
  public var cifarModel = DCGANConfig.cifar10
  /// Transfer: DCGANs sampled from the paper's space (filters {32, 64, 128} × `architectureWidthScale`,
  /// z {64, 128}, batch norm on/off, ReLU or LeakyReLU), each against 1:1.
  public var transferArchitectures = 20
  public var architectureWidthScale: Float = 1
  /// Runs per (target, schedule) in the transfer stage.
  public var transferRuns = 1
  /// What this profile scales down relative to the paper (recorded in every result).
  public var scaleNote = "paper sizes"

  public init() {}

  /// Defaults, then configs/<profile>/gan.json when present, then `--set` overrides.
  public static func load(context: StageContext, overrides: [String]) throws -> GANExperimentConfig {
    try ConfigLoader.load(
      GANExperimentConfig.self, config: "gan", defaults: GANExperimentConfig(), context: context, overrides: overrides)
  }

  public func validate() throws {
    try model.validate()
    try cifarModel.validate()
    try task.validate()
    try calibration.validate()
    do {
      try controller.validate()
    } catch {
      throw PipelineError("\(error)")
    }
    for r in fixedRatios where r.count != 2 || r[0] < 1 || r[1] < 1 {
      throw PipelineError("fixedRatios: expected pairs [D, G] of positive integers, found \(r)")
    }
    for p in randomGrid where !(p > 0 && p < 1) {
      throw PipelineError("randomGrid: expected probabilities in (0, 1), found \(p)")
    }
    guard runs >= 1, tuningRuns >= 1, transferRuns >= 1 else {
      throw PipelineError(
        "runs, tuningRuns, transferRuns: expected >= 1, found \(runs), \(tuningRuns), \(transferRuns)")
    }
  }

  /// The artifact name of this experiment, e.g. `gan-mnist`.
  public var name: String { "gan-\(dataset)" }
}
