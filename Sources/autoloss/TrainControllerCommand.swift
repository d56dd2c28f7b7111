import ArgumentParser

/// `autoloss train-controller`: offline REINFORCE controller training for regression or classification
/// (`run train-controller --task <task>`).
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

  @Option(
    help:
      "Train only controller seed K (1-based, up to controller.controllerSeeds), so that seeds run side by side in separate processes."
  )
  var controller: Int?

  @OptionGroup var options: RegularizedOptions

  func run() throws {
    try options.run("train-controller", ["drop": drop, "name": name, "controller": controller.map(String.init)])
  }
}
