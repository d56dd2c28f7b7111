import Foundation
import Statistics

/// One paired comparison of the evaluation: a controller row against a reference row on the same
/// seeds (common random numbers), final IS difference with a 95 % t-interval and Wilcoxon p-value.
public struct GANComparison: Sendable, Equatable {
  public var row: String
  public var reference: String
  public var differences: [Double]
  public var interval: GANStats.Interval
  public var wilcoxonP: Double
  public var verdict: String

  /// Pairs `row` and `reference` runs by seed (seeds missing from either are left out).
  public init(
    row: String, rowRuns: [(seed: UInt64, finalIS: Float)], reference: String,
    referenceRuns: [(seed: UInt64, finalIS: Float)]
  ) {
    self.row = row
    self.reference = reference
    var bySeed: [UInt64: Float] = [:]
    for r in referenceRuns { bySeed[r.seed] = r.finalIS }
    differences = rowRuns.compactMap { r in bySeed[r.seed].map { Double(r.finalIS) - Double($0) } }
    interval = GANStats.interval(differences)
    wilcoxonP = Stats.wilcoxon(differences, ties: .exact).p
    verdict = Self.verdict(interval)
  }

  /// science-protocol §3: better or worse only when the interval excludes zero.
  public static func verdict(_ i: GANStats.Interval) -> String {
    if i.n < 2 { return "too few paired seeds (n = \(i.n))" }
    if i.low > 0 { return "better" }
    if i.high < 0 { return "worse" }
    return "no detectable difference at n = \(i.n)"
  }

  /// "+0.42 [0.10, 0.74], p = 0.031, better".
  public var text: String {
    String(
      format: "%+.2f [%.2f, %.2f], p = %.3f: %@", interval.mean, interval.low, interval.high, wilcoxonP, verdict)
  }
}
