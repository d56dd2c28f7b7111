import ArgumentParser
import Engine
import Foundation
import Pipeline
import Tasks

/// `autoloss gan`: the GAN experiments of the paper (section 4 of paper-spec.md).
struct GANCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "gan",
    abstract: "DCGAN experiments: controller training, baselines, evaluation, transfer.",
    discussion: """
      Settings: configs/<profile>/gan.json over the paper's defaults, --set key.path=value on top.
      Needs data/<dataset>.h5 (autoloss prep) and the scorer (autoloss train-scorer).
      """,
    subcommands: [
      GANCalibrateCommand.self, GANTrainControllerCommand.self, GANBaselinesCommand.self, GANEvaluateCommand.self,
      GANTransferCommand.self,
      GANStepTimeCommand.self,
    ])
}

/// Loads the config and prepares the process for GAN training.
private func ganSetup(_ options: StageOptions) throws -> (GANExperimentConfig, StageContext) {
  keepLargeAllocationsResident()
  BLAS.setThreads(1)
  let context = options.context
  let config = try GANExperimentConfig.load(context: context, overrides: options.overrides)
  return (config, context)
}

struct GANCalibrateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "calibrate",
    abstract: "Fixed P(G) coins and D:G ratios on common seeds: does the regime have anything to learn?")
  @OptionGroup var options: StageOptions

  func run() throws {
    try runStage {
      let (config, context) = try ganSetup(options)
      let result = try GANCalibrationStage(config: config, context: context).run()
      if let artifact = result.artifact { print("wrote \(artifact.path)") }
    }
  }
}

struct GANTrainControllerCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train-controller", abstract: "Episodic REINFORCE of the GAN controller (reward 10·IS²).")
  @OptionGroup var options: StageOptions

  func run() throws {
    try runStage {
      let (config, context) = try ganSetup(options)
      let artifact = try GANControllerStage(config: config, context: context).run()
      print("wrote \(artifact.path)")
    }
  }
}

struct GANBaselinesCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "baselines", abstract: "Fixed D:G schedules and the tuned constant-ratio schedule.")
  @OptionGroup var options: StageOptions

  func run() throws {
    try runStage {
      let (config, context) = try ganSetup(options)
      let artifact = try GANBaselinesStage(config: config, context: context).run()
      print("wrote \(artifact.path)")
    }
  }
}

struct GANEvaluateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "evaluate", abstract: "The trained controller against every baseline schedule.")
  @OptionGroup var options: StageOptions

  func run() throws {
    try runStage {
      let (config, context) = try ganSetup(options)
      let result = try GANEvaluationStage(config: config, context: context).run()
      print("wrote \(result.artifact.path)")
    }
  }
}

struct GANTransferCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "transfer", abstract: "The trained controller on other datasets and sampled DCGANs, against 1:1.")
  @OptionGroup var options: StageOptions

  func run() throws {
    try runStage {
      let (config, context) = try ganSetup(options)
      let result = try GANTransferStage(config: config, context: context).run()
      print("wrote \(result.artifact.path)")
    }
  }
}

/// Times D and G steps of the configured DCGAN on random data (a quick sizing aid; `autoloss bench`
/// is the reference benchmark).
struct GANStepTimeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "step-time", abstract: "Milliseconds per D step and per G step of the configured DCGAN.")
  @Option(help: "Steps of each kind to time (after 3 warm-up steps).")
  var steps = 20
  @OptionGroup var options: StageOptions

  func run() throws {
    try runStage {
      let (config, _) = try ganSetup(options)
      var rng = SeededRandom(seed: 1)
      let trainer = GANTrainer(config: config.model, optimizer: config.task.optimizer, rng: &rng)
      let m = config.model
      let b = config.task.batchSize
      let real = rng.uniformTensor([b, m.channels, m.imageSize, m.imageSize], 0, 1)
      func time(_ body: () -> Void) -> Double {
        for _ in 0..<3 { body() }
        let start = Date()
        for _ in 0..<steps { body() }
        return Date().timeIntervalSince(start) * 1000 / Double(steps)
      }
      let d = time { trainer.dStep(real: real, z: rng.normalTensor([b, m.zSize])) }
      let g = time { trainer.gStep(z: rng.normalTensor([b, m.zSize])) }
      print(
        String(
          format: "DCGAN width %d, z %d, BN %@, batch %d: D step %.2f ms, G step %.2f ms", m.baseWidth, m.zSize,
          m.batchNorm ? "on" : "off", b, d, g))
    }
  }
}
