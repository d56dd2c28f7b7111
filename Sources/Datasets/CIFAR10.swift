import Foundation

/// CIFAR-10 images: `count` RGB 32x32 images as CHW bytes and their labels 0...9.
public struct CIFAR10Batch: Sendable, Equatable {
  public static let channels = 3, height = 32, width = 32
  /// Bytes per image: 3 * 32 * 32.
  public static let imageSize = 3072
  /// Number of images.
  public var count: Int
  /// `count * 3072` bytes; image `i` is channels R, G, B in turn, each 32 rows of 32 (CHW).
  public var pixels: [UInt8]
  /// `count` labels in 0...9.
  public var labels: [UInt8]

  public init(count: Int, pixels: [UInt8], labels: [UInt8]) {
    self.count = count
    self.pixels = pixels
    self.labels = labels
  }

  /// Concatenation of batches in order.
  public static func concatenate(_ batches: [CIFAR10Batch]) -> CIFAR10Batch {
    CIFAR10Batch(
      count: batches.reduce(0) { $0 + $1.count }, pixels: batches.flatMap(\.pixels),
      labels: batches.flatMap(\.labels))
  }
}

/// Reader of the official CIFAR-10 binary version: files of 3073-byte records (1 label byte,
/// then 1024 R, 1024 G, 1024 B bytes, each plane row-major), `data_batch_1.bin` ...
/// `data_batch_5.bin` and `test_batch.bin`, in the `cifar-10-batches-bin` folder or the
/// `cifar-10-binary.tar.gz` tarball.
public enum CIFAR10 {
  public static let recordSize = 1 + CIFAR10Batch.imageSize
  public static let trainFiles = (1...5).map { "data_batch_\($0).bin" }
  public static let testFile = "test_batch.bin"
  /// The ten class names, by label.
  public static let classNames = [
    "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
  ]

  /// Parses one batch file's bytes.
  public static func parse(_ bytes: [UInt8], path: String = "<memory>") throws -> CIFAR10Batch {
    guard !bytes.isEmpty, bytes.count % recordSize == 0 else {
      throw DatasetError.unexpected(
        path, expected: "a non-zero multiple of \(recordSize) bytes (label + 3072 pixels per record)",
        found: "\(bytes.count) bytes")
    }
    let count = bytes.count / recordSize
    var labels = [UInt8](repeating: 0, count: count)
    var pixels = [UInt8](repeating: 0, count: count * CIFAR10Batch.imageSize)
    for i in 0..<count {
      let r = i * recordSize
      guard bytes[r] < 10 else {
        throw DatasetError.unexpected(path, expected: "label 0...9 in record \(i)", found: "\(bytes[r])")
      }
      labels[i] = bytes[r]
      pixels.replaceSubrange(
        (i * CIFAR10Batch.imageSize)..<((i + 1) * CIFAR10Batch.imageSize),
        with: bytes[(r + 1)..<(r + recordSize)])
    }
    return CIFAR10Batch(count: count, pixels: pixels, labels: labels)
  }

  /// The bytes of a batch file (for tests and for re-encoding other sources).
  public static func encode(_ batch: CIFAR10Batch) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(batch.count * recordSize)
    for i in 0..<batch.count {
      out.append(batch.labels[i])
      out += batch.pixels[(i * CIFAR10Batch.imageSize)..<((i + 1) * CIFAR10Batch.imageSize)]
    }
    return out
  }

  /// Loads the 50k training images (batches 1-5 in order) and 10k test images from a
  /// `cifar-10-batches-bin` folder or a `.tar.gz` / `.tgz` / `.tar` holding one.
  public static func load(from path: String) throws -> (train: CIFAR10Batch, test: CIFAR10Batch) {
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
      throw DatasetError(path: path, message: "not found (expected the cifar-10-batches-bin folder or its .tar.gz)")
    }
    var files: [String: CIFAR10Batch] = [:]
    let wanted = trainFiles + [testFile]
    if isDir.boolValue {
      for name in wanted {
        let file = path + "/" + name
        files[name] = try parse(try RawFile.read(file), path: file)
      }
    } else {
      let entries = try Tar.entries(try RawFile.readMaybeGzip(path), path: path)
      for entry in entries {
        let base = (entry.name as NSString).lastPathComponent
        if wanted.contains(base) { files[base] = try parse(entry.data, path: path + ":" + entry.name) }
      }
      let missing = wanted.filter { files[$0] == nil }
      guard missing.isEmpty else {
        throw DatasetError.unexpected(
          path, expected: "members \(wanted.joined(separator: ", "))",
          found: "none named \(missing.joined(separator: ", "))")
      }
    }
    return (
      concatenate(trainFiles.compactMap { files[$0] }),
      files[testFile] ?? CIFAR10Batch(count: 0, pixels: [], labels: [])
    )
  }

  static func concatenate(_ b: [CIFAR10Batch]) -> CIFAR10Batch { CIFAR10Batch.concatenate(b) }
}
