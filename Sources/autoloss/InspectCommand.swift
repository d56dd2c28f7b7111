import ArgumentParser
import Foundation
import Pipeline

/// `autoloss inspect FILE`: schema, provenance, tree, attributes and training-trace summaries.
struct InspectCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "inspect",
    abstract: "Show what an HDF5 artifact holds: schema, provenance, groups, datasets, attributes, episodes.",
    discussion: """
      For training traces (files with /episodes/NNNN groups) a per-episode table follows the tree;
      --episode N prints that episode's steps (action, probabilities, losses) instead, at most
      --max-rows rows at evenly spaced steps (first and last included), then its validation checks.
      """)

  @Argument(
    help: """
      An HDF5 file, e.g. artifacts/controllers/gan-mnist/v0003.h5 or data/mnist.h5; an artifact folder \
      (artifacts/controllers/gan-mnist) or its `latest` file means its latest version.
      """)
  var file: String

  @Option(help: "Print the steps of this episode.") var episode: Int?
  @Option(help: "At most this many step rows.") var maxRows = 50

  func run() throws {
    do {
      print(try ArtifactInspector.render(file, options: .init(episode: episode, maxRows: maxRows)), terminator: "")
    } catch {
      FileHandle.standardError.write(Data("autoloss inspect: error: \(error)\n".utf8))
      throw ExitCode.failure
    }
  }
}
