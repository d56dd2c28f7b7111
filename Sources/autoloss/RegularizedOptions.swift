import ArgumentParser
import Pipeline
import Tasks

/// Options of the regression/classification commands: the task plus the shared stage options.
struct RegularizedOptions: ParsableArguments {
  @Option(help: "Task: regression or classification.")
  var task: RegularizedTaskKind

  @OptionGroup var stage: StageOptions

  /// Runs `name` of this task through the task registry with the stage options `options`.
  func run(_ name: String, _ options: [String: String?] = [:]) throws {
    try stage.run(task: task.rawValue, stage: name, options)
  }
}
