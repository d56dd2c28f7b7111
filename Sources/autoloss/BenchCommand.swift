import ArgumentParser

// Work in progress: this command is being written in this session.
struct BenchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "bench", abstract: "(in progress)")
  func run() throws { throw ValidationError("not available yet") }
}
