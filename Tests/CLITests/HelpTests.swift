import Foundation
import XCTest

/// `--help` works for every command and subcommand (found from the tool's own command tree).
final class HelpTests: XCTestCase {
  /// Every command path, e.g. `[]`, `["gan"]`, `["gan", "train-controller"]`, from
  /// `autoloss --experimental-dump-help` (the argument parser's JSON description of the tool).
  func commandPaths() throws -> [[String]] {
    let result = try CLIRunner.run(["--experimental-dump-help"], in: FileManager.default.temporaryDirectory.path)
    XCTAssertEqual(result.status, 0, result.stderr)
    let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
    guard let root = json?["command"] as? [String: Any] else { throw CLITestError("no command tree in the dump") }
    var paths: [[String]] = []
    func walk(_ node: [String: Any], _ path: [String]) {
      paths.append(path)
      for child in node["subcommands"] as? [[String: Any]] ?? [] {
        guard let name = child["commandName"] as? String, name != "help" else { continue }
        walk(child, path + [name])
      }
    }
    walk(root, [])
    return paths
  }

  func testHelpOfEveryCommand() throws {
    let paths = try commandPaths()
    XCTAssertGreaterThan(paths.count, 20, "the tool has ~25 commands: \(paths)")
    XCTAssertTrue(paths.contains(["gan", "train-controller"]))
    XCTAssertTrue(paths.contains(["run"]) && paths.contains(["tasks"]), "\(paths)")
    for path in paths {
      let result = try CLIRunner.run(path + ["--help"], in: FileManager.default.temporaryDirectory.path)
      let line = (["autoloss"] + path + ["--help"]).joined(separator: " ")
      XCTAssertEqual(result.status, 0, "\(line): \(result.stderr)")
      XCTAssertTrue(result.stdout.contains("USAGE:"), "\(line): \(result.stdout)")
      XCTAssertTrue(result.stderr.isEmpty, "\(line) wrote to stderr: \(result.stderr)")
    }
  }

  func testTasksListsEveryFamilyAndItsStages() throws {
    let result = try CLIRunner.run(["tasks"], in: FileManager.default.temporaryDirectory.path)
    XCTAssertEqual(result.status, 0, result.stderr)
    for family in ["regression:", "classification:", "scorer:", "gan:", "nmt:", "known-answer:"] {
      XCTAssertTrue(result.stdout.contains("\n" + family) || result.stdout.hasPrefix(family), family)
    }
    for stage in ["train-controller", "calibrate", "step-time", "controller=", "evaluation-episodes="] {
      XCTAssertTrue(result.stdout.contains(stage), "\(stage): \(result.stdout)")
    }
  }

  func testRunHelpNamesTheTaskAndStageOptions() throws {
    let result = try CLIRunner.run(["run", "--help"], in: FileManager.default.temporaryDirectory.path)
    XCTAssertEqual(result.status, 0, result.stderr)
    for phrase in ["<stage>", "--task", "--option", "--controller", "--set", "--profile"] {
      XCTAssertTrue(result.stdout.contains(phrase), "\(phrase): \(result.stdout)")
    }
  }

  func testVersion() throws {
    let result = try CLIRunner.run(["--version"], in: FileManager.default.temporaryDirectory.path)
    XCTAssertEqual(result.status, 0)
    XCTAssertFalse(result.stdout.isEmpty)
  }
}
