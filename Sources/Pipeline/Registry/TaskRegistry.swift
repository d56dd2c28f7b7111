import Foundation

/// What one stage run is asked to do: where it reads and writes, the config overrides, and the
/// stage's own options (`--option key=value`, or the typed flags of the per-family commands).
public struct StageRequest: Sendable {
  public var context: StageContext
  /// `key.path=value` overrides of the task's profile config (`--set`).
  public var overrides: [String]
  /// Stage options by name, e.g. `controller: "2"`, `drop: "gradient,loss"`.
  public var options: [String: String]

  public init(context: StageContext, overrides: [String] = [], options: [String: String] = [:]) {
    self.context = context
    self.overrides = overrides
    self.options = options
  }

  /// The option `key` as text, nil when absent.
  public func string(_ key: String) -> String? { options[key] }

  /// The option `key` as an integer of at least `minimum`, nil when absent; anything else is an
  /// error naming the option, the expected range and the value found.
  public func int(_ key: String, atLeast minimum: Int) throws -> Int? {
    guard let text = options[key] else { return nil }
    guard let value = Int(text), value >= minimum else {
      throw PipelineError("option \(key): expected an integer >= \(minimum), found '\(text)'")
    }
    return value
  }
}

/// One option a stage accepts.
public struct StageOptionSpec: Sendable {
  public var name: String
  public var help: String

  public init(_ name: String, _ help: String) {
    self.name = name
    self.help = help
  }
}

/// One stage a task family offers, with its single entry point: it runs the stage for a request
/// and returns the lines to print (`wrote <artifact>`, summaries).
public struct StageEntry: Sendable {
  public var name: String
  public var summary: String
  public var options: [StageOptionSpec]
  public var run: @Sendable (StageRequest) throws -> [String]

  public init(
    _ name: String, _ summary: String, options: [StageOptionSpec] = [],
    run: @escaping @Sendable (StageRequest) throws -> [String]
  ) {
    self.name = name
    self.summary = summary
    self.options = options
    self.run = run
  }
}

/// A task family: its name, the profile config its stages read (`configs/<profile>/<config>.json`,
/// nil when it has none) and the stages it offers.
public struct TaskFamily: Sendable {
  public var name: String
  public var summary: String
  public var config: String?
  public var stages: [StageEntry]

  public init(name: String, summary: String, config: String?, stages: [StageEntry]) {
    self.name = name
    self.summary = summary
    self.config = config
    self.stages = stages
  }

  /// The stage called `name`; an unknown name is an error listing this family's stages.
  public func stage(_ name: String) throws -> StageEntry {
    guard let entry = stages.first(where: { $0.name == name }) else {
      throw PipelineError(
        "task '\(self.name)' has no stage '\(name)'; its stages: \(stages.map(\.name).joined(separator: ", "))")
    }
    return entry
  }
}

/// Every task family the tool knows. A new family registers here (a ``TaskFamily`` value with its
/// stage entries); `autoloss run <stage> --task <family>` and `autoloss tasks` then offer it
/// without a new command tree.
public enum TaskRegistry {
  public static let families: [TaskFamily] = [
    regularizedFamily(.regression), regularizedFamily(.classification), scorerFamily, ganFamily, nmtFamily,
    knownAnswerFamily,
  ]

  /// The family called `name`; an unknown name is an error listing the families.
  public static func family(_ name: String) throws -> TaskFamily {
    guard let family = families.first(where: { $0.name == name }) else {
      throw PipelineError("unknown task '\(name)'; tasks: \(families.map(\.name).joined(separator: ", "))")
    }
    return family
  }

  /// Checks the request against the entry (known task, stage and options; `--set` only where there
  /// is a config) before anything runs, then runs the stage; returns the lines to print.
  public static func run(task: String, stage: String, _ request: StageRequest) throws -> [String] {
    let family = try family(task)
    let entry = try family.stage(stage)
    let known = Set(entry.options.map(\.name))
    for key in request.options.keys.sorted() where !known.contains(key) {
      let names = entry.options.map(\.name).joined(separator: ", ")
      let accepted = entry.options.isEmpty ? "it takes none" : "it takes: " + names
      throw PipelineError("stage '\(task) \(stage)' has no option '\(key)'; \(accepted)")
    }
    if family.config == nil && !request.overrides.isEmpty {
      throw PipelineError("--set: task '\(task)' has no config to override, found \(request.overrides)")
    }
    return try entry.run(request)
  }

  /// The families and their stages, one block per family (`autoloss tasks`).
  public static func listing() -> String {
    var lines: [String] = []
    for family in families {
      let config = family.config.map { "configs/<profile>/\($0).json" } ?? "no config"
      lines.append("\(family.name): \(family.summary) (\(config))")
      for stage in family.stages {
        lines.append("  \(stage.name.padding(toLength: 17, withPad: " ", startingAt: 0)) \(stage.summary)")
        for option in stage.options {
          lines.append("      \(option.name)=...  \(option.help)")
        }
      }
    }
    return lines.joined(separator: "\n")
  }
}
