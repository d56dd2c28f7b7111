import Foundation
import Pipeline
import Store
import XCTest

final class PrepImageTests: PipelineTempDirTestCase {
  let rows = 4, cols = 5

  func options() -> PrepOptions {
    var o = PrepOptions()
    o.dataDir = dir + "/data"
    o.rawDir = dir + "/raw"
    o.validationCount = 6
    return o
  }

  /// Writes the four gzip IDX files of a 30/7-image set; returns (train pixels, train labels,
  /// test pixels, test labels).
  @discardableResult
  func writeIDXSet(_ name: String = "mnist") throws -> ([UInt8], [UInt8], [UInt8], [UInt8]) {
    let size = rows * cols
    let trainPixels = Fixtures.bytes(30 * size, seed: 1)
    let trainLabels = (0..<30).map { UInt8($0 % 10) }
    let testPixels = Fixtures.bytes(7 * size, seed: 2)
    let testLabels = (0..<7).map { UInt8(9 - $0) }
    try write(
      "raw/\(name)/train-images-idx3-ubyte.gz",
      Fixtures.gzip(Fixtures.idxImages(count: 30, rows: rows, cols: cols, pixels: trainPixels)))
    try write("raw/\(name)/train-labels-idx1-ubyte.gz", Fixtures.gzip(Fixtures.idxLabels(trainLabels)))
    try write(
      "raw/\(name)/t10k-images-idx3-ubyte.gz",
      Fixtures.gzip(Fixtures.idxImages(count: 7, rows: rows, cols: cols, pixels: testPixels)))
    try write("raw/\(name)/t10k-labels-idx1-ubyte.gz", Fixtures.gzip(Fixtures.idxLabels(testLabels)))
    return (trainPixels, trainLabels, testPixels, testLabels)
  }

  func testMNISTLayoutKeepsBytesExactly() throws {
    let (trainPixels, trainLabels, testPixels, testLabels) = try writeIDXSet()
    let result = try DatasetPrep.prepare("mnist", options: options())
    XCTAssertEqual(result.path, dir + "/data/mnist.h5")
    let file = try DatasetFiles.open(result.path)
    let root = file.root
    XCTAssertEqual(try root.attributeString("dataset"), "mnist")
    XCTAssertEqual(try root.attributeString("schema"), "autoloss/dataset")
    XCTAssertEqual(try root.readStrings("class_names"), (0...9).map(String.init))
    XCTAssertTrue(try root.attributeString("source").contains("train-images-idx3-ubyte.gz"))
    let size = rows * cols
    let train = try root.read("train/images", as: UInt8.self)
    XCTAssertEqual(train.shape, [24, 1, rows, cols])
    XCTAssertEqual(train.values, Array(trainPixels[0..<(24 * size)]))
    let validation = try root.read("validation/images", as: UInt8.self)
    XCTAssertEqual(validation.shape, [6, 1, rows, cols])
    XCTAssertEqual(validation.values, Array(trainPixels[(24 * size)...]))
    XCTAssertEqual(try root.read("test/images", as: UInt8.self).values, testPixels)
    XCTAssertEqual(try root.read("train/labels", as: Int32.self).values, trainLabels[0..<24].map { Int32($0) })
    XCTAssertEqual(try root.read("validation/labels", as: Int32.self).values, trainLabels[24...].map { Int32($0) })
    XCTAssertEqual(try root.read("test/labels", as: Int32.self).values, testLabels.map { Int32($0) })
    XCTAssertEqual(try Provenance.read(from: root).inputs.count, 4)
    XCTAssertTrue(result.summary.contains { $0.hasPrefix("train: 24 images") }, "\(result.summary)")
    XCTAssertTrue(result.summary.contains { $0.hasPrefix("validation: 6 images") })
    XCTAssertTrue(result.summary.contains { $0.hasPrefix("test: 7 images") })
    let png = try PNGReader.read(try XCTUnwrap(result.samplesPath))
    XCTAssertEqual(png.channels, 1)
    XCTAssertEqual(files(in: dir + "/data"), ["mnist-samples.png", "mnist.h5"])
  }

  func testFashionUsesItsClassNames() throws {
    try writeIDXSet("fashion-mnist")
    let result = try DatasetPrep.prepare("fashion-mnist", options: options())
    let names = try DatasetFiles.open(result.path).root.readStrings("class_names")
    XCTAssertEqual(names.first, "T-shirt/top")
    XCTAssertEqual(names.count, 10)
  }

  func assertNoArtifact(_ name: String = "mnist", file: StaticString = #filePath, line: UInt = #line) {
    let left = files(in: dir + "/data").filter { $0.hasSuffix(".h5") || $0.hasPrefix(".tmp") }
    XCTAssertEqual(left, [], "a failed prep must leave no artifact", file: file, line: line)
  }

  func testTruncatedGzipNamesTheFile() throws {
    try writeIDXSet()
    let path = dir + "/raw/mnist/train-images-idx3-ubyte.gz"
    let bytes = try XCTUnwrap(FileManager.default.contents(atPath: path))
    try write("raw/mnist/train-images-idx3-ubyte.gz", Array(bytes.prefix(bytes.count - 40)))
    assertThrowsMentioning([path, "truncated"]) { try DatasetPrep.prepare("mnist", options: options()) }
    assertNoArtifact()
  }

