import Foundation

/// The paired difference a − b over runs that share their seeds: mean, sample standard deviation
/// and the 95 % t interval of the mean, as the NMT stages report it.
public struct NMTPairedDifference: Sendable, Equatable {
  public var n: Int
  public var mean: Double
  /// Sample standard deviation of the differences (n − 1 in the denominator; NaN for n < 2).
  public var sd: Double
  public var low: Double
  public var high: Double

  /// Pairs a[i] with b[i]; pairs with a non-finite member are dropped (a view of ``Stats/paired(_:_:wilcoxon:)``).
  public init(_ a: [Float], _ b: [Float]) {
    let d = zip(a, b).map { Double($0) - Double($1) }.filter(\.isFinite)
    if let p = Stats.paired(differences: d) {
      (n, mean, sd, low, high) = (p.n, p.meanDifference, p.sdDifference, p.low, p.high)
    } else {
      (n, mean, sd, low, high) = (d.count, d.first ?? .nan, .nan, .nan, .nan)
    }
  }

  /// Whether the interval lies below zero (a is lower than b beyond the seed noise).
  public var isBelowZero: Bool { high < 0 }
  /// Whether the interval lies above zero.
  public var isAboveZero: Bool { low > 0 }

  /// "−1.23 [−2.00, −0.46]" (n = 4).
  public func formatted(digits: Int = 2) -> String {
    let f = "%+.\(digits)f"
    guard n > 1 else { return String(format: f, mean) + " (n = \(n), no interval)" }
    return String(format: "\(f) [\(f), \(f)]", mean, low, high) + " (n = \(n))"
  }
}
