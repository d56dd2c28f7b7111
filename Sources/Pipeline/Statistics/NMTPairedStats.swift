import Foundation

/// The paired difference a − b over runs that share their seeds: mean, sample standard deviation
/// and the 95 % t interval of the mean (minimal helper of the NMT stages).
public struct NMTPairedDifference: Sendable, Equatable {
  public var n: Int
  public var mean: Double
  /// Sample standard deviation of the differences (n − 1 in the denominator; NaN for n < 2).
  public var sd: Double
  public var low: Double
  public var high: Double

  /// Pairs a[i] with b[i]; pairs with a non-finite member are dropped.
  public init(_ a: [Float], _ b: [Float]) {
    let d = zip(a, b).map { Double($0) - Double($1) }.filter(\.isFinite)
    n = d.count
    mean = d.isEmpty ? .nan : d.reduce(0, +) / Double(d.count)
    let m = mean
    sd = n > 1 ? (d.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(n - 1)).squareRoot() : .nan
    let half = n > 1 ? Self.t975(degreesOfFreedom: n - 1) * sd / Double(n).squareRoot() : .nan
    low = mean - half
    high = mean + half
  }

  /// Whether the interval lies below zero (a is lower than b beyond the seed noise).
  public var isBelowZero: Bool { high < 0 }
  /// Whether the interval lies above zero.
  public var isAboveZero: Bool { low > 0 }

  /// The 0.975 quantile of Student's t with `df` degrees of freedom (``Stats/tQuantile(_:df:)``).
  public static func t975(degreesOfFreedom df: Int) -> Double {
    df < 1 ? .nan : Stats.tQuantile(0.975, df: Double(df))
  }

  /// "−1.23 [−2.00, −0.46]" (n = 4).
  public func formatted(digits: Int = 2) -> String {
    let f = "%+.\(digits)f"
    guard n > 1 else { return String(format: f, mean) + " (n = \(n), no interval)" }
    return String(format: "\(f) [\(f), \(f)]", mean, low, high) + " (n = \(n))"
  }
}
