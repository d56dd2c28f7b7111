import Foundation
import Pipeline
import Report
import XCTest

/// A fresh temp folder per test, removed at tear-down.
class PipelineTempDirTestCase: XCTestCase {
  var dir = ""

  override func setUpWithError() throws {
    dir = NSTemporaryDirectory() + "pipeline-tests-" + UUID().uuidString
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

  /// The visible files of a folder (hidden temporaries included when `hidden`).
  func files(in folder: String, hidden: Bool = true) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
      .filter { hidden || !$0.hasPrefix(".") }.sorted()
  }
}

/// Fixture encoders: gzip (stored deflate blocks, no zlib needed), IDX and CIFAR-10 records.
enum Fixtures {
  static let crcTable: [UInt32] = (0..<256).map { n in
    var c = UInt32(n)
    for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
    return c
  }

  static func crc32(_ bytes: [UInt8]) -> UInt32 {
    var c: UInt32 = 0xFFFF_FFFF
    for b in bytes { c = crcTable[Int((c ^ UInt32(b)) & 0xff)] ^ (c >> 8) }
    return c ^ 0xFFFF_FFFF
  }

  static func littleEndian(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8((v >> (8 * $0)) & 0xff) } }

  /// A valid single-member gzip file holding `bytes` in stored (uncompressed) deflate blocks.
  static func gzip(_ bytes: [UInt8]) -> [UInt8] {
    var out: [UInt8] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]
    var start = 0
    repeat {
      let n = min(65535, bytes.count - start)
      let final: UInt8 = start + n >= bytes.count ? 1 : 0
      out += [final, UInt8(n & 0xff), UInt8(n >> 8), UInt8(~n & 0xff), UInt8((~n >> 8) & 0xff)]
      out += bytes[start..<(start + n)]
      start += n
    } while start < bytes.count
    out += littleEndian(crc32(bytes)) + littleEndian(UInt32(truncatingIfNeeded: bytes.count))
    return out
  }

  static func bigEndian(_ values: [UInt32]) -> [UInt8] {
    values.flatMap { v in [UInt8(v >> 24), UInt8((v >> 16) & 0xff), UInt8((v >> 8) & 0xff), UInt8(v & 0xff)] }
  }

  static func idxImages(count: Int, rows: Int, cols: Int, pixels: [UInt8], magic: UInt32 = 2051) -> [UInt8] {
    bigEndian([magic, UInt32(count), UInt32(rows), UInt32(cols)]) + pixels
  }

  static func idxLabels(_ labels: [UInt8], magic: UInt32 = 2049, count: Int? = nil) -> [UInt8] {
    bigEndian([magic, UInt32(count ?? labels.count)]) + labels
  }

  /// Deterministic pseudo-random bytes.
  static func bytes(_ n: Int, seed: UInt32) -> [UInt8] {
    var s = seed &* 2_654_435_761 | 1
    return (0..<n).map { _ in
      s ^= s << 13
      s ^= s >> 17
      s ^= s << 5
      return UInt8(s & 0xff)
    }
  }
}

/// Asserts that `body` throws an error whose description contains every fragment.
func assertThrowsMentioning<T>(
  _ fragments: [String], file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> T
) {
  do {
    _ = try body()
    XCTFail("expected an error mentioning \(fragments)", file: file, line: line)
  } catch {
    let text = "\(error)"
    for fragment in fragments where !text.contains(fragment) {
      XCTFail("error '\(text)' does not mention '\(fragment)'", file: file, line: line)
    }
  }
}

extension Fixtures {
  /// An uncompressed ustar archive of regular files.
  static func tar(_ entries: [(name: String, data: [UInt8])]) -> [UInt8] {
    var out: [UInt8] = []
    func field(_ s: String, _ width: Int) -> [UInt8] {
      let bytes = Array(s.utf8.prefix(width))
      return bytes + [UInt8](repeating: 0, count: width - bytes.count)
    }
    func octal(_ v: Int, _ width: Int) -> [UInt8] {
      let s = String(v, radix: 8)
      return field(String(repeating: "0", count: max(0, width - 1 - s.count)) + s, width)
    }
    for entry in entries {
      var header = field(entry.name, 100) + octal(0o644, 8) + octal(0, 8) + octal(0, 8)
      header += octal(entry.data.count, 12) + octal(0, 12) + [UInt8](repeating: 0x20, count: 8)
      header += Array("0".utf8) + field("", 100) + Array("ustar\0".utf8) + Array("00".utf8)
      header += [UInt8](repeating: 0, count: 512 - header.count)
      let sum = header.reduce(0) { $0 + Int($1) }
      let check = octal(sum, 7) + [0x20]
      header.replaceSubrange(148..<156, with: check)
      out += header + entry.data
      out += [UInt8](repeating: 0, count: (512 - entry.data.count % 512) % 512)
    }
    return out + [UInt8](repeating: 0, count: 1024)
  }
}

/// A temp folder per test plus a smoke-profile stage context reading the repository's `configs/`.
class SmokeStageTestCase: PipelineTempDirTestCase {
  /// The temp folder (artifacts under `root/artifacts`, data under `root/data`).
  var root: String { dir }

  /// The repository's `configs/` folder (the smoke profile files are part of what is tested).
  var configRoot: String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("configs").path
  }

  func context() -> StageContext {
    StageContext(
      artifactRoot: root + "/artifacts", dataRoot: root + "/data", profile: "smoke", configRoot: configRoot, workers: 2,
      showProgress: false)
  }

  /// Prepares a dataset into `root/data` with the prep stage.
  func prepare(_ dataset: String, seed: UInt64? = nil) throws {
    var options = PrepOptions()
    options.dataDir = root + "/data"
    options.seed = seed
    _ = try DatasetPrep.prepare(dataset, options: options)
  }
}

extension ReportStage {
  /// The report of `context`'s artifacts, quoting this tool's version and commit.
  init(context: StageContext) {
    self.init(
      artifactRoot: context.artifactRoot, profile: context.profile, toolVersion: StageContext.toolVersion,
      gitCommit: StageContext.gitCommit)
  }
}

/// Overrides that shrink the GAN experiment to a few seconds: a width-2 DCGAN with z of 4 on batches
/// of 4, 10 steps, IS checks every 5 steps on 10 samples.
let tinyGANOverrides = [
  "model.baseWidth=2", "model.zSize=4", "task.batchSize=4", "task.checkEvery=5", "task.isSamples=10",
  "task.isSplits=1", "task.finalISSamples=10", "task.finalISSplits=1", "task.maxSteps=10", "task.gridSamples=4",
]
