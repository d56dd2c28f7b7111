import ArgumentParser

// Work in progress: this command is being written in this session.
struct EvaluateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "evaluate", abstract: "(in progress)")
  func run() throws { throw ValidationError("not available yet") }
}
