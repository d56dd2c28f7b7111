import Datasets
import Foundation
import Store

/// Image sets in memory before writing: NCHW uint8 pixels and labels per split.
struct ImageSplits {
  var channels: Int
  var height: Int
  var width: Int
  /// (split name, pixels `count*C*H*W`, labels) for train, validation, test.
  var splits: [(name: String, pixels: [UInt8], labels: [UInt8])]
  var classNames: [String]
}

extension DatasetPrep {
  /// Fashion-MNIST class names, by label.
  public static let fashionClassNames = [
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
  ]

  /// `mnist` / `fashion-mnist`: the four IDX files of `data/raw/<name>` (or `--from`). The last
  /// `validationCount` (5000) of the 60000 training images are the validation split, the first
  /// 55000 the train split, and the 10000 t10k images the test split; order is the files' order.
  static func prepareIDX(_ dataset: String, _ options: PrepOptions) throws -> PrepResult {
    let folder = options.from ?? options.rawPath(dataset)
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDir), isDir.boolValue else {
      throw PrepError(
        "\(folder): folder not found (expected the four \(dataset) IDX files; run `make data` or pass --from)")
    }
    let trainFiles = try idxFiles(folder, .train)
    let testFiles = try idxFiles(folder, .test)
    let train = try IDX.read(images: trainFiles.images, labels: trainFiles.labels)
    let test = try IDX.read(images: testFiles.images, labels: testFiles.labels)
    guard test.rows == train.rows, test.cols == train.cols else {
      throw PrepError.unexpected(
        testFiles.images, expected: "\(train.rows)x\(train.cols) images like \(trainFiles.images)",
        found: "\(test.rows)x\(test.cols)")
    }
    for (labels, path) in [(train.labels, trainFiles.labels), (test.labels, testFiles.labels)] {
      if let bad = labels.firstIndex(where: { $0 > 9 }) {
        throw PrepError.unexpected(path, expected: "labels 0...9", found: "label \(labels[bad]) at index \(bad)")
      }
    }
    let held = options.validationCount
    guard held >= 0, held < train.count else {
      throw PrepError.unexpected(
        trainFiles.images, expected: "more than \(held) training images (the validation hold-out)",
        found: "\(train.count)")
    }
    let size = train.rows * train.cols
    let cut = train.count - held
    let images = ImageSplits(
      channels: 1, height: train.rows, width: train.cols,
      splits: [
        ("train", Array(train.pixels[0..<(cut * size)]), Array(train.labels[0..<cut])),
        ("validation", Array(train.pixels[(cut * size)...]), Array(train.labels[cut...])),
        ("test", test.pixels, test.labels),
      ],
      classNames: dataset == "mnist" ? (0...9).map(String.init) : fashionClassNames)
    let inputs = try [trainFiles.images, trainFiles.labels, testFiles.images, testFiles.labels].map(PrepInputs.file)
    let source = """
      train and validation: \(trainFiles.images) + \(trainFiles.labels) (train = images 0..<\(cut), \
      validation = the last \(held), images \(cut)..<\(train.count)); \
      test: \(testFiles.images) + \(testFiles.labels) (all \(test.count))
      """
    return try writeImages(dataset, images, source: source, inputs: inputs, options: options)
  }

  /// The image and label files of one IDX split in `folder` (`.gz` or uncompressed).
  static func idxFiles(_ folder: String, _ split: IDX.Split) throws -> (images: String, labels: String) {
    func find(_ stem: String) throws -> String {
      let candidates = [stem + ".gz", stem, stem.replacingOccurrences(of: "-idx", with: ".idx")]
      for name in candidates {
        let path = (folder as NSString).appendingPathComponent(name)
        if FileManager.default.fileExists(atPath: path) { return path }
      }
      throw PrepError(
        "\((folder as NSString).appendingPathComponent(stem + ".gz")): file not found (expected \(candidates.joined(separator: " or ")) in \(folder))"
      )
    }
    return (try find(split.imagesStem), try find(split.labelsStem))
  }

  /// `cifar10 --from PATH`: the official `cifar-10-binary.tar.gz` or its `cifar-10-batches-bin`
  /// folder. Train = the first 45000 of the 50000 training images (data_batch_1..4 and the first
  /// half of data_batch_5), validation = the last `validationCount` (5000), test = test_batch.
  static func prepareCIFAR10(_ options: PrepOptions) throws -> PrepResult {
    let defaultPaths = ["cifar-10-binary.tar.gz", "cifar-10-batches-bin"].map { options.rawPath("cifar10", $0) }
    guard let path = options.from ?? defaultPaths.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
      throw PrepError(
        "\(defaultPaths[0]): file not found (CIFAR-10 is in no Debian or PyPI package: download the official "
          + "cifar-10-binary.tar.gz and pass it, or its cifar-10-batches-bin folder, with --from)")
    }
    let (train, test) = try CIFAR10.load(from: path)
    let held = options.validationCount
    guard held >= 0, held < train.count else {
      throw PrepError.unexpected(path, expected: "more than \(held) training images", found: "\(train.count)")
    }
    let size = CIFAR10Batch.imageSize
    let cut = train.count - held
    let images = ImageSplits(
      channels: 3, height: 32, width: 32,
      splits: [
        ("train", Array(train.pixels[0..<(cut * size)]), Array(train.labels[0..<cut])),
        ("validation", Array(train.pixels[(cut * size)...]), Array(train.labels[cut...])),
        ("test", test.pixels, test.labels),
      ],
      classNames: CIFAR10.classNames)
    var isDir: ObjCBool = false
    _ = FileManager.default.fileExists(atPath: path, isDirectory: &isDir)
    let inputs =
      isDir.boolValue
      ? try (CIFAR10.trainFiles + [CIFAR10.testFile]).map { try PrepInputs.file(path + "/" + $0) }
      : [try PrepInputs.file(path)]
    let source = """
      \(path): train = data_batch_1..5 images 0..<\(cut), validation = the last \(held) \
      (\(cut)..<\(train.count)), test = test_batch (all \(test.count))
      """
    return try writeImages("cifar10", images, source: source, inputs: inputs, options: options)
  }

  /// Writes an image set: `/<split>/images` uint8 [N,C,H,W], `/<split>/labels` int32 [N],
  /// `/class_names` strings, root attributes `source`, `num_classes`, `channels`, `height`,
  /// `width`; then a PNG grid of the first 64 training images.
  static func writeImages(
    _ dataset: String, _ images: ImageSplits, source: String, inputs: [ResolvedArtifact], options: PrepOptions
  ) throws -> PrepResult {
    let name = options.name ?? dataset
    try validateName(name)
    var config = PrepConfig()
    config.set("dataset", dataset)
    config.set("validation_count", options.validationCount)
    config.set("validation_rule", "the last validation_count training images, in file order")
    config.set("layout", "images uint8 [N,C,H,W], labels int32 [N]")
    let shape = [images.channels, images.height, images.width]
    var summary = [
      "\(dataset): images uint8 [N,\(shape.map(String.init).joined(separator: ","))], \(images.classNames.count) classes"
    ]
    let artifact = try writeArtifact(
      name, provenance: provenance(name, config: config, seed: 0, inputs: inputs, options: options),
      options: options
    ) { root in
      try root.setAttribute("source", source)
      try root.setAttribute("num_classes", Int64(images.classNames.count))
      try root.setAttribute("channels", Int64(images.channels))
      try root.setAttribute("height", Int64(images.height))
      try root.setAttribute("width", Int64(images.width))
      try root.setAttribute("pixel_range", "uint8 0...255, 0 = black")
      try root.writeStrings("class_names", images.classNames)
      for split in images.splits {
        let count = split.labels.count
        let group = try root.createGroup(split.name)
        try group.write(
          "images", split.pixels, shape: [count] + shape, chunks: [min(max(count, 1), 1024)] + shape,
          compression: 4)
        try group.write("labels", split.labels.map { Int32($0) }, shape: [count])
        try group.setAttribute("count", Int64(count))
        var perClass = [Int](repeating: 0, count: images.classNames.count)
        for label in split.labels where Int(label) < perClass.count { perClass[Int(label)] += 1 }
        summary.append("\(split.name): \(count) images, per class \(perClass.map(String.init).joined(separator: "/"))")
      }
    }
    summary.append("classes: \(images.classNames.joined(separator: ", "))")
    let png = DatasetFiles.samplesPath(name: name, dataDir: options.dataDir)
    try writeSampleGrid(images, to: png)
    return PrepResult(name: name, path: artifact.path, sha256: artifact.sha256, samplesPath: png, summary: summary)
  }

  /// A PNG grid of the first (up to) 64 training images, 8 per row.
  static func writeSampleGrid(_ images: ImageSplits, to path: String) throws {
    guard let train = images.splits.first else { return }
    let (c, h, w) = (images.channels, images.height, images.width)
    let count = min(64, train.labels.count)
    guard count > 0 else { return }
    var floats = [Float](repeating: 0, count: count * c * h * w)
    for n in 0..<count {
      for ch in 0..<c {
        for p in 0..<(h * w) {
          floats[(n * h * w + p) * c + ch] = Float(train.pixels[(n * c + ch) * h * w + p]) / 255
        }
      }
    }
    try PNGWriter.writeGrid(images: floats, count: count, height: h, width: w, channels: c, columns: 8, to: path)
  }
}
