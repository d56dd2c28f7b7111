import Foundation

/// Small statistics for the GAN stages: paired differences with Student-t intervals and a least-squares
/// slope with its standard error, on top of ``Stats`` (the interval is a view of ``Stats/paired(differences:wilcoxon:)``;
/// the GAN's Wilcoxon p-values are ``Stats/wilcoxon(_:ties:)`` with ``Stats/WilcoxonMethod/exact``).
public enum GANStats {
  /// A mean with its two-sided 95 % Student-t interval.
  public struct Interval: Codable, Sendable, Equatable {
    public var mean: Double
    public var low: Double
    public var high: Double
    public var n: Int
    /// The interval excludes zero.
    public var excludesZero: Bool { n > 1 && (low > 0 || high < 0) }
  }

  /// Mean and sample standard deviation (NaN when empty; SD 0 for one value).
  public static func meanSD(_ v: [Double]) -> (mean: Double, sd: Double) {
    guard !v.isEmpty else { return (.nan, .nan) }
    let m = v.reduce(0, +) / Double(v.count)
    guard v.count > 1 else { return (m, 0) }
    let s = v.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(v.count - 1)
    return (m, s.squareRoot())
  }

  /// The mean of `differences` with its 95 % t-interval (NaN bounds with fewer than 2 finite values).
  public static func interval(_ differences: [Double]) -> Interval {
    guard let p = Stats.paired(differences: differences) else {
      let finite = differences.filter(\.isFinite)
      return Interval(mean: meanSD(finite).mean, low: .nan, high: .nan, n: finite.count)
    }
    return Interval(mean: p.meanDifference, low: p.low, high: p.high, n: p.n)
  }

  /// The paired differences a[i] − b[i] (pairs with a non-finite member are dropped).
  public static func paired(_ a: [Double], _ b: [Double]) -> [Double] {
    zip(a, b).filter { $0.0.isFinite && $0.1.isFinite }.map { $0.0 - $0.1 }
  }

  /// Ordinary least squares y ≈ a + b·x: the slope b, its standard error and the intercept.
  public static func slope(x: [Double], y: [Double]) -> (slope: Double, standardError: Double, intercept: Double) {
    let n = Double(x.count)
    guard x.count == y.count, x.count > 2 else { return (.nan, .nan, .nan) }
    let mx = x.reduce(0, +) / n
    let my = y.reduce(0, +) / n
    let sxx = x.map { ($0 - mx) * ($0 - mx) }.reduce(0, +)
    guard sxx > 0 else { return (.nan, .nan, my) }
    var sxy = 0.0
    for (xi, yi) in zip(x, y) { sxy += (xi - mx) * (yi - my) }
    let b = sxy / sxx
    let a = my - b * mx
    var residual = 0.0
    for (xi, yi) in zip(x, y) { residual += (yi - a - b * xi) * (yi - a - b * xi) }
    return (b, (residual / (n - 2) / sxx).squareRoot(), a)
  }

  /// Least squares through the origin, y ≈ b·x (for differences of antithetic pairs, where a
  /// pair's two halves are exchangeable): the slope b = Σxy/Σx², its standard error and the residual
  /// SD √(Σ(y − b·x)²/(n − 1)). NaN with fewer than 2 points or when every x is 0.
  public static func slopeThroughOrigin(x: [Double], y: [Double]) -> (
    slope: Double, standardError: Double, residualSD: Double
  ) {
    guard x.count == y.count, x.count > 1 else { return (.nan, .nan, .nan) }
    let sxx = x.map { $0 * $0 }.reduce(0, +)
    guard sxx > 0 else { return (.nan, .nan, .nan) }
    let b = zip(x, y).map { $0 * $1 }.reduce(0, +) / sxx
    let residual = zip(x, y).map { ($1 - b * $0) * ($1 - b * $0) }.reduce(0, +)
    let variance = residual / Double(x.count - 1)
    return (b, (variance / sxx).squareRoot(), variance.squareRoot())
  }

  /// The differences within antithetic ± pairs (first minus second run of each pair): of the share
  /// of one action and of the final score, with the statistics both the calibration and the report
  /// draw from them.
  public struct PairDifferences: Sendable, Equatable {
    public var share: [Double]
    public var score: [Double]

    public init(share: [Double], score: [Double]) {
      self.share = share
      self.score = score
    }

    public var count: Int { share.count }
    /// The mean |Δshare| (NaN without pairs).
    public var meanShareGap: Double { share.isEmpty ? .nan : share.map(abs).reduce(0, +) / Double(share.count) }
    /// Δscore on Δshare through the origin (``GANStats/slopeThroughOrigin(x:y:)``).
    public var fit: (slope: Double, standardError: Double, residualSD: Double) {
      slopeThroughOrigin(x: share, y: score)
    }
  }

  /// The pooled within-group standard deviation √(Σ(nᵢ−1)sᵢ² / Σ(nᵢ−1)).
  public static func pooledSD(_ groups: [[Double]]) -> Double {
    var num = 0.0
    var den = 0.0
    for g in groups where g.count > 1 {
      let (_, s) = meanSD(g)
      num += Double(g.count - 1) * s * s
      den += Double(g.count - 1)
    }
    return den > 0 ? (num / den).squareRoot() : .nan
  }
}
