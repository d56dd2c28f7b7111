import Datasets
import XCTest

final class IDXTests: TempDirTestCase {
  let pixels: [UInt8] = (0..<(3 * 4 * 5)).map { UInt8($0) }
  let labels: [UInt8] = [7, 2, 1]

  func testReadsGzippedAndPlainFiles() throws {
    let images = try write(
      "train-images-idx3-ubyte.gz", try Gzip.compress(IDX.encodeImages(count: 3, rows: 4, cols: 5, pixels: pixels)))
    let labelPath = try write("train-labels-idx1-ubyte", IDX.encodeLabels(labels))
    let data = try IDX.read(images: images, labels: labelPath)
    XCTAssertEqual(data.count, 3)
    XCTAssertEqual(data.rows, 4)
    XCTAssertEqual(data.cols, 5)
    XCTAssertEqual(data.pixels, pixels)
    XCTAssertEqual(data.labels, labels)
    XCTAssertEqual(Array(data.image(1)), Array(pixels[20..<40]))
    XCTAssertEqual(try IDX.read(directory: dir, split: .train), data)
  }

  func testHeaderLayout() {
    let bytes = IDX.encodeImages(count: 3, rows: 4, cols: 5, pixels: pixels)
    XCTAssertEqual(Array(bytes.prefix(16)), [0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5])
    XCTAssertEqual(Array(IDX.encodeLabels(labels).prefix(8)), [0, 0, 8, 1, 0, 0, 0, 3])
  }

  func testWrongMagic() throws {
    let images = try write("img", IDX.encodeImages(count: 3, rows: 4, cols: 5, pixels: pixels))
    let labelPath = try write("lab", IDX.encodeLabels(labels))
    // Swapped files: each has the other's magic.
    assertDatasetError(["lab", "magic 2051", "magic 2049"]) { try IDX.read(images: labelPath, labels: images) }
  }

  func testWrongByteCountAndCountMismatch() throws {
    var bytes = IDX.encodeImages(count: 3, rows: 4, cols: 5, pixels: pixels)
    bytes.removeLast(5)
    let short = try write("short", bytes)
    let labelPath = try write("lab", IDX.encodeLabels(labels))
    assertDatasetError(["short", "76 bytes", "71 bytes"]) { try IDX.read(images: short, labels: labelPath) }

    let images = try write("img", IDX.encodeImages(count: 3, rows: 4, cols: 5, pixels: pixels))
    let twoLabels = try write("two", IDX.encodeLabels([1, 2]))
    assertDatasetError(["two", "3 labels", "found 2"]) { try IDX.read(images: images, labels: twoLabels) }
    assertDatasetError(["tiny", "header"]) { try IDX.parseLabels([0, 0, 8], path: "tiny") }
  }

  func testHugeHeaderCountsAreAnErrorNotAnOverflow() {
    // 2^32-1 images of 2^32-1 x 2^32-1: the byte count overflows Int; the reader must say so, not trap.
    let header: [UInt8] = [0, 0, 8, 3] + [UInt8](repeating: 0xFF, count: 12)
    assertDatasetError(["huge", "4294967295 images", "found 16 bytes"]) {
      try IDX.parseImages(header, path: "huge")
    }
  }
}
