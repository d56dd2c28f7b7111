import ArgumentParser
import Engine
import Pipeline
import Tasks

/// `autoloss evaluate`: test error of fresh models under the controller and every baseline.
struct EvaluateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "evaluate",
    abstract: "Train fresh task models under the frozen controller and each tuned baseline; report test error.")

  @Option(help: "Task: regression or classification.")
  var task: RegularizedTaskKind

  @Option(help: "Controller artifact version to use (default: latest).")
  var controllerVersion: Int?

  @Option(help: "Baselines artifact version to use (default: latest).")
  var baselinesVersion: Int?

  @OptionGroup var options: StageOptions

  func run() throws {
    try runStage {
      BLAS.setThreads(1)
      let context = options.context
      let config = try RegularizedExperimentConfig.load(kind: task, context: context, overrides: options.overrides)
      var stage = EvaluationStage(
        kind: task, config: config, context: context, name: task.rawValue,
        dataPath: "\(context.dataRoot)/\(RegularizedDataset.fileName(kind: task))")
      stage.controllerVersion = controllerVersion
      stage.baselinesVersion = baselinesVersion
      print("wrote \(try stage.run().path)")
    }
  }
}
