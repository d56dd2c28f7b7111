import AutoLoss
import Store

/// Stores a controller's ``InputStandardization`` beside its weights: datasets `input_means` and
/// `input_sds` (one value per feature) in the group that describes the controller.
enum InputStandardizationIO {
  /// Writes `standardization` into `group` (nothing for nil: raw features).
  static func write(_ standardization: InputStandardization?, to group: HDF5Group) throws {
    guard let standardization else { return }
    try group.write("input_means", standardization.means, shape: [standardization.count])
    try group.write("input_sds", standardization.sds, shape: [standardization.count])
  }

  /// The standardisation stored in `group` (nil when it has none); `path` and `groupPath` name the
  /// place in errors, `featureCount` is the controller's feature count.
  static func read(from group: HDF5Group, featureCount: Int, path: String, groupPath: String) throws
    -> InputStandardization?
  {
    guard group.contains("input_means") || group.contains("input_sds") else { return nil }
    let standardization: InputStandardization
    do {
      standardization = try InputStandardization(
        means: try group.read("input_means", as: Float.self).values,
        sds: try group.read("input_sds", as: Float.self).values)
    } catch {
      throw PipelineError("\(path): \(groupPath)input_means, input_sds: \(error)")
    }
    guard standardization.count == featureCount else {
      throw PipelineError(
        "\(path): \(groupPath)input_means: expected \(featureCount) values (one per feature), found \(standardization.count)"
      )
    }
    return standardization
  }
}
