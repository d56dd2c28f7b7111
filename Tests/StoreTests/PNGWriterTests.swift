import Foundation
import XCTest

@testable import Store

final class PNGWriterTests: StoreTestCase {
  /// Width, height, bit depth and colour type from the IHDR chunk.
  func header(_ file: String) throws -> (width: Int, height: Int, depth: Int, colorType: Int) {
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
    XCTAssertEqual(Array(bytes.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
    XCTAssertEqual(String(decoding: bytes[12..<16], as: UTF8.self), "IHDR")
    func be32(_ at: Int) -> Int { bytes[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
    return (be32(16), be32(20), Int(bytes[24]), Int(bytes[25]))
  }

  func testGrayGrid() throws {
    let file = path("gray.png")
    // 5 images of 4x3 (HxW); 3 columns -> 2 rows.
    var images = [Float](repeating: 0, count: 5 * 4 * 3)
    for i in 0..<5 { for p in 0..<12 { images[i * 12 + p] = Float(i) / 4 } }
    let size = try PNGWriter.writeGrid(
      images: images, count: 5, height: 4, width: 3, channels: 1, columns: 3, padding: 2, to: file)
    XCTAssertEqual(size.width, 3 * 3 + 4 * 2)
    XCTAssertEqual(size.height, 2 * 4 + 3 * 2)
    let ihdr = try header(file)
    XCTAssertEqual(ihdr.width, 17)
    XCTAssertEqual(ihdr.height, 14)
    XCTAssertEqual(ihdr.depth, 8)
    XCTAssertEqual(ihdr.colorType, 0, "grayscale")

    let image = try PNGReader.read(file)
    XCTAssertEqual(image.channels, 1)
    func pixel(_ x: Int, _ y: Int) -> UInt8 { image.pixels[y * image.width + x] }
    XCTAssertEqual(pixel(0, 0), 0, "padding is black")
    XCTAssertEqual(pixel(2, 2), 0, "image 0 is value 0")
    XCTAssertEqual(pixel(2 + 5, 2), 64, "image 1 is 0.25")
    XCTAssertEqual(pixel(2 + 10, 2), 128, "image 2 is 0.5")
    XCTAssertEqual(pixel(2 + 5, 2 + 6 + 3), 255, "image 4 (row 1, col 1) is 1.0, bottom row of it")
    XCTAssertEqual(pixel(2 + 10, 2 + 6), 0, "no 6th image: background")
    XCTAssertEqual(hiddenFiles(), [])
  }

  func testRGBGridMinusOneToOne() throws {
    let file = path("rgb.png")
    // 4 images of 2x2 RGB, default columns = ceil(sqrt(4)) = 2.
    var images = [Float]()
    for _ in 0..<4 { for _ in 0..<4 { images += [-1, 0, 1] } }
    try PNGWriter.writeGrid(
      images: images, count: 4, height: 2, width: 2, channels: 3, range: .minusOneToOne, padding: 1, to: file)
    let ihdr = try header(file)
    XCTAssertEqual(ihdr.width, 2 * 2 + 3)
    XCTAssertEqual(ihdr.height, 2 * 2 + 3)
    XCTAssertEqual(ihdr.colorType, 2, "RGB")
    let image = try PNGReader.read(file)
    XCTAssertEqual(image.channels, 3)
    let at = (1 * image.width + 1) * 3
    XCTAssertEqual(Array(image.pixels[at..<(at + 3)]), [0, 128, 255])
  }

  func testClampingAndNaN() throws {
    let file = path("clamp.png")
    try PNGWriter.writeGrid(
      images: [-5, .nan, 0.5, 7], count: 1, height: 2, width: 2, channels: 1, padding: 0, to: file)
    XCTAssertEqual(try PNGReader.read(file).pixels, [0, 0, 128, 255])
  }

  func testErrorsNameThePath() throws {
    let bad = path("missing/folder/grid.png")
    assertStoreError(.io, contains: [bad]) {
      try PNGWriter.writeGrid(images: [0], count: 1, height: 1, width: 1, channels: 1, to: bad)
    }
    let file = path("x.png")
    assertStoreError(.shapeMismatch, contains: [file, "found 3"]) {
      try PNGWriter.writeGrid(images: [0, 0, 0], count: 1, height: 2, width: 2, channels: 1, to: file)
    }
    assertStoreError(.invalidArgument, contains: [file, "channels"]) {
      try PNGWriter.writeGrid(images: [0, 0], count: 1, height: 1, width: 1, channels: 2, to: file)
    }
    assertStoreError(.invalidArgument, contains: [file, "empty grid"]) {
      try PNGWriter.writeGrid(images: [], count: 0, height: 1, width: 1, channels: 1, to: file)
    }
    let text = path("not.png")
    try "nope".write(toFile: text, atomically: true, encoding: .utf8)
    assertStoreError(.png, contains: [text, "cannot read PNG"]) { try PNGReader.read(text) }
    XCTAssertEqual(hiddenFiles(), [])
  }

  func hiddenFiles() -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: tmp)) ?? []).filter { $0.hasPrefix(".tmp-") }
  }
}
