import Foundation

/// An error reading or generating a dataset. The message names the file (and line, when there is
/// one), what was expected and what was found.
public struct DatasetError: Error, CustomStringConvertible, Equatable, Sendable {
  /// The file (or `<memory>`) the problem is in.
  public var path: String
  /// The 1-based line number, for text formats.
  public var line: Int?
  /// What went wrong.
  public var message: String

  public init(path: String, line: Int? = nil, message: String) {
    self.path = path
    self.line = line
    self.message = message
  }

  /// "`path`[:line]: expected X, found Y".
  public static func unexpected(
    _ path: String, line: Int? = nil, expected: String, found: String
  ) -> DatasetError {
    DatasetError(path: path, line: line, message: "expected \(expected), found \(found)")
  }

  public var description: String {
    if let line { return "\(path):\(line): \(message)" }
    return "\(path): \(message)"
  }
}

/// Small file helpers shared by the readers.
public enum RawFile {
  /// The bytes of the file at `path`.
  public static func read(_ path: String) throws -> [UInt8] {
    guard FileManager.default.fileExists(atPath: path) else {
      throw DatasetError(path: path, message: "file not found")
    }
    do {
      return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    } catch {
      throw DatasetError(path: path, message: "cannot read: \(error.localizedDescription)")
    }
  }

  /// The bytes of the file, gunzipped when it starts with the gzip magic bytes.
  public static func readMaybeGzip(_ path: String) throws -> [UInt8] {
    let bytes = try read(path)
    return Gzip.isGzip(bytes) ? try Gzip.decompress(bytes, path: path) : bytes
  }

  /// The file decoded as UTF-8 (invalid bytes become U+FFFD).
  public static func readText(_ path: String) throws -> String {
    String(decoding: try readMaybeGzip(path), as: UTF8.self)
  }

  /// Writes `bytes` to `path` atomically (temp file + rename).
  public static func write(_ bytes: [UInt8], to path: String) throws {
    do {
      try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
    } catch {
      throw DatasetError(path: path, message: "cannot write: \(error.localizedDescription)")
    }
  }

  /// Splits text into lines on "\n", dropping a trailing "\r" and the empty piece after a final
  /// newline.
  public static func lines(_ text: String) -> [String] {
    var out = text.utf8.split(separator: 10, omittingEmptySubsequences: false).map { line -> String in
      String(decoding: line.last == 13 ? line.dropLast() : line, as: UTF8.self)
    }
    if out.last == "" { out.removeLast() }
    return out
  }
}
