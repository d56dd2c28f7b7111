import ArgumentParser
import Pipeline
import Report

/// `autoloss report`: the paper's tables and figures beside ours, from the latest artifacts.
struct ReportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "report",
    abstract: "Write artifacts/report/vNNNN/index.html (self-contained) and report.md from the latest artifacts.",
    discussion: """
      Tables 1-3, Figure 1, the GAN and NMT results and controller training, each beside the paper's numbers, with a
      verdict per task and the provenance (path, version, sha256) of every artifact read. Parts whose artifacts are
      absent are reported as not run.
      """)

  @Option(help: "Folder of versioned artifacts.")
  var artifacts = "artifacts"

  @Option(help: "The profile the artifacts were made with (quoted in the report).")
  var profile = "quick"

  func run() throws {
    try runStage {
      let stage = ReportStage(
        artifactRoot: artifacts, profile: profile, toolVersion: StageContext.toolVersion,
        gitCommit: StageContext.gitCommit)
      let folder = try stage.run()
      print("wrote \(folder)/index.html")
      print("wrote \(folder)/report.md")
    }
  }
}
