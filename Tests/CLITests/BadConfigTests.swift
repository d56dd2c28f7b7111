import Foundation
import XCTest

/// Bad arguments and configs: each must end with exit code 1 (never a signal) and a message that
/// names the problem, before any stage does work.
final class BadConfigTests: XCTestCase {
  /// One row of the table: the arguments and the phrases the error message must contain.
  struct Case {
    var arguments: [String]
    var expected: [String]
  }

  var dir = ""

  override func setUpWithError() throws {
    dir = FileManager.default.temporaryDirectory.appendingPathComponent("cli-\(UUID().uuidString)").path
    let repoConfigs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("configs/smoke").path
    let manager = FileManager.default
    try manager.createDirectory(atPath: "\(dir)/configs", withIntermediateDirectories: true)
    try manager.createDirectory(atPath: "\(dir)/data", withIntermediateDirectories: true)
    try manager.copyItem(atPath: repoConfigs, toPath: "\(dir)/configs/smoke")
    for (profile, text) in [
      ("partial", "{}"), ("badkey", #"{"task": {"lamda": 1}}"#), ("badtype", #"{"task": {"lambda": "big"}}"#),
      ("badjson", #"{"task": "#), ("workers", #"{"workers": 4}"#),
    ] {
      try manager.createDirectory(atPath: "\(dir)/configs/\(profile)", withIntermediateDirectories: true)
      let name = profile == "workers" ? "nmt" : "regression"
      try Data(text.utf8).write(to: URL(fileURLWithPath: "\(dir)/configs/\(profile)/\(name).json"))
    }
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(atPath: dir)
  }

  /// Stage options pointing at the temp folder (nothing is read from or written to the repository).
  func stage(_ command: [String], profile: String = "smoke", _ extra: [String] = []) -> [String] {
    command + [
      "--profile", profile, "--configs", "configs", "--data-dir", "data", "--artifacts", "artifacts", "--quiet",
    ]
      + extra
  }

  var table: [Case] {
    let regression = ["train-controller", "--task", "regression"]
    let gan = ["gan", "train-controller"]
    let nmt = ["nmt", "baselines"]
    return [
      // Profiles and files.
      Case(
        arguments: stage(regression, profile: "smok"), expected: ["profile 'smok'", "available profiles:", "smoke"]),
      Case(arguments: stage(gan, profile: "quik"), expected: ["profile 'quik'", "available profiles:"]),
      Case(arguments: stage(["train-scorer", "--dataset", "mnist"], profile: "papr"), expected: ["profile 'papr'"]),
      Case(
        arguments: stage(nmt, profile: "partial"), expected: ["nmt.json not found", "this profile has: regression"]),
      Case(arguments: stage(gan, profile: "partial"), expected: ["gan.json not found"]),
      Case(
        arguments: ["evaluate", "--task", "regression", "--configs", "no-such-folder"],
        expected: ["not found under no-such-folder", "available profiles: none"]),
      // Unknown keys, in a file and in an override.
      Case(arguments: stage(regression, profile: "badkey"), expected: ["unknown setting 'task.lamda'"]),
      Case(
        arguments: stage(regression, ["--set", "task.validateEvry=5"]), expected: ["unknown setting 'validateEvry'"]),
      Case(arguments: stage(gan, ["--set", "controler.episodes=5"]), expected: ["unknown setting 'controler'"]),
      Case(arguments: stage(nmt, ["--set", "ppo.clipp=1"]), expected: ["unknown setting 'clipp'"]),
      Case(arguments: stage(["train-scorer", "--dataset", "mnist"], ["--set", "step=5"]), expected: ["'step'"]),
      // Wrong types and malformed input.
      Case(
        arguments: stage(regression, profile: "badtype"), expected: ["'task.lambda'", "expected a number", "\"big\""]),
      Case(
        arguments: stage(regression, ["--set", "controller.episodes=many"]),
        expected: ["'controller.episodes'", "expected an integer", "\"many\""]),
      Case(arguments: stage(regression, ["--set", "task.maxSteps=2.5"]), expected: ["'task.maxSteps'"]),
      Case(arguments: stage(regression, ["--set", "task=3"]), expected: ["'task' is a group of settings"]),
      Case(arguments: stage(regression, ["--set", "controller.episodes"]), expected: ["expected key.path=value"]),
      Case(arguments: stage(regression, profile: "badjson"), expected: ["badjson/regression.json: not valid JSON"]),
      // Zero and negative sizes and intervals.
      Case(
        arguments: stage(regression, ["--set", "task.validateEvery=0"]),
        expected: ["'task.validateEvery': expected an integer >= 1, found 0"]),
      Case(
        arguments: stage(["baselines", "--task", "classification"], ["--set", "task.maxSteps=-5"]),
        expected: ["'task.maxSteps'", "found -5"]),
      Case(
        arguments: stage(regression, ["--set", "controller.episodes=0"]),
        expected: ["'controller.episodes'", "found 0"]),
      Case(
        arguments: stage(regression, ["--set", "task.learningRate=0"]), expected: ["'task.learningRate'", "found 0.0"]),
      Case(
        arguments: stage(regression, ["--set", "controller.baselineDecay=1"]), expected: ["'controller.baselineDecay'"]),
      Case(arguments: stage(regression, ["--set", "ratioGrid=[0.5,1]"]), expected: ["'ratioGrid'", "found 1.0"]),
      Case(arguments: stage(regression, ["--drop", "gradiant"]), expected: ["droppedFeatureGroups", "\"gradiant\""]),
      Case(
        arguments: stage(gan, ["--set", "controller.episodesPerUpdate=0"]),
        expected: ["'controller.episodesPerUpdate'", "found 0"]),
      Case(arguments: stage(gan, ["--set", "task.checkEvery=0"]), expected: ["task.checkEvery", "found 0"]),
      Case(arguments: stage(gan, ["--set", "model.imageSize=20"]), expected: ["model.imageSize", "found 20"]),
      Case(arguments: stage(nmt, ["--set", "task.validateEvery=0"]), expected: ["'task.validateEvery'", "found 0"]),
      Case(arguments: stage(nmt, ["--set", "slice=3"]), expected: ["'slice'", "found 3", "sliceCount = 1"]),
      Case(
        arguments: stage(nmt, ["--set", "evaluatedController=best-episode"]),
        expected: ["'evaluatedController'", "best-episode", "final, average"]),
      Case(
        arguments: stage(nmt, ["--set", "averageLastMetaEpisodes=0"]),
        expected: ["'averageLastMetaEpisodes'", "found 0"]),
      Case(arguments: stage(nmt, ["--set", "ppo.minibatchSize=-1"]), expected: ["'ppo.minibatchSize'", "found -1"]),
      Case(
        arguments: stage(["train-scorer", "--dataset", "mnist"], ["--set", "steps=0"]),
        expected: ["'steps'", "found 0"]),
      // Settings that belong to the command line, and bad arguments.
      Case(
        arguments: stage(nmt, ["--set", "workers=4"]),
        expected: ["'workers' is set by the command line option --workers"]),
      Case(
        arguments: stage(nmt, profile: "workers"), expected: ["'workers' is set by the command line option --workers"]),
      Case(
        arguments: stage(regression, ["--workers", "0"]), expected: ["--workers: expected an integer >= 1, found 0"]),
      Case(arguments: stage(regression, ["--workers", "two"]), expected: ["--workers", "two"]),
      Case(arguments: stage(["train-controller", "--task", "regresion"]), expected: ["regresion"]),
      Case(arguments: stage(regression, ["--frobnicate"]), expected: ["--frobnicate"]),
      Case(arguments: ["no-such-command"], expected: ["no-such-command"]),
      Case(arguments: stage(["train-scorer", "--dataset", "mnst"]), expected: ["expected one of mnist"]),
      Case(arguments: ["inspect", "no-such-file.h5"], expected: ["no-such-file.h5"]),
      Case(arguments: ["bench", "--repeats", "0"], expected: ["--repeats must be at least 1"]),
      // The generic commands of the task registry.
      Case(
        arguments: stage(["run", "baselines", "--task", "regresion"]),
        expected: ["unknown task 'regresion'", "tasks: regression, classification, scorer, gan, nmt, known-answer"]),
      Case(
        arguments: stage(["run", "sweep", "--task", "gan"]),
        expected: ["task 'gan' has no stage 'sweep'", "its stages: calibrate, train-controller, baselines"]),
      Case(
        arguments: stage(["run", "baselines", "--task", "gan", "--option", "drop=loss"]),
        expected: ["stage 'gan baselines' has no option 'drop'", "it takes none"]),
      Case(
        arguments: stage(["run", "evaluate", "--task", "regression", "--option", "controler-version=2"]),
        expected: ["has no option 'controler-version'", "it takes: controller-version, baselines-version"]),
      Case(
        arguments: stage(["run", "baselines", "--task", "regression", "--option", "drop"]), expected: ["key=value"]),
      Case(
        arguments: stage(["run", "train-controller", "--task", "regression", "--controller", "0"]),
        expected: ["option controller: expected an integer >= 1, found '0'"]),
      Case(
        arguments: stage(["run", "check", "--task", "known-answer"], ["--set", "seed=3"]),
        expected: ["task 'known-answer' has no config to override"]),
      Case(arguments: stage(["run", "baselines"]), expected: ["--task"]),
      Case(
        arguments: stage(["run", "train-controller", "--task", "regression"], ["--set", "task.validateEvery=0"]),
        expected: ["'task.validateEvery': expected an integer >= 1, found 0"]),
      Case(
        arguments: stage(["run", "baselines", "--task", "nmt", "--option", "config=nmt"], profile: "partial"),
        expected: ["nmt.json not found"]),
      Case(
        arguments: stage(["run", "train", "--task", "scorer", "--option", "dataset=mnst"]),
        expected: ["expected one of mnist"]),
    ]
  }

  func testEveryBadConfigExitsWithOneAndAClearMessage() throws {
    for row in table {
      let result = try CLIRunner.run(row.arguments, in: dir)
      let line = "autoloss \(row.arguments.joined(separator: " "))"
      XCTAssertFalse(result.signaled, "\(line): killed by signal \(result.status)")
      XCTAssertEqual(result.status, 1, "\(line): exit code; stderr: \(result.stderr)")
      for phrase in row.expected {
        XCTAssertTrue(result.stderr.contains(phrase), "\(line): stderr lacks '\(phrase)': \(result.stderr)")
      }
      XCTAssertFalse(FileManager.default.fileExists(atPath: "\(dir)/artifacts"), "\(line): wrote artifacts")
    }
  }
}
