import ArgumentParser

/// `autoloss evaluate`: test error of fresh models under the controller and every baseline
/// (`run evaluate --task <task>`).
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
    try options.run(
      "evaluate",
      [
        "controller-version": controllerVersion.map(String.init),
        "baselines-version": baselinesVersion.map(String.init),
      ])
  }
}
