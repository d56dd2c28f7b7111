import ArgumentParser

// Work in progress: this command is being written in this session.
struct GANCommand: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "gan", abstract: "(in progress)")
  func run() throws { throw ValidationError("not available yet") }
}
