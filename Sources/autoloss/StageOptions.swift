import ArgumentParser
import Distributed
import Pipeline
import Tasks

/// Options shared by the stages: where artifacts, data and profiles live, and config overrides.
struct StageOptions: ParsableArguments {
  @Option(help: "Profile: smoke, quick, long or paper (configs/<profile>/<task>.json).")
  var profile = "quick"

  @Option(name: .customLong("set"), help: "Override one config value, e.g. --set controller.episodes=50 (repeatable).")
  var overrides: [String] = []

  @Option(help: "Folder of versioned artifacts.")
  var artifacts = "artifacts"

  @Option(help: "Folder of prepared datasets.")
  var dataDir = "data"

  @Option(help: "Folder of profile configs.")
  var configs = "configs"

  @Option(help: "Independent runs executed side by side.")
  var workers = 2

  @Flag(help: "No progress display.")
  var quiet = false

  func validate() throws {
    guard workers >= 1 else { throw ValidationError("--workers: expected an integer >= 1, found \(workers)") }
  }

  var context: StageContext {
    StageContext(
      artifactRoot: artifacts, dataRoot: dataDir, profile: profile, configRoot: configs, workers: workers,
      showProgress: !quiet, executor: StageExecutor.forThisProcess(workers: workers))
  }
}

extension StageOptions {
  /// Runs `stage` of `task` through the task registry with the stage options `options` (nil values
  /// are left out) and prints what it returns; errors end with a message and exit code 1.
  func run(task: String, stage: String, _ options: [String: String?]) throws {
    try runStage {
      let request = StageRequest(context: context, overrides: overrides, options: options.compactMapValues { $0 })
      for line in try TaskRegistry.run(task: task, stage: stage, request) { print(line) }
    }
  }
}

extension RegularizedTaskKind: ExpressibleByArgument {}

/// Runs a stage body, turning its errors into a message on stderr and exit code 1.
func runStage(_ body: () throws -> Void) throws {
  do {
    try body()
  } catch let error as ExitCode {
    throw error
  } catch {
    log("error: \(error)")
    throw ExitCode(1)
  }
}
