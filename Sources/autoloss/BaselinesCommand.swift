import ArgumentParser

// Work in progress: this command is being written in this session.
struct BaselinesCommand: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "baselines", abstract: "(in progress)")
  func run() throws { throw ValidationError("not available yet") }
}
