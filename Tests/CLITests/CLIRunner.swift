import Foundation
import XCTest

/// What one run of the `autoloss` binary printed and how it ended.
struct CLIResult {
  var status: Int32
  /// True when the process ended by a signal (e.g. SIGFPE) instead of exiting.
  var signaled: Bool
  var stdout: String
  var stderr: String
}

/// Runs the `autoloss` binary that `swift build` / `swift test` put beside the test bundle.
enum CLIRunner {
  /// The built binary: `AUTOLOSS_BIN` if set, else `autoloss` in the build products folder.
  static func binary() throws -> URL {
    if let path = ProcessInfo.processInfo.environment["AUTOLOSS_BIN"] {
      return URL(fileURLWithPath: path)
    }
    var folders = [Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent()]
    folders += Bundle.allBundles.map { $0.bundleURL.deletingLastPathComponent() }
    for folder in folders {
      let candidate = folder.appendingPathComponent("autoloss")
      var isFolder: ObjCBool = false
      if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isFolder), !isFolder.boolValue,
        FileManager.default.isExecutableFile(atPath: candidate.path)
      {
        return candidate
      }
    }
    throw XCTSkip("the autoloss binary is not in \(folders.map(\.path)); build it or set AUTOLOSS_BIN")
  }

  /// Runs `autoloss arguments...` in `directory`, killing it after `timeout` seconds.
  static func run(_ arguments: [String], in directory: String, timeout: TimeInterval = 120) throws -> CLIResult {
    let process = Process()
    process.executableURL = try binary()
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()
    // Read both pipes while the process runs so a full pipe cannot block it.
    let group = DispatchGroup()
    nonisolated(unsafe) var outData = Data()
    nonisolated(unsafe) var errData = Data()
    DispatchQueue.global().async(group: group) { outData = out.fileHandleForReading.readDataToEndOfFile() }
    DispatchQueue.global().async(group: group) { errData = err.fileHandleForReading.readDataToEndOfFile() }
    if group.wait(timeout: .now() + timeout) == .timedOut {
      process.terminate()
      process.waitUntilExit()
      throw CLITestError("autoloss \(arguments.joined(separator: " ")): still running after \(Int(timeout)) s")
    }
    process.waitUntilExit()
    return CLIResult(
      status: process.terminationStatus, signaled: process.terminationReason == .uncaughtSignal,
      stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self))
  }
}

struct CLITestError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}
