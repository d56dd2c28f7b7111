import ArgumentParser
import Engine
import Pipeline
import Tasks

/// `autoloss sweep`: Figure 1, the joint objective against AutoLoss across λ.
struct SweepCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "sweep", abstract: "Figure 1: joint objective vs AutoLoss (retrained per lambda) across lambda.")

  @Option(help: "Task: regression or classification.")
  var task: RegularizedTaskKind

  @OptionGroup var options: StageOptions

  func run() throws {
    try runStage {
      BLAS.setThreads(1)
      let config = try RegularizedExperimentConfig.load(kind: task, context: options.context, overrides: options.overrides)
      print("wrote \(try ExperimentStages(kind: task, config: config, context: options.context).lambdaSweep().path)")
    }
  }
}

/// `autoloss ablation`: Table 3, controllers retrained without one feature group each.
struct AblationCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ablation", abstract: "Table 3: retrain the controller without each feature group and evaluate.")

  @Option(help: "Task: regression or classification.")
  var task: RegularizedTaskKind

  @OptionGroup var options: StageOptions

  func run() throws {
    try runStage {
      BLAS.setThreads(1)
      let config = try RegularizedExperimentConfig.load(kind: task, context: options.context, overrides: options.overrides)
      print("wrote \(try ExperimentStages(kind: task, config: config, context: options.context).ablation().path)")
    }
  }
}

/// `autoloss transfer`: Table 2, the trained controller on new datasets.
struct TransferCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "transfer",
    abstract: "Table 2: the controller trained on dataset seed 1 guides models on new datasets (prep them with --seed).")

  @Option(help: "Task (classification in the paper).")
  var task: RegularizedTaskKind = .classification

  @Option(help: "Controller artifact version to use (default: latest).")
  var controllerVersion: Int?

  @OptionGroup var options: StageOptions

  func run() throws {
    try runStage {
      BLAS.setThreads(1)
      let config = try RegularizedExperimentConfig.load(kind: task, context: options.context, overrides: options.overrides)
      let stages = ExperimentStages(kind: task, config: config, context: options.context)
      print("wrote \(try stages.transfer(controllerVersion: controllerVersion).path)")
    }
  }
}
