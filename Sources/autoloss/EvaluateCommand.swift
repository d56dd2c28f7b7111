import ArgumentParser
import Pipeline

/// `autoloss evaluate`: test error of fresh models under the controller and every baseline.
struct EvaluateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "evaluate",
    abstract: "Train fresh task models under the frozen controller and each tuned baseline; report test error.")

  @Option(help: "Controller artifact version to use (default: latest).")
  var controllerVersion: Int?

  @Option(help: "Baselines artifact version to use (default: latest).")
  var baselinesVersion: Int?

  @OptionGroup var options: RegularizedOptions

  func run() throws {
    try runStage {
      let (config, context, dataPath) = try options.load()
      var stage = EvaluationStage(
        kind: options.task, config: config, context: context, name: options.task.rawValue, dataPath: dataPath)
      stage.controllerVersion = controllerVersion
      stage.baselinesVersion = baselinesVersion
      print("wrote \(try stage.run().path)")
    }
  }
}
