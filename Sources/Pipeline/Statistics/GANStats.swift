import Foundation

/// Small statistics for the GAN stages: paired differences with Student-t intervals and a least-squares
/// slope with its standard error, on top of ``Stats``. Its Wilcoxon p-value is exact also with ties (mid-ranks),
/// which the GAN's few paired seeds need; ``Stats/wilcoxon(_:)`` follows scipy (normal approximation with ties).
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

  /// The 97.5 % quantile of Student's t with `df` degrees of freedom (``Stats/tQuantile(_:df:)``).
  public static func t975(_ df: Int) -> Double {
    df < 1 ? .nan : Stats.tQuantile(0.975, df: Double(df))
  }

  /// Mean and sample standard deviation (NaN when empty; SD 0 for one value).
  public static func meanSD(_ v: [Double]) -> (mean: Double, sd: Double) {
    guard !v.isEmpty else { return (.nan, .nan) }
    let m = v.reduce(0, +) / Double(v.count)
    guard v.count > 1 else { return (m, 0) }
    let s = v.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(v.count - 1)
    return (m, s.squareRoot())
  }

  /// The mean of `differences` with its 95 % t-interval.
  public static func interval(_ differences: [Double]) -> Interval {
    let (m, sd) = meanSD(differences)
    let n = differences.count
    guard n > 1 else { return Interval(mean: m, low: .nan, high: .nan, n: n) }
    let half = t975(n - 1) * sd / Double(n).squareRoot()
    return Interval(mean: m, low: m - half, high: m + half, n: n)
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

  /// The two-sided exact Wilcoxon signed-rank p-value of `differences` (zeros dropped, ties by mid-ranks).
  public static func wilcoxon(_ differences: [Double]) -> Double {
    let d = differences.filter { $0 != 0 && $0.isFinite }
    let n = d.count
    guard n > 0 else { return 1 }
    // Mid-ranks of |d|, doubled to stay integral.
    let order = d.indices.sorted { abs(d[$0]) < abs(d[$1]) }
    var rank2 = [Int](repeating: 0, count: n)
    var i = 0
    while i < n {
      var j = i
      while j + 1 < n && abs(d[order[j + 1]]) == abs(d[order[i]]) { j += 1 }
      for k in i...j { rank2[order[k]] = i + j + 2 }
      i = j + 1
    }
    let total = rank2.reduce(0, +)
    var positive = 0
    for (value, r) in zip(d, rank2) where value > 0 { positive += r }
    // counts[s] = number of sign assignments whose positive doubled-rank sum is s.
    var counts = [Double](repeating: 0, count: total + 1)
    counts[0] = 1
    for r in rank2 {
      for s in stride(from: total, through: r, by: -1) { counts[s] += counts[s - r] }
    }
    let all = counts.reduce(0, +)
    let extreme = min(positive, total - positive)
    var tail = 0.0
    for s in 0...extreme { tail += counts[s] }
    return min(1, 2 * tail / all)
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
