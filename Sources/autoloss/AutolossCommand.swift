import ArgumentParser
import Engine
import Foundation

/// The `autoloss` tool: every stage of the pipeline as a subcommand.
@main
struct AutolossCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "autoloss",
    abstract: "AutoLoss (Xu et al., ICLR 2019): learn discrete schedules for alternate optimization.",
    discussion: """
      Stages read the artifacts of earlier stages and write new versions of their own under
      artifacts/<stage>/<name>/vNNNN.h5. Every artifact is plain HDF5 (h5dump, h5py).
      """,
    version: "0.1.0",
    subcommands: [
      PrepCommand.self, InspectCommand.self, KnownAnswerCommand.self, TrainControllerCommand.self,
      BaselinesCommand.self,
      EvaluateCommand.self, SweepCommand.self, AblationCommand.self, TransferCommand.self,
      TrainScorerCommand.self, GANCommand.self, NMTCommand.self, ReportCommand.self, BenchCommand.self,
      RunCommand.self, TasksCommand.self,
    ])

  /// Parses and runs a command. `--help` and `--version` exit with 0; every error (bad arguments,
  /// a bad config, a failed stage) prints its message on stderr and exits with 1.
  static func main() {
    do {
      var command = try parseAsRoot()
      try command.run()
    } catch {
      if exitCode(for: error) == .success { exit(withError: error) }
      let message = fullMessage(for: error)
      if !message.isEmpty { FileHandle.standardError.write(Data((message + "\n").utf8)) }
      Foundation.exit(1)
    }
  }
}
