import Datasets
import Foundation
import XCTest

/// A fresh temp folder per test, removed at tear-down.
class TempDirTestCase: XCTestCase {
  var dir = ""

  override func setUpWithError() throws {
    dir = NSTemporaryDirectory() + "datasets-tests-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(atPath: dir)
  }

  /// Writes `bytes` to `dir/name` (creating subfolders) and returns the path.
  @discardableResult
  func write(_ name: String, _ bytes: [UInt8]) throws -> String {
    let path = dir + "/" + name
    try FileManager.default.createDirectory(
      atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return path
  }

  @discardableResult
  func write(_ name: String, text: String) throws -> String { try write(name, Array(text.utf8)) }
}

/// Asserts that `body` throws a `DatasetError` whose description contains every fragment.
func assertDatasetError<T>(
  _ fragments: [String], file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> T
) {
  do {
    _ = try body()
    XCTFail("expected a DatasetError containing \(fragments)", file: file, line: line)
  } catch let error as DatasetError {
    let text = error.description
    for f in fragments where !text.contains(f) {
      XCTFail("error '\(text)' does not mention '\(f)'", file: file, line: line)
    }
  } catch {
    XCTFail("expected a DatasetError, got \(error)", file: file, line: line)
  }
}
