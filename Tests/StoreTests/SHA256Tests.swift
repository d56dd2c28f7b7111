import Foundation
import XCTest

@testable import Store

final class SHA256Tests: StoreTestCase {
  func testKnownVectors() {
    XCTAssertEqual(SHA256.hex(of: [UInt8]()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    XCTAssertEqual(
      SHA256.hex(of: Array("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    XCTAssertEqual(
      SHA256.hex(of: Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    XCTAssertEqual(
      SHA256.hex(of: [UInt8](repeating: 0x61, count: 1_000_000)),
      "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
  }

  func testIncrementalMatchesOneShotAcrossBlockBoundaries() {
    let data = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
    for length in [0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 1000] {
      let slice = Array(data.prefix(length))
      var hasher = SHA256()
      var offset = 0
      for step in [1, 3, 64, 7, 100, 1000] where offset < slice.count {
        let end = min(slice.count, offset + step)
        hasher.update(slice[offset..<end])
        offset = end
      }
      hasher.update(slice[offset...])
      XCTAssertEqual(hasher.hexDigest(), SHA256.hex(of: slice), "length \(length)")
    }
  }

  func testFileHashMatchesSha256sum() throws {
    let file = path("blob.bin")
    let bytes = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 * 7919) }
    try Data(bytes).write(to: URL(fileURLWithPath: file))
    let ours = try SHA256.hex(ofFile: file)
    XCTAssertEqual(ours, SHA256.hex(of: bytes))
    if let (status, output) = try run("/usr/bin/sha256sum", [file]) {
      XCTAssertEqual(status, 0)
      XCTAssertEqual(String(output.prefix(64)), ours)
    }
    assertStoreError(.fileNotFound, contains: [path("nope")]) { try SHA256.hex(ofFile: path("nope")) }
  }
}
