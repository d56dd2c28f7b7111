import ArgumentParser
import Pipeline

/// `autoloss baselines`: tune every baseline on the task splits.
struct BaselinesCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "baselines",
    abstract: "Tune the baselines (without L1, S1-S3, DGS, fixed 1:1, best constant ratio) on validation.")

  @OptionGroup var options: RegularizedOptions

  func run() throws {
    try runStage {
      let (config, context, dataPath) = try options.load()
      let stage = BaselineTuningStage(
        kind: options.task, config: config, context: context, name: options.task.rawValue, dataPath: dataPath)
      print("wrote \(try stage.run().path)")
    }
  }
}
