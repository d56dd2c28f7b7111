import ArgumentParser

/// `autoloss sweep`: Figure 1, the joint objective against AutoLoss across λ (`run sweep`).
struct SweepCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "sweep", abstract: "Figure 1: joint objective vs AutoLoss (retrained per lambda) across lambda.")

  @OptionGroup var options: RegularizedOptions

  func run() throws { try options.run("sweep") }
}

/// `autoloss ablation`: Table 3, controllers retrained without one feature group each (`run ablation`).
struct AblationCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ablation", abstract: "Table 3: retrain the controller without each feature group and evaluate.")

  @OptionGroup var options: RegularizedOptions

  func run() throws { try options.run("ablation") }
}

/// `autoloss transfer`: Table 2, the trained controller on new datasets (`run transfer`).
struct TransferCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "transfer",
    abstract: "Table 2: the controller trained on dataset seed 1 guides models on new datasets (prep them with --seed)."
  )

  @Option(help: "Controller artifact version to use (default: latest).")
  var controllerVersion: Int?

  @OptionGroup var options: RegularizedOptions

  func run() throws { try options.run("transfer", ["controller-version": controllerVersion.map(String.init)]) }
}
