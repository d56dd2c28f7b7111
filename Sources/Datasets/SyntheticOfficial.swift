import Engine
import Foundation

/// Reads the regression and classification data that `scripts/data/official_synthetic.py` draws
/// exactly as the official AutoLoss code does (numpy `RandomState`, scikit-learn
/// `make_classification`), from the CSV files it writes under `data/raw/official-synthetic/`.
///
/// Layout: `regression/<split>.csv` (header `x0..x15,y`), `regression/true_w.csv` (one row
/// `w0..w15`), `classification-seed<N>/<split>.csv` (header `x0..x31,label`), `SOURCE.txt`.
public enum SyntheticOfficial {
  /// The folder under the raw-data folder.
  public static let folder = "official-synthetic"
  /// Split file stems, in the order of ``FiveWaySplit``.
  public static let splitNames = [
    "controller_train", "controller_validation", "task_train", "task_validation", "test",
  ]

  /// The folder of the regression files under `root` (the `official-synthetic` folder).
  public static func regressionDirectory(_ root: String) -> String { root + "/regression" }
  /// The folder of the classification files of data seed `seed` under `root`.
  public static func classificationDirectory(_ root: String, seed: UInt64) -> String {
    root + "/classification-seed\(seed)"
  }

  /// Whether every file of the regression data is present under `root`.
  public static func hasRegression(_ root: String) -> Bool {
    let dir = regressionDirectory(root)
    return (splitNames + ["true_w"]).allSatisfy { FileManager.default.fileExists(atPath: "\(dir)/\($0).csv") }
  }

  /// Whether every file of the classification data of `seed` is present under `root`.
  public static func hasClassification(_ root: String, seed: UInt64) -> Bool {
    let dir = classificationDirectory(root, seed: seed)
    return splitNames.allSatisfy { FileManager.default.fileExists(atPath: "\(dir)/\($0).csv") }
  }

  /// The regression data (d = 16, noise sd 2) with its true weights.
  public static func regression(root: String) throws -> RegressionData {
    let dir = regressionDirectory(root)
    let w = try readTable("\(dir)/true_w.csv", columns: nil, labelColumn: nil)
    guard w.rows == 1 else {
      throw DatasetError.unexpected("\(dir)/true_w.csv", expected: "1 data row", found: "\(w.rows)")
    }
    let d = w.columns
    var splits: [RegressionSplit] = []
    for name in splitNames {
      let t = try readTable("\(dir)/\(name).csv", columns: d + 1, labelColumn: "y")
      let x = t.values.enumerated().filter { $0.offset % (d + 1) != d }.map { Float($0.element) }
      let y = stride(from: d, to: t.values.count, by: d + 1).map { Float(t.values[$0]) }
      splits.append(
        RegressionSplit(inputs: Tensor(shape: [t.rows, d], data: x), targets: Tensor(shape: [t.rows, 1], data: y)))
    }
    return RegressionData(
      splits: FiveWaySplit(
        controllerTrain: splits[0], controllerValid: splits[1], taskTrain: splits[2], taskValid: splits[3],
        test: splits[4]),
      trueWeights: Tensor(shape: [d], data: w.values.map(Float.init)), noiseStd: 2)
  }

  /// The classification data of data seed `seed` (32 features, labels 0/1).
  public static func classification(root: String, seed: UInt64) throws -> FiveWaySplit<ClassificationSplit> {
    let dir = classificationDirectory(root, seed: seed)
    var splits: [ClassificationSplit] = []
    var width: Int?
    for name in splitNames {
      let path = "\(dir)/\(name).csv"
      let t = try readTable(path, columns: width, labelColumn: "label")
      width = t.columns
      let d = t.columns - 1
      let x = t.values.enumerated().filter { $0.offset % t.columns != d }.map { Float($0.element) }
      var labels: [Int] = []
      for (row, i) in stride(from: d, to: t.values.count, by: t.columns).enumerated() {
        let v = t.values[i]
        guard v == 0 || v == 1 else {
          throw DatasetError.unexpected(path, line: row + 2, expected: "label 0 or 1", found: "\(v)")
        }
        labels.append(Int(v))
      }
      splits.append(ClassificationSplit(features: Tensor(shape: [t.rows, d], data: x), labels: labels))
    }
    return FiveWaySplit(
      controllerTrain: splits[0], controllerValid: splits[1], taskTrain: splits[2], taskValid: splits[3],
      test: splits[4])
  }

  /// The `SOURCE.txt` text under `root` (versions of the generator), or nil when there is none; a
  /// file that exists but cannot be read is an error.
  public static func sourceNote(_ root: String) throws -> String? {
    let path = root + "/SOURCE.txt"
    guard FileManager.default.fileExists(atPath: path) else { return nil }
    do {
      return try String(contentsOfFile: path, encoding: .utf8)
    } catch {
      throw DatasetError(path: path, message: "cannot read as UTF-8 text: \(error.localizedDescription)")
    }
  }

  /// A numeric CSV table: header line, then `rows` rows of `columns` numbers.
  struct Table {
    var rows: Int
    var columns: Int
    var values: [Double]
  }

  /// Reads a CSV of numbers with a header line; `columns` (when given) is the expected width and
  /// `labelColumn` (when given) the expected name of the last column.
  static func readTable(_ path: String, columns: Int?, labelColumn: String?) throws -> Table {
    guard FileManager.default.fileExists(atPath: path) else {
      throw DatasetError(
        path: path, message: "file not found (run `make data`, which writes data/raw/\(folder)/)")
    }
    let text: String
    do {
      text = try String(contentsOfFile: path, encoding: .utf8)
    } catch {
      throw DatasetError(path: path, message: "cannot read as UTF-8 text: \(error.localizedDescription)")
    }
    var lines = text.split(separator: "\n", omittingEmptySubsequences: true)
    guard !lines.isEmpty else { throw DatasetError.unexpected(path, expected: "a header line", found: "an empty file") }
    let header = lines.removeFirst().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    if let columns, header.count != columns {
      throw DatasetError.unexpected(path, line: 1, expected: "\(columns) columns", found: "\(header.count)")
    }
    if let labelColumn, header.last != labelColumn {
      throw DatasetError.unexpected(
        path, line: 1, expected: "last column '\(labelColumn)'", found: "'\(header.last ?? "")'")
    }
    guard !lines.isEmpty else { throw DatasetError.unexpected(path, expected: "data rows", found: "none") }
    var values: [Double] = []
    values.reserveCapacity(lines.count * header.count)
    for (i, line) in lines.enumerated() {
      let fields = line.split(separator: ",", omittingEmptySubsequences: false)
      guard fields.count == header.count else {
        throw DatasetError.unexpected(path, line: i + 2, expected: "\(header.count) fields", found: "\(fields.count)")
      }
      for field in fields {
        guard let v = Double(field.trimmingCharacters(in: .whitespaces)), v.isFinite else {
          throw DatasetError.unexpected(path, line: i + 2, expected: "a finite number", found: "'\(field)'")
        }
        values.append(v)
      }
    }
    return Table(rows: lines.count, columns: header.count, values: values)
  }
}
