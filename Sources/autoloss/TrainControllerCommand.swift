import ArgumentParser
import Engine
import Pipeline
import Tasks

/// `autoloss train-controller`: offline REINFORCE controller training for regression or classification.
struct TrainControllerCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train-controller",
    abstract: "Train the AutoLoss controller on the controller splits (resumes an interrupted run).")

  @Option(help: "Task: regression or classification.")
  var task: RegularizedTaskKind

  @Option(help: "Feature groups the controller may not see (ablation), comma-separated: progress, gradient, loss, validation.")
  var drop: String?

  @Option(help: "Artifact name (default: the task, with -no-<group> for ablations).")
  var name: String?

  @OptionGroup var options: StageOptions

  func run() throws {
    try runStage {
      BLAS.setThreads(1)
      let context = options.context
      var config = try RegularizedExperimentConfig.load(kind: task, context: context, overrides: options.overrides)
      let dropped = drop.map { $0.split(separator: ",").map(String.init) } ?? []
      config.controller.droppedFeatureGroups = dropped
      let artifactName = name ?? ([task.rawValue] + dropped.map { "no-\($0)" }).joined(separator: "-")
      let stage = ControllerTrainingStage(
        kind: task, config: config, context: context, name: artifactName,
        dataPath: "\(context.dataRoot)/\(RegularizedDataset.fileName(kind: task))")
      let artifact = try stage.run()
      print("wrote \(artifact.path)")
    }
  }
}