  func testWrongMagicNamesTheFile() throws {
    try writeIDXSet()
    let path = try write(
      "raw/mnist/t10k-images-idx3-ubyte.gz",
      Fixtures.gzip(
        Fixtures.idxImages(count: 7, rows: rows, cols: cols, pixels: Fixtures.bytes(140, seed: 3), magic: 2049)))
    assertThrowsMentioning([path, "magic 2051", "magic 2049"]) { try DatasetPrep.prepare("mnist", options: options()) }
    assertNoArtifact()
  }

  func testWrongCountsNameTheFile() throws {
    try writeIDXSet()
    let path = try write("raw/mnist/train-labels-idx1-ubyte.gz", Fixtures.gzip(Fixtures.idxLabels([1, 2, 3])))
    assertThrowsMentioning([path, "30 labels", "found 3"]) { try DatasetPrep.prepare("mnist", options: options()) }
    let short = try write(
      "raw/mnist/train-labels-idx1-ubyte.gz", Fixtures.gzip(Fixtures.idxLabels([1, 2, 3], count: 30)))
    assertThrowsMentioning([short, "38 bytes"]) { try DatasetPrep.prepare("mnist", options: options()) }
    assertNoArtifact()
  }

  func testMissingFileNamesIt() throws {
    try writeIDXSet()
    try FileManager.default.removeItem(atPath: dir + "/raw/mnist/t10k-labels-idx1-ubyte.gz")
    assertThrowsMentioning(["t10k-labels-idx1-ubyte", "not found"]) {
      try DatasetPrep.prepare("mnist", options: options())
    }
    var o = options()
    o.from = dir + "/nowhere"
    assertThrowsMentioning([dir + "/nowhere", "not found"]) { try DatasetPrep.prepare("mnist", options: o) }
    assertNoArtifact()
  }

  func testExistingFileIsReplacedAtomicallyOrKept() throws {
    try writeIDXSet()
    _ = try DatasetPrep.prepare("mnist", options: options())
    _ = try DatasetPrep.prepare("mnist", options: options())
    var o = options()
    o.overwrite = false
    assertThrowsMentioning(["mnist.h5", "exists"]) { try DatasetPrep.prepare("mnist", options: o) }
    XCTAssertEqual(files(in: dir + "/data"), ["mnist-samples.png", "mnist.h5"])
  }

  /// A fake CIFAR-10: five data batches of 4 records and a test batch of 3.
  func cifarBatches() -> [(name: String, data: [UInt8])] {
    var batches: [(String, [UInt8])] = []
    for (i, name) in ((1...5).map { "data_batch_\($0).bin" } + ["test_batch.bin"]).enumerated() {
      let n = name == "test_batch.bin" ? 3 : 4
      var data: [UInt8] = []
      for r in 0..<n { data += [UInt8((i + r) % 10)] + Fixtures.bytes(3072, seed: UInt32(100 * i + r + 1)) }
      batches.append((name, data))
    }
    return batches
  }

  func checkCIFAR(_ result: PrepResult, _ batches: [(name: String, data: [UInt8])]) throws {
    let root = try DatasetFiles.open(result.path).root
    let train = try root.read("train/images", as: UInt8.self)
    XCTAssertEqual(train.shape, [15, 3, 32, 32])
    XCTAssertEqual(try root.read("validation/images", as: UInt8.self).shape, [5, 3, 32, 32])
    XCTAssertEqual(try root.read("test/images", as: UInt8.self).shape, [3, 3, 32, 32])
    XCTAssertEqual(Array(train.values[0..<3072]), Array(batches[0].data[1..<3073]))
    let labels = try root.read("validation/labels", as: Int32.self).values
    XCTAssertEqual(labels.last, Int32(batches[4].data[3 * 3073]))
    XCTAssertEqual(try root.readStrings("class_names").first, "airplane")
    XCTAssertEqual(try PNGReader.read(try XCTUnwrap(result.samplesPath)).channels, 3)
  }

  func testCIFARFromFolderAndTarball() throws {
    let batches = cifarBatches()
    for b in batches { try write("cifar/cifar-10-batches-bin/\(b.name)", b.data) }
    var o = options()
    o.validationCount = 5
    o.from = dir + "/cifar/cifar-10-batches-bin"
    try checkCIFAR(try DatasetPrep.prepare("cifar10", options: o), batches)

    let tarball = try write(
      "cifar/cifar-10-binary.tar.gz",
      Fixtures.gzip(Fixtures.tar(batches.map { ("cifar-10-batches-bin/" + $0.name, $0.data) })))
    o.from = tarball
    o.name = "cifar10-tar"
    try checkCIFAR(try DatasetPrep.prepare("cifar10", options: o), batches)
  }

  func testCIFARBadRecordSizeNamesTheFile() throws {
    var batches = cifarBatches()
    batches[2].data.removeLast(7)
    for b in batches { try write("cifar/cifar-10-batches-bin/\(b.name)", b.data) }
    var o = options()
    o.validationCount = 5
    o.from = dir + "/cifar/cifar-10-batches-bin"
    assertThrowsMentioning(["data_batch_3.bin", "3073"]) { try DatasetPrep.prepare("cifar10", options: o) }
    o.from = dir + "/cifar/missing.tar.gz"
    assertThrowsMentioning(["missing.tar.gz", "not found"]) { try DatasetPrep.prepare("cifar10", options: o) }
    assertNoArtifact()
  }
}
