import ArgumentParser

// Work in progress: this command is being written in this session.
struct TrainScorerCommand: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "train-scorer", abstract: "(in progress)")
  func run() throws { throw ValidationError("not available yet") }
}
