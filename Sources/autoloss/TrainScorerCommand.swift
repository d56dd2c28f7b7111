import ArgumentParser

/// `autoloss train-scorer`: the Inception-Score classifier of paper 4.1 for one image dataset
/// (`run train --task scorer --option dataset=<dataset>`).
struct TrainScorerCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train-scorer",
    abstract: "Train the IS classifier (CNN of paper 4.1) on a dataset's training split.",
    discussion: """
      Writes artifacts/scorers/<dataset>/vNNNN.h5 with the weights, the test accuracy and the IS of the
      real test images (the ceiling for generated images). Settings: configs/<profile>/scorer.json.
      """)

  @Option(help: "Dataset: mnist, fashion-mnist or cifar10 (data/<dataset>.h5 from `autoloss prep`).")
  var dataset: String

  @OptionGroup var options: StageOptions

  func run() throws { try options.run(task: "scorer", stage: "train", ["dataset": dataset]) }
}
