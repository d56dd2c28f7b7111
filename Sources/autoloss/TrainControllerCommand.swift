import ArgumentParser
import Pipeline

/// `autoloss train-controller`: offline REINFORCE controller training for regression or classification.
struct TrainControllerCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train-controller",
    abstract: "Train the AutoLoss controller on the controller splits (resumes an interrupted run).")

  @Option(
    help: "Feature groups the controller may not see (ablation), comma-separated: progress, gradient, loss, validation."
  )
  var drop: String?

  @Option(help: "Artifact name (default: the task, with -no-<group> for ablations).")
  var name: String?

  @OptionGroup var options: RegularizedOptions

  func run() throws {
    try runStage {
      var (config, context, dataPath) = try options.load()
      let dropped = drop.map { $0.split(separator: ",").map(String.init) } ?? []
      config.controller.droppedFeatureGroups = dropped
      try config.check()
      let artifactName = name ?? ([options.task.rawValue] + dropped.map { "no-\($0)" }).joined(separator: "-")
      let stage = ControllerTrainingStage(
        kind: options.task, config: config, context: context, name: artifactName, dataPath: dataPath)
      print("wrote \(try stage.run().path)")
    }
  }
}
