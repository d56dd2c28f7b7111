import ArgumentParser

// Work in progress: this command is being written in this session.
struct TrainControllerCommand: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "train-controller", abstract: "(in progress)")
  func run() throws { throw ValidationError("not available yet") }
}
