import ArgumentParser
import Engine
import Pipeline

/// `autoloss nmt`: the multi-task NMT experiments (paper section 5.4).
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

  func load() throws -> NMTStage {
    let context = stage.context
    let c = try NMTExperimentConfig.load(name: config, context: context, overrides: stage.overrides)
    return NMTStage(config: c, context: context)
  }
}

struct NMTBaselinesCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "baselines",
    abstract: "MT only, FixedRatio, FineTuned, round robin and the best constant mix (tuned on validation).")
  @OptionGroup var options: NMTOptions

  func run() throws {
    try runStage {
      let (artifact, text) = try options.load().runBaselines()
      print(text)
      print("wrote \(artifact.path)")
    }
  }
}

struct NMTTrainCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train", abstract: "AutoLoss: train models while the PPO controller learns online.")
  @OptionGroup var options: NMTOptions

  func run() throws {
    try runStage {
      let (artifact, text) = try options.load().runAutoLoss()
      print(text)
      print("wrote \(artifact.path)")
    }
  }
}

struct NMTTransferCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "transfer",
    abstract: "The trained controller (frozen) on another model size and another data slice, against FineTuned.")
  @OptionGroup var options: NMTOptions

  func run() throws {
    try runStage {
      let (artifact, text) = try options.load().runTransfer()
      print(text)
      print("wrote \(artifact.path)")
    }
  }
}

struct NMTAllCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "all", abstract: "baselines, train, then transfer.")
  @OptionGroup var options: NMTOptions

  func run() throws {
    try runStage {
      let stage = try options.load()
      for step in [stage.runBaselines, stage.runAutoLoss, stage.runTransfer] {
        let (artifact, text) = try step()
        print(text)
        print("wrote \(artifact.path)")
      }
    }
  }
}
