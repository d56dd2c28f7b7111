import ArgumentParser

/// `autoloss baselines`: tune every baseline on the task splits (`run baselines --task <task>`).
struct BaselinesCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "baselines",
    abstract: "Tune the baselines (without L1, S1-S3, DGS, fixed 1:1, best constant ratio) on validation.")

  @OptionGroup var options: RegularizedOptions

  func run() throws { try options.run("baselines") }
}
