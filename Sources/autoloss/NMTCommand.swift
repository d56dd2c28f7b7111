import ArgumentParser

/// `autoloss nmt`: the multi-task NMT experiments (paper section 5.4); each subcommand is
/// `run <stage> --task nmt`.
struct NMTCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "nmt",
    abstract: "Multi-task NMT: baselines, the online PPO controller (AutoLoss) and transfer.",
    discussion: """
      Each subcommand writes artifacts/nmt/<dataset>-<stage>/vNNNN.h5 (schema autoloss/nmt-runs).
      Configs: configs/<profile>/<config>.json (nmt = Turkish->English with POS and DEPREL;
      nmt-de-en = German->English with silver POS).
      """,
    subcommands: [NMTBaselinesCommand.self, NMTTrainCommand.self, NMTTransferCommand.self, NMTAllCommand.self])
}

/// Options of every NMT subcommand.
struct NMTOptions: ParsableArguments {
  @Option(help: "Config name: configs/<profile>/<config>.json.")
  var config = "nmt"

  @OptionGroup var stage: StageOptions

  func run(_ name: String) throws { try stage.run(task: "nmt", stage: name, ["config": config]) }
}

struct NMTBaselinesCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "baselines",
    abstract: "MT only, FixedRatio, FineTuned, round robin and the best constant mix (tuned on validation).")
  @OptionGroup var options: NMTOptions

  func run() throws { try options.run("baselines") }
}

struct NMTTrainCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train", abstract: "AutoLoss: train models while the PPO controller learns online.")
  @OptionGroup var options: NMTOptions

  func run() throws { try options.run("train") }
}

struct NMTTransferCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "transfer",
    abstract: "The trained controller (frozen) on another model size and another data slice, against FineTuned.")
  @OptionGroup var options: NMTOptions

  func run() throws { try options.run("transfer") }
}

struct NMTAllCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "all", abstract: "baselines, train, then transfer.")
  @OptionGroup var options: NMTOptions

  func run() throws { try options.run("all") }
}
