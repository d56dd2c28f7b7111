import ArgumentParser
import Engine
import Pipeline

/// `autoloss train-scorer`: the Inception-Score classifier of paper 4.1 for one image dataset.
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

  func run() throws {
    try runStage {
      guard GANData.datasets.contains(dataset) else {
        throw ValidationError(
          "--dataset: expected one of \(GANData.datasets.joined(separator: ", ")), found '\(dataset)'")
      }
      keepLargeAllocationsResident()
      BLAS.setThreads(1)
      let context = options.context
      let config = try ScorerConfig.load(context: context, overrides: options.overrides)
      let result = try ScorerStage(dataset: dataset, config: config, context: context).run()
      print(
        "wrote \(result.artifact.path): test accuracy \(String(format: "%.2f", result.accuracy * 100))%, "
          + "real-data IS \(String(format: "%.3f ± %.3f", result.realIS, result.realISStd))")
    }
  }
}
