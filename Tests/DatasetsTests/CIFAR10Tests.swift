import Datasets
import XCTest

final class CIFAR10Tests: TempDirTestCase {
  /// Record i: label i % 10, then plane c (R, G, B) filled with byte (i * 3 + c) except that
  /// pixel (row y, col x) of the red plane holds (y + x) for image 0.
  func record(_ i: Int) -> [UInt8] {
    var r: [UInt8] = [UInt8(i % 10)]
    for c in 0..<3 {
      for y in 0..<32 {
        for x in 0..<32 { r.append(i == 0 && c == 0 ? UInt8(y + x) : UInt8(i * 3 + c)) }
      }
    }
    return r
  }

  func testRecordLayoutIsLabelThenCHW() throws {
    let bytes = (0..<3).flatMap(record)
    XCTAssertEqual(bytes.count, 3 * 3073)
    let path = try write("data_batch_1.bin", bytes)
    let batch = try CIFAR10.parse(try RawFile.read(path), path: path)
    XCTAssertEqual(batch.count, 3)
    XCTAssertEqual(batch.labels, [0, 1, 2])
    XCTAssertEqual(batch.pixels.count, 3 * 3072)
    // Image 0, channel R, row 5, col 7.
    XCTAssertEqual(batch.pixels[0 * 1024 + 5 * 32 + 7], 12)
    // Image 2, channel G (index 1), any pixel = 2 * 3 + 1.
    XCTAssertEqual(batch.pixels[2 * 3072 + 1 * 1024 + 100], 7)
    XCTAssertEqual(batch.pixels[2 * 3072 + 2 * 1024 + 1023], 8)
    XCTAssertEqual(CIFAR10.encode(batch), bytes)
  }

  func testBadSizeAndLabel() throws {
    assertDatasetError(["b.bin", "3073", "3074 bytes"]) { try CIFAR10.parse(record(0) + [0], path: "b.bin") }
    var bad = record(0)
    bad[0] = 12
    assertDatasetError(["c.bin", "label 0...9", "12"]) { try CIFAR10.parse(bad, path: "c.bin") }
  }

  func files() -> [(String, [UInt8])] {
    CIFAR10.trainFiles.enumerated().map { ($0.element, record($0.offset + 1)) } + [
      (CIFAR10.testFile, (0..<2).flatMap(record))
    ]
  }

  func testLoadsFolder() throws {
    for (name, bytes) in files() { try write("cifar-10-batches-bin/" + name, bytes) }
    let (train, test) = try CIFAR10.load(from: dir + "/cifar-10-batches-bin")
    XCTAssertEqual(train.count, 5)
    XCTAssertEqual(train.labels, [1, 2, 3, 4, 5])
    XCTAssertEqual(test.count, 2)
    XCTAssertEqual(test.labels, [0, 1])
  }

  func testLoadsTarGz() throws {
    var entries = [TarEntry(name: "cifar-10-batches-bin/readme.html", data: Array("hi".utf8))]
    entries += files().map { TarEntry(name: "cifar-10-batches-bin/" + $0.0, data: $0.1) }
    let tar = Tar.archive(entries)
    XCTAssertEqual(try Tar.entries(tar), entries)
    let path = try write("cifar-10-binary.tar.gz", try Gzip.compress(tar))
    let (train, test) = try CIFAR10.load(from: path)
    XCTAssertEqual(train.labels, [1, 2, 3, 4, 5])
    XCTAssertEqual(train.pixels[3072 * 4 + 1024], UInt8(5 * 3 + 1))
    XCTAssertEqual(test.count, 2)

    let partial = try write("partial.tar", Tar.archive(Array(entries.prefix(3))))
    assertDatasetError(["partial.tar", "data_batch_3.bin"]) { try CIFAR10.load(from: partial) }
    let cut = try write("cut.tar", Array(tar.prefix(2000)))
    assertDatasetError(["cut.tar", "truncated"]) { try CIFAR10.load(from: cut) }
  }
}
