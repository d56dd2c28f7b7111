import Foundation
import Store
import Tasks

/// Loads the image splits of a prepared dataset (`data/<name>.h5`, schema `autoloss/dataset`) for the
/// scorer and the GAN.
public enum GANData {
  /// The image datasets the GAN stages know.
  public static let datasets = ["mnist", "fashion-mnist", "cifar10"]

  /// The split `split` (`train`, `validation`, `test`) of `data/<dataset>.h5`, and the file's hash.
  public static func load(dataset: String, split: String, dataRoot: String) throws -> (ImageSet, ResolvedArtifact) {
    let path = DatasetFiles.path(name: dataset, dataDir: dataRoot)
    guard FileManager.default.fileExists(atPath: path) else {
      throw PipelineError("\(path): not found (expected the prepared \(dataset) data; run `autoloss prep \(dataset)`)")
    }
    let file = try DatasetFiles.open(path)
    defer { file.close() }
    guard file.root.contains(split) else {
      throw PipelineError("\(path): expected a group /\(split), found \(try file.root.list().joined(separator: ", "))")
    }
    let group = try file.root.group(split)
    let images = try group.read("images", as: UInt8.self)
    guard images.shape.count == 4 else {
      throw PipelineError("\(path): /\(split)/images: expected uint8 [N, C, H, W], found shape \(images.shape)")
    }
    let labels = try group.read("labels", as: Int32.self)
    guard labels.values.count == images.shape[0] else {
      throw PipelineError("\(path): /\(split)/labels: expected \(images.shape[0]) labels, found \(labels.values.count)")
    }
    let set = try ImageSet(
      pixels: images.values, labels: labels.values.map(Int.init), channels: images.shape[1], height: images.shape[2],
      width: images.shape[3])
    return (set, try ResolvedArtifact.file(path))
  }

  /// Whether `data/<dataset>.h5` exists.
  public static func isPresent(_ dataset: String, dataRoot: String) -> Bool {
    FileManager.default.fileExists(atPath: DatasetFiles.path(name: dataset, dataDir: dataRoot))
  }
}
