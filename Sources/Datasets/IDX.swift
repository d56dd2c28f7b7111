import Foundation

/// Images and labels in the IDX format of MNIST and Fashion-MNIST.
public struct IDXDataset: Sendable, Equatable {
  /// Number of examples.
  public var count: Int
  /// Image height.
  public var rows: Int
  /// Image width.
  public var cols: Int
  /// `count * rows * cols` bytes, row-major per image, 0 = background.
  public var pixels: [UInt8]
  /// `count` class labels.
  public var labels: [UInt8]

  public init(count: Int, rows: Int, cols: Int, pixels: [UInt8], labels: [UInt8]) {
    self.count = count
    self.rows = rows
    self.cols = cols
    self.pixels = pixels
    self.labels = labels
  }

  /// The bytes of image `i`.
  public func image(_ i: Int) -> ArraySlice<UInt8> {
    let size = rows * cols
    return pixels[(i * size)..<((i + 1) * size)]
  }
}

/// Reader and writer of IDX files (big-endian header: magic 2051 for 3-d unsigned-byte image
/// arrays, 2049 for 1-d unsigned-byte label arrays, then the extents, then the bytes).
/// Files may be gzip-compressed.
public enum IDX {
  public static let imagesMagic: UInt32 = 2051
  public static let labelsMagic: UInt32 = 2049

  /// One of the two standard splits and its official file names.
  public enum Split: String, Sendable, CaseIterable {
    case train, test
    /// The file-name stem, e.g. `train-images-idx3-ubyte`.
    public var imagesStem: String { self == .train ? "train-images-idx3-ubyte" : "t10k-images-idx3-ubyte" }
    public var labelsStem: String { self == .train ? "train-labels-idx1-ubyte" : "t10k-labels-idx1-ubyte" }
  }

  /// Reads an image file and a label file and checks that their counts agree.
  public static func read(images: String, labels: String) throws -> IDXDataset {
    let (count, rows, cols, pixels) = try parseImages(try RawFile.readMaybeGzip(images), path: images)
    let labelBytes = try parseLabels(try RawFile.readMaybeGzip(labels), path: labels)
    guard labelBytes.count == count else {
      throw DatasetError.unexpected(
        labels, expected: "\(count) labels (the image count of \(images))", found: "\(labelBytes.count)")
    }
    return IDXDataset(count: count, rows: rows, cols: cols, pixels: pixels, labels: labelBytes)
  }

  /// Reads a split from a folder holding the official file names, `.gz` or uncompressed.
  public static func read(directory: String, split: Split) throws -> IDXDataset {
    func find(_ stem: String) throws -> String {
      for name in [stem + ".gz", stem, stem.replacingOccurrences(of: "-idx", with: ".idx")] {
        let path = directory + "/" + name
        if FileManager.default.fileExists(atPath: path) { return path }
      }
      throw DatasetError(path: directory, message: "no \(stem).gz or \(stem) in this folder")
    }
    return try read(images: try find(split.imagesStem), labels: try find(split.labelsStem))
  }

  /// Parses an uncompressed image file: returns count, rows, cols and the pixel bytes.
  public static func parseImages(
    _ bytes: [UInt8], path: String = "<memory>"
  ) throws -> (count: Int, rows: Int, cols: Int, pixels: [UInt8]) {
    let dims = try header(bytes, path: path, magic: imagesMagic, rank: 3)
    // The header's counts are 32-bit each: their product can overflow Int, so it is checked.
    let (perImage, overflowA) = dims[1].multipliedReportingOverflow(by: dims[2])
    let (total, overflowB) = dims[0].multipliedReportingOverflow(by: perImage)
    let need = overflowA || overflowB ? Int.max : 16 &+ total
    guard bytes.count == need else {
      throw DatasetError.unexpected(
        path, expected: "\(need) bytes for \(dims[0]) images of \(dims[1])x\(dims[2])",
        found: "\(bytes.count) bytes")
    }
    return (dims[0], dims[1], dims[2], Array(bytes[16...]))
  }

  /// Parses an uncompressed label file.
  public static func parseLabels(_ bytes: [UInt8], path: String = "<memory>") throws -> [UInt8] {
    let dims = try header(bytes, path: path, magic: labelsMagic, rank: 1)
    guard bytes.count == 8 + dims[0] else {
      throw DatasetError.unexpected(
        path, expected: "\(8 + dims[0]) bytes for \(dims[0]) labels", found: "\(bytes.count) bytes")
    }
    return Array(bytes[8...])
  }

  /// The bytes of an uncompressed image file.
  public static func encodeImages(count: Int, rows: Int, cols: Int, pixels: [UInt8]) -> [UInt8] {
    precondition(pixels.count == count * rows * cols, "IDX.encodeImages: pixel count")
    return bigEndian([imagesMagic, UInt32(count), UInt32(rows), UInt32(cols)]) + pixels
  }

  /// The bytes of an uncompressed label file.
  public static func encodeLabels(_ labels: [UInt8]) -> [UInt8] {
    bigEndian([labelsMagic, UInt32(labels.count)]) + labels
  }

  static func header(_ bytes: [UInt8], path: String, magic: UInt32, rank: Int) throws -> [Int] {
    let size = 4 + 4 * rank
    if bytes.count >= 4 {
      let found = readUInt32(bytes, 0)
      guard found == magic else {
        let kind = magic == imagesMagic ? "images" : "labels"
        throw DatasetError.unexpected(path, expected: "IDX \(kind) magic \(magic)", found: "magic \(found)")
      }
    }
    guard bytes.count >= size else {
      throw DatasetError.unexpected(path, expected: "an IDX header of \(size) bytes", found: "\(bytes.count) bytes")
    }
    return (0..<rank).map { Int(readUInt32(bytes, 4 + 4 * $0)) }
  }

  static func readUInt32(_ b: [UInt8], _ at: Int) -> UInt32 {
    UInt32(b[at]) << 24 | UInt32(b[at + 1]) << 16 | UInt32(b[at + 2]) << 8 | UInt32(b[at + 3])
  }

  static func bigEndian(_ values: [UInt32]) -> [UInt8] {
    values.flatMap { v in [UInt8(v >> 24), UInt8((v >> 16) & 0xff), UInt8((v >> 8) & 0xff), UInt8(v & 0xff)] }
  }
}
