import Foundation

/// Line-aligned sentence pairs: `source[i]` translates to `target[i]`.
public struct ParallelCorpus: Sendable, Equatable {
  public var source: [String]
  public var target: [String]
  public var count: Int { source.count }

  public init(source: [String], target: [String]) {
    precondition(source.count == target.count, "ParallelCorpus: \(source.count) vs \(target.count) lines")
    self.source = source
    self.target = target
  }

  /// Reads two line-aligned text files (optionally gzip-compressed). Throws when their line
  /// counts differ, naming both files and both counts.
  public static func read(source: String, target: String) throws -> ParallelCorpus {
    let s = RawFile.lines(try RawFile.readText(source))
    let t = RawFile.lines(try RawFile.readText(target))
    guard s.count == t.count else {
      throw DatasetError(
        path: source,
        message: "not line-aligned with \(target): \(source) has \(s.count) lines, \(target) has \(t.count)")
    }
    return ParallelCorpus(source: s, target: t)
  }

  /// Writes the two sides as line-aligned UTF-8 files (atomically). Lines must not contain
  /// newlines.
  public func write(source sourcePath: String, target targetPath: String) throws {
    func text(_ lines: [String]) -> [UInt8] { Array((lines.map { $0 + "\n" }.joined()).utf8) }
    try RawFile.write(text(source), to: sourcePath)
    try RawFile.write(text(target), to: targetPath)
  }
}
