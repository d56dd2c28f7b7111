import ArgumentParser

/// `autoloss gan`: the GAN experiments of the paper (section 4 of paper-spec.md); each subcommand
/// is `run <stage> --task gan`.
struct GANCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "gan",
    abstract: "DCGAN experiments: controller training, baselines, evaluation, transfer.",
    discussion: """
      Settings: configs/<profile>/gan.json over the paper's defaults, --set key.path=value on top.
      Needs data/<dataset>.h5 (autoloss prep) and the scorer (autoloss train-scorer).
      """,
    subcommands: [
      GANCalibrateCommand.self, GANTrainControllerCommand.self, GANBaselinesCommand.self, GANEvaluateCommand.self,
      GANTransferCommand.self,
      GANStepTimeCommand.self,
    ])
}

struct GANCalibrateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "calibrate",
    abstract: "Fixed P(G) coins and D:G ratios on common seeds: does the regime have anything to learn?")
  @OptionGroup var options: StageOptions

  func run() throws { try options.run(task: "gan", stage: "calibrate", [:]) }
}

struct GANTrainControllerCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train-controller",
    abstract: "Train the GAN controller (REINFORCE or antithetic, as configured; reward rewardScale·IS²).")
  @OptionGroup var options: StageOptions

  func run() throws { try options.run(task: "gan", stage: "train-controller", [:]) }
}

struct GANBaselinesCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "baselines", abstract: "Fixed D:G schedules and the tuned constant-ratio schedule.")
  @OptionGroup var options: StageOptions

  func run() throws { try options.run(task: "gan", stage: "baselines", [:]) }
}

struct GANEvaluateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "evaluate", abstract: "The trained controller against every baseline schedule.")
  @OptionGroup var options: StageOptions

  func run() throws { try options.run(task: "gan", stage: "evaluate", [:]) }
}

struct GANTransferCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "transfer", abstract: "The trained controller on other datasets and sampled DCGANs, against 1:1.")
  @OptionGroup var options: StageOptions

  func run() throws { try options.run(task: "gan", stage: "transfer", [:]) }
}

/// Times D and G steps of the configured DCGAN on random data (a quick sizing aid; `autoloss bench`
/// is the reference benchmark).
struct GANStepTimeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "step-time", abstract: "Milliseconds per D step and per G step of the configured DCGAN.")
  @Option(help: "Steps of each kind to time (after 3 warm-up steps).")
  var steps = 20
  @OptionGroup var options: StageOptions

  func run() throws { try options.run(task: "gan", stage: "step-time", ["steps": String(steps)]) }
}
