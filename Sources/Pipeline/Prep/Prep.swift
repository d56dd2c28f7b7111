import Datasets
import Foundation
import Store

/// Settings of one `autoloss prep` run. Fields a dataset does not use are ignored.
public struct PrepOptions: Sendable {
  /// The folder receiving `<name>.h5` (and `<name>-samples.png`).
  public var dataDir = "data"
  /// The folder of raw downloads (`make data`); default `<dataDir>/raw`.
  public var rawDir: String?
  /// The seed of generators and shuffles; nil means the dataset's default (1).
  public var seed: UInt64?
  /// regression/classification: `official` (raw files of scripts/data/official_synthetic.py),
  /// `generated` (our generators), nil = official when present.
  public var syntheticSource: String?
  /// A raw input path overriding the default location (cifar10: the official tarball or the
  /// `cifar-10-batches-bin` folder; mnist/fashion-mnist: a folder with the four IDX files;
  /// nmt-*: a folder holding the LibreOffice help language trees).
  public var from: String?
  /// The output name (required for user corpora; overrides the default file name otherwise).
  public var name: String?
  /// Replace an existing output file (atomically). Without it an existing file is an error.
  public var overwrite = true
  /// Image sets: the number of training images held out (the last ones) as validation.
  public var validationCount = 5000
  /// Text settings (tokenizer, length filter, BPE, splits).
  public var text = TextPrepSettings()
  /// User corpora: line-aligned source and target files.
  public var sourceText: String?
  public var targetText: String?
  /// Auxiliary tagging tasks, each `[TASK[:COLUMN]=]FILE` (COLUMN `upos` or `deprel`).
  public var auxCoNLLU: [String] = []
  /// Recorded in the provenance.
  public var toolVersion = "unknown"
  public var gitCommit = "unknown"

  public init() {}

  var raw: String { rawDir ?? (dataDir as NSString).appendingPathComponent("raw") }
  func rawPath(_ parts: String...) -> String {
    parts.reduce(raw) { ($0 as NSString).appendingPathComponent($1) }
  }
}

/// What a prep run wrote.
public struct PrepResult: Sendable {
  /// The dataset name (file stem).
  public var name: String
  /// The committed HDF5 file.
  public var path: String
  /// Its SHA-256.
  public var sha256: String
  /// The PNG grid of samples, for image sets.
  public var samplesPath: String?
  /// Human-readable summary lines (counts per split, classes, vocabulary sizes).
  public var summary: [String]
}

/// `autoloss prep`: turns raw files (or a seed) into `data/<name>.h5`.
///
/// Every dataset is read and checked completely before the artifact is written, and the file is
/// written through `ArtifactWriter` (temporary file, fsync, rename), so bad input leaves nothing
/// under the final name.
public enum DatasetPrep {
  /// Prepares a registry dataset (`DatasetFiles.registry`) or, with `dataset == "text"` or
  /// `options.sourceText` set, a user corpus named `options.name`.
  public static func prepare(_ dataset: String, options: PrepOptions) throws -> PrepResult {
    switch dataset {
    case "regression": return try prepareRegression(options)
    case "classification": return try prepareClassification(options)
    case "mnist", "fashion-mnist": return try prepareIDX(dataset, options)
    case "cifar10": return try prepareCIFAR10(options)
    case "nmt-tr-en", "nmt-de-en": return try prepareLibreOffice(dataset, options)
    case "text": return try prepareUserText(options)
    default:
      throw PrepError(
        "unknown dataset '\(dataset)' (expected one of \((DatasetFiles.registry + ["text"]).joined(separator: ", ")))")
    }
  }

  /// Builds the provenance of a dataset file.
  static func provenance(
    _ name: String, config: PrepConfig, seed: UInt64, inputs: [ResolvedArtifact], options: PrepOptions
  ) -> Provenance {
    var config = config
    config.set("output", DatasetFiles.path(name: name, dataDir: options.dataDir))
    return Provenance(
      schema: DatasetFiles.schema, schemaVersion: DatasetFiles.schemaVersion,
      toolVersion: options.toolVersion, gitCommit: options.gitCommit, config: config.yaml,
      seed: Int64(bitPattern: seed), inputs: inputs)
  }

  /// Writes `data/<name>.h5` atomically: `body` fills the root group; any error discards it.
  static func writeArtifact(
    _ name: String, provenance: Provenance, options: PrepOptions, _ body: (HDF5Group) throws -> Void
  ) throws -> ResolvedArtifact {
    let path = DatasetFiles.path(name: name, dataDir: options.dataDir)
    let writer = try ArtifactWriter(path: path, provenance: provenance, overwrite: options.overwrite)
    do {
      try writer.root.setAttribute("dataset", name)
      try body(writer.root)
      return try writer.commit()
    } catch {
      writer.discard()
      throw error
    }
  }

  /// Checks an output name: a plain file stem.
  static func validateName(_ name: String) throws {
    let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_."))
    guard !name.isEmpty, !name.hasPrefix("."), name.unicodeScalars.allSatisfy(allowed.contains) else {
      throw PrepError("invalid dataset name '\(name)' (expected letters, digits, '-', '_' or '.')")
    }
  }
}

extension HDF5Group {
  /// Writes `values` with gzip (level 4) chunks when large, plain otherwise.
  func writeCompact<T: HDF5Element>(_ name: String, _ values: [T], shape: [Int]) throws {
    let large = values.count * MemoryLayout<T>.stride >= 1 << 16
    try write(name, values, shape: shape, compression: large ? 4 : nil)
  }
}
