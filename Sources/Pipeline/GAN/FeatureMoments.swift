import AutoLoss
import Store

/// Per-feature sums of the controller features over the steps of some runs (their mean and SD);
/// non-finite values are left out of their feature's count.
struct FeatureMoments: Codable, Sendable {
  var counts: [Int]
  var sums: [Double]
  var squares: [Double]

  init(width: Int) {
    counts = [Int](repeating: 0, count: width)
    sums = [Double](repeating: 0, count: width)
    squares = sums
  }

  /// The moments of `features` (steps × `width`, row-major).
  init(_ features: [Float], width: Int) {
    self.init(width: width)
    guard width > 0 else { return }
    for (i, x) in features.enumerated() where x.isFinite {
      counts[i % width] += 1
      sums[i % width] += Double(x)
      squares[i % width] += Double(x) * Double(x)
    }
  }

  func adding(_ other: FeatureMoments) -> FeatureMoments {
    var m = self
    for i in m.sums.indices where i < other.sums.count {
      m.counts[i] += other.counts[i]
      m.sums[i] += other.sums[i]
      m.squares[i] += other.squares[i]
    }
    return m
  }

  var means: [Float] { zip(sums, counts).map { s, n in n > 0 ? Float(s / Double(n)) : 0 } }
  var sds: [Float] {
    sums.indices.map { i in
      let n = Double(counts[i])
      guard n > 1 else { return 1 }
      let mean = sums[i] / n
      return Float(max(0, squares[i] / n - mean * mean).squareRoot())
    }
  }

  /// The controller's input standardisation from these moments.
  func standardization() throws -> InputStandardization { try InputStandardization(means: means, sds: sds) }

  /// The artifact group of the moments: `/feature_moments/{means, sds, counts}`.
  static let groupName = "feature_moments"

  /// Writes `means`, `sds` and `counts` (one per feature) into `group`.
  func write(to group: HDF5Group) throws {
    try group.write("means", means, shape: [means.count])
    try group.write("sds", sds, shape: [sds.count])
    try group.write("counts", counts.map { Int64($0) }, shape: [counts.count])
  }

  /// The means and SDs written by ``write(to:)``; `path` names the file in errors.
  static func readStandardization(from group: HDF5Group, path: String) throws -> InputStandardization {
    let means = try group.read("means", as: Float.self).values
    let sds = try group.read("sds", as: Float.self).values
    do {
      return try InputStandardization(means: means, sds: sds)
    } catch {
      throw PipelineError("\(path): /\(groupName): \(error)")
    }
  }
}
