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

  /// The 0.975 quantile of Student's t with `df` degrees of freedom (1.96 beyond 30).
  public static func t975(degreesOfFreedom df: Int) -> Double {
    let table: [Double] = [
      12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
      2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
    ]
    guard df >= 1 else { return .nan }
    return df <= table.count ? table[df - 1] : 1.96
  }

  /// "−1.23 [−2.00, −0.46]" (n = 4).
  public func formatted(digits: Int = 2) -> String {
    let f = "%+.\(digits)f"
    guard n > 1 else { return String(format: f, mean) + " (n = \(n), no interval)" }
    return String(format: "\(f) [\(f), \(f)]", mean, low, high) + " (n = \(n))"
  }
}
