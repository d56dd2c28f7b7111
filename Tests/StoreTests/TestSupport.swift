import Foundation
import XCTest

@testable import Store

/// A fresh temporary folder per test, removed afterwards.
class StoreTestCase: XCTestCase {
  var tmp: String = ""

  override func setUpWithError() throws {
    tmp = NSTemporaryDirectory() + "storetests-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(atPath: tmp)
  }

  func path(_ name: String) -> String { (tmp as NSString).appendingPathComponent(name) }

  /// Asserts that `body` throws a StoreError of `kind` whose text contains every fragment.
  func assertStoreError<R>(
    _ kind: StoreError.Kind, contains fragments: [String], file: StaticString = #filePath, line: UInt = #line,
    _ body: () throws -> R
  ) {
    do {
      _ = try body()
      XCTFail("expected a StoreError(\(kind))", file: file, line: line)
    } catch let error as StoreError {
      XCTAssertEqual(error.kind, kind, "\(error)", file: file, line: line)
      for fragment in fragments {
        XCTAssertTrue(error.description.contains(fragment), "'\(error)' lacks '\(fragment)'", file: file, line: line)
      }
    } catch {
      XCTFail("unexpected error \(error)", file: file, line: line)
    }
  }

  /// Runs a command-line tool if it exists; returns (status, stdout+stderr) or nil.
  func run(_ tool: String, _ arguments: [String]) throws -> (Int32, String)? {
    guard FileManager.default.isExecutableFile(atPath: tool) else { return nil }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: tool)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
  }
}
