import Datasets
import XCTest

final class GzipTests: TempDirTestCase {
  func testRoundTrip() throws {
    var bytes = [UInt8]()
    for i in 0..<300_000 { bytes.append(UInt8((i * 7 + i / 1000) & 0xff)) }
    let packed = try Gzip.compress(bytes)
    XCTAssertTrue(Gzip.isGzip(packed))
    XCTAssertLessThan(packed.count, bytes.count)
    XCTAssertEqual(try Gzip.decompress(packed), bytes)
    XCTAssertEqual(try Gzip.decompress(try Gzip.compress([])), [])
  }

  func testConcatenatedMembers() throws {
    let a: [UInt8] = Array("hello ".utf8)
    let b: [UInt8] = Array("world".utf8)
    XCTAssertEqual(try Gzip.decompress(try Gzip.compress(a) + Gzip.compress(b)), a + b)
  }

  func testTruncatedStreamIsAnError() throws {
    let packed = try Gzip.compress((0..<50_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
    let path = try write("cut.gz", Array(packed.prefix(packed.count / 2)))
    assertDatasetError(["cut.gz", "truncated"]) { try RawFile.readMaybeGzip(path) }
    // Only the 8-byte trailer missing.
    assertDatasetError(["truncated"]) { try Gzip.decompress(Array(packed.dropLast(8)), path: "x.gz") }
  }

  func testCorruptAndNonGzipInput() throws {
    var packed = try Gzip.compress(Array(repeating: 65, count: 1000))
    packed[12] ^= 0xff
    packed[13] ^= 0xff
    assertDatasetError(["bad.gz"]) { try Gzip.decompress(packed, path: "bad.gz") }
    assertDatasetError(["plain.txt", "gzip magic"]) { try Gzip.decompress([1, 2, 3], path: "plain.txt") }
  }

  func testReadMaybeGzipPassesPlainFilesThrough() throws {
    let path = try write("plain.bin", [9, 8, 7])
    XCTAssertEqual(try RawFile.readMaybeGzip(path), [9, 8, 7])
    assertDatasetError(["missing.bin", "not found"]) { try RawFile.read(dir + "/missing.bin") }
  }
}
