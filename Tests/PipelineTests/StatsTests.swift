import Statistics
import XCTest

/// Reference values computed with scipy 1.17 (scipy.stats.wilcoxon, ttest_1samp, t.ppf).
final class StatsTests: XCTestCase {
  let d = [-0.08, -0.02, -0.035, 0.03, -0.07, -0.09, -0.05, -0.01, -0.015, -0.11]

  func testPairedIntervalAndTTestMatchScipy() throws {
    let p = try XCTUnwrap(Stats.paired(d, [Double](repeating: 0, count: d.count)))
    XCTAssertEqual(p.n, 10)
    XCTAssertEqual(p.meanDifference, -0.045, accuracy: 1e-12)
    XCTAssertEqual(p.low, -0.07572243000456888, accuracy: 1e-9)
    XCTAssertEqual(p.high, -0.01427756999543111, accuracy: 1e-9)
    XCTAssertEqual(p.tostLow, -0.06989556636035771, accuracy: 1e-9)
    XCTAssertEqual(p.tostHigh, -0.02010443363964228, accuracy: 1e-9)
    XCTAssertEqual(p.tP, 0.009034179026594516, accuracy: 1e-9)
  }

  func testTDistribution() {
    XCTAssertEqual(Stats.tQuantile(0.975, df: 9), 2.262157162798205, accuracy: 1e-9)
    XCTAssertEqual(Stats.tQuantile(0.975, df: 19), 2.0930240544083087, accuracy: 1e-9)
    XCTAssertEqual(Stats.tSurvival(2.5, df: 5), 0.02724504967118813, accuracy: 1e-12)
  }

  func testWilcoxonExactMatchesScipy() {
    let w = Stats.wilcoxon(d)
    XCTAssertTrue(w.exact)
    XCTAssertEqual(w.statistic, 4)
    XCTAssertEqual(w.p, 0.013671875, accuracy: 1e-12)
    // Symmetric in the sign of the differences.
    XCTAssertEqual(Stats.wilcoxon(d.map { -$0 }).p, 0.013671875, accuracy: 1e-12)
    // n = 25, scipy method="exact".
    var d25 = (1...25).map { Double($0) * ($0 % 2 == 1 ? 1 : -1) }
    for i in d25.indices where d25[i] > 20 { d25[i] += 0.5 }
    XCTAssertEqual(Stats.wilcoxon(d25).p, 0.8739878535270691, accuracy: 1e-12)
  }

  func testWilcoxonWithZerosAndTiesUsesTheNormalApproximation() {
    // scipy.stats.wilcoxon(d, method="approx"): zeros dropped, tie-corrected variance, no continuity correction.
    let w = Stats.wilcoxon([1, -2, 2, 3, 0, 4, -4, 5, 6, 1, 7, 0, -1, 8, 2])
    XCTAssertFalse(w.exact)
    XCTAssertEqual(w.p, 0.03552233662341458, accuracy: 1e-10)
  }

  func testTooFewPairsGiveNoComparison() {
    XCTAssertNil(Stats.paired([1], [2]))
    XCTAssertNil(Stats.paired([1, .nan], [2, 3]))
  }

  func testVerdictRules() throws {
    func comparison(_ values: [Double]) throws -> Stats.Paired {
      try XCTUnwrap(Stats.paired(values, [Double](repeating: 0, count: values.count)))
    }
    let clearlyPositive = try comparison([0.10, 0.12, 0.09, 0.11, 0.13, 0.10])
    let noisy = try comparison([0.3, -0.2, 0.25, -0.3, 0.1, -0.15])
    let tiny = try comparison([0.001, -0.001, 0.002, -0.002, 0.0, 0.001])
    XCTAssertEqual(PairedVerdict.decide([clearlyPositive, clearlyPositive], margin: 0.01), .better)
    XCTAssertEqual(PairedVerdict.decide([clearlyPositive, noisy], margin: 0.01), .noDifference)
    XCTAssertEqual(PairedVerdict.decide([try comparison([-0.1, -0.12, -0.11, -0.09])], margin: 0.01), .worse)
    XCTAssertEqual(PairedVerdict.decide([tiny, tiny], margin: 0.01), .equivalent)
    XCTAssertEqual(PairedVerdict.decide([tiny], margin: 0.0001), .noDifference)
    XCTAssertEqual(PairedVerdict.decide([tiny], margin: 0), .noDifference)
    XCTAssertEqual(PairedVerdict.decide([], margin: 0.01), .noDifference)
  }

  func testExactTieModeValues() {
    // All 5 positive: p = 2/32.
    XCTAssertEqual(Stats.wilcoxon([1, 2, 3, 4, 5], ties: .exact).p, 2.0 / 32, accuracy: 1e-12)
    // Symmetric signs give p = 1.
    XCTAssertEqual(Stats.wilcoxon([1, -1], ties: .exact).p, 1, accuracy: 1e-12)
    // Ranks 1..6 with W+ = 1 + 2 = 3: P(W+ ≤ 3) = 5/64 (sums 0,1,2,3,3) → p = 10/64.
    XCTAssertEqual(Stats.wilcoxon([1, 2, -3, -4, -5, -6], ties: .exact).p, 10.0 / 64, accuracy: 1e-12)
    // Without ties or zeros the two modes agree (scipy's exact case).
    XCTAssertEqual(Stats.wilcoxon(d, ties: .exact).p, Stats.wilcoxon(d).p, accuracy: 1e-15)
  }

  func testExactTieModeUsesMidRanksWhereScipyApproximates() {
    // |d| = 1, 1, 2: mid-ranks 1.5, 1.5, 3, all positive; of the 8 sign patterns only this one has
    // W+ = 6 and only its mirror W+ = 0, so the exact p = 2/8.
    let exact = Stats.wilcoxon([1, 1, 2], ties: .exact)
    XCTAssertTrue(exact.exact)
    XCTAssertEqual(exact.statistic, 6)
    XCTAssertEqual(exact.p, 0.25, accuracy: 1e-12)
    let scipy = Stats.wilcoxon([1, 1, 2])
    XCTAssertFalse(scipy.exact)
    // scipy.stats.wilcoxon([1, 1, 2], method="approx"): z = 3 / sqrt(3.5 - 6/48).
    XCTAssertEqual(scipy.p, 2 * Stats.normalSurvival(3 / (3.5 - 6.0 / 48).squareRoot()), accuracy: 1e-12)
  }

  func testGANAndNMTIntervalsAreViewsOfPaired() throws {
    let p = try XCTUnwrap(Stats.paired(differences: d))
    let gan = GANStats.interval(d)
    XCTAssertEqual([gan.mean, gan.low, gan.high], [p.meanDifference, p.low, p.high])
    XCTAssertEqual(gan.n, 10)
    let a = d.map { Float($0 + 1) }
    let nmt = NMTPairedDifference(a, [Float](repeating: 1, count: d.count))
    let q = try XCTUnwrap(Stats.paired(a.map { Double($0) - 1 }, [Double](repeating: 0, count: d.count)))
    XCTAssertEqual(nmt.low, q.low, accuracy: 1e-12)
    XCTAssertEqual(nmt.sd, q.sdDifference, accuracy: 1e-12)
    let one = NMTPairedDifference([2], [1])
    XCTAssertEqual(one.n, 1)
    XCTAssertEqual(one.mean, 1)
    XCTAssertTrue(one.low.isNaN && GANStats.interval([3]).low.isNaN)
  }
}
