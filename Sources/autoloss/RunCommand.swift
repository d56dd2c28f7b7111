import ArgumentParser
import Pipeline

/// `autoloss run <stage> --task <family>`: any stage of any registered task family.
struct RunCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run",
    abstract: "Run one stage of a task family through the task registry (`autoloss tasks` lists them).",
    discussion: """
      For example: autoloss run train-controller --task regression --controller 2 --profile quick
      autoloss run train-controller --task gan --set controller.episodes=4; autoloss run baselines --task nmt --option config=nmt-de-en.
      The per-family commands (train-controller, gan evaluate, nmt train, ...) run the same registry entries.
      """)

  @Argument(help: "The stage, e.g. train-controller, baselines, evaluate, transfer, calibrate.")
  var stage: String

  @Option(help: "The task family, e.g. regression, classification, scorer, gan, nmt, known-answer.")
  var task: String

  @Option(help: "Train only controller seed K (the stage option controller=K).")
  var controller: Int?

  @Option(
    name: .customLong("option"), help: "A stage option key=value (repeatable), e.g. --option drop=gradient.")
  var stageOptions: [String] = []

  @OptionGroup var options: StageOptions

  /// The stage options of `--option` and `--controller`; a malformed one is a usage error.
  func parsedOptions() throws -> [String: String?] {
    var parsed: [String: String?] = [:]
    for item in stageOptions {
      guard let eq = item.firstIndex(of: "="), eq != item.startIndex else {
        throw ValidationError("--option: expected key=value, found '\(item)'")
      }
      let key = String(item[..<eq])
      guard parsed[key] == nil else { throw ValidationError("--option: '\(key)' is given twice") }
      parsed[key] = String(item[item.index(after: eq)...])
    }
    if let controller {
      guard parsed["controller"] == nil else {
        throw ValidationError("--controller and --option controller=... are the same option; give one")
      }
      parsed["controller"] = String(controller)
    }
    return parsed
  }

  func validate() throws { _ = try parsedOptions() }

  func run() throws { try options.run(task: task, stage: stage, try parsedOptions()) }
}

/// `autoloss tasks`: the registered task families, their configs, stages and stage options.
struct TasksCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "tasks", abstract: "List the task families, their stages and stage options (for `autoloss run`).")

  func run() throws { print(TaskRegistry.listing()) }
}
