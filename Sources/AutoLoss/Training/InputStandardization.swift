/// A fixed affine map of the controller's features, x ↦ (x − mean) / sd, applied before the
/// controller's first layer (and before the feature mask, so a hidden feature reads as its mean).
///
/// Features whose typical values lie far from zero or spread far beyond one (the GAN's gradient
/// norms and loss ratios) otherwise push the hidden layer into one regime and make a parameter
/// perturbation of a given size mean very different policy changes per feature. The means and SDs
/// are measured on runs of the task (for the GAN, the calibration runs) and stay fixed while the
/// controller trains and when it is evaluated.
public struct InputStandardization: Codable, Sendable, Equatable {
  /// Per-feature means subtracted from the raw features.
  public var means: [Float]
  /// Per-feature standard deviations the centred features are divided by (each > 0).
  public var sds: [Float]

  /// The smallest SD used: a feature that barely varied in the measured runs is scaled by at most
  /// 1 / `minimumSD` instead of blowing up.
  public static let minimumSD: Float = 0.05

  /// Creates a standardisation; SDs below ``minimumSD`` (or non-finite) are raised to it.
  /// - Throws: ``ControllerConfigError`` when the counts differ or a mean is not finite.
  public init(means: [Float], sds: [Float]) throws {
    guard means.count == sds.count else {
      throw ControllerConfigError(
        message: "input standardization: \(means.count) means for \(sds.count) standard deviations")
    }
    guard means.allSatisfy(\.isFinite) else {
      throw ControllerConfigError(message: "input standardization: non-finite mean in \(means)")
    }
    self.means = means
    self.sds = sds.map { $0.isFinite ? max($0, Self.minimumSD) : Self.minimumSD }
  }

  /// The number of features it maps.
  public var count: Int { means.count }

  /// Feature `i` of a raw value, standardised.
  @inline(__always) func apply(_ x: Float, at i: Int) -> Float { (x - means[i]) / sds[i] }
}
