import ArgumentParser

// Work in progress: this command is being written in this session.
struct NMTCommand: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "nmt", abstract: "(in progress)")
  func run() throws { throw ValidationError("not available yet") }
}
