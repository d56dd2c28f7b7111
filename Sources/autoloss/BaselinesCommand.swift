import ArgumentParser
import Engine
import Pipeline
import Tasks

/// `autoloss baselines`: tune every baseline on the task splits.
struct BaselinesCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "baselines",
    abstract: "Tune the baselines (without L1, S1-S3, DGS, fixed 1:1, best constant ratio) on validation.")

  @Option(help: "Task: regression or classification.")
  var task: RegularizedTaskKind

  @OptionGroup var options: StageOptions

  func run() throws {
    try runStage {
      BLAS.setThreads(1)
      let context = options.context
      let config = try RegularizedExperimentConfig.load(kind: task, context: context, overrides: options.overrides)
      let stage = BaselineTuningStage(
        kind: task, config: config, context: context, name: task.rawValue,
        dataPath: "\(context.dataRoot)/\(RegularizedDataset.fileName(kind: task))")
      print("wrote \(try stage.run().path)")
    }
  }
}
