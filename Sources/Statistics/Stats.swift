import Foundation

/// Paired statistics for comparing two methods run on the same seeds (common random numbers):
/// the mean paired difference with a Student-t interval, the Wilcoxon signed-rank test, and the
/// two one-sided tests (TOST) for equivalence within a margin fixed before the run.
public enum Stats {
  /// The comparison of paired samples `a` and `b` (differences `a[i] - b[i]`).
  public struct Paired: Sendable, Equatable {
    public var n: Int
    /// Mean of `a - b`.
    public var meanDifference: Double
    /// Sample standard deviation of `a - b`.
    public var sdDifference: Double
    /// The two-sided 95 % Student-t interval of the mean difference.
    public var low: Double
    public var high: Double
    /// The two-sided paired t-test p-value.
    public var tP: Double
    /// The Wilcoxon signed-rank statistic (sum of the ranks of the positive differences, zeros dropped).
    public var wilcoxonStatistic: Double
    /// Its two-sided p-value: exact without ties or zeros for at most 50 pairs (scipy
    /// `method="exact"`), else the normal approximation with the tie correction and no continuity
    /// correction (scipy `method="approx"`).
    public var wilcoxonP: Double
    /// Whether the exact distribution was used.
    public var wilcoxonExact: Bool
    /// The 90 % interval used by TOST (equivalence at the 5 % level when it lies within ±margin).
    public var tostLow: Double
    public var tostHigh: Double
  }

  /// How ``wilcoxon(_:ties:)`` computes its p-value.
  public enum WilcoxonMethod: Sendable {
    /// scipy's rules: exact without ties or zeros for at most 50 pairs (`method="exact"`), else the
    /// normal approximation with the tie correction and no continuity correction (`method="approx"`).
    case scipy
    /// Always the exact null distribution of the signed mid-ranks, also with ties (for the few
    /// paired seeds of the GAN stages, where the normal approximation is poor).
    case exact
  }

  /// Paired statistics of `a - b`; nil with fewer than 2 finite pairs.
  public static func paired(_ a: [Double], _ b: [Double], wilcoxon method: WilcoxonMethod = .scipy) -> Paired? {
    paired(differences: zip(a, b).map { $0 - $1 }, wilcoxon: method)
  }

  /// Paired statistics of the differences `d` (non-finite ones dropped); nil with fewer than 2.
  public static func paired(differences: [Double], wilcoxon method: WilcoxonMethod = .scipy) -> Paired? {
    let d = differences.filter(\.isFinite)
    let n = d.count
    guard n >= 2 else { return nil }
    let mean = d.reduce(0, +) / Double(n)
    let sd = (d.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n - 1)).squareRoot()
    let se = sd / Double(n).squareRoot()
    let df = Double(n - 1)
    let q95 = tQuantile(0.975, df: df)
    let q90 = tQuantile(0.95, df: df)
    let tP: Double
    if se > 0 {
      tP = 2 * tSurvival(abs(mean) / se, df: df)
    } else {
      tP = mean == 0 ? 1 : 0
    }
    let w = wilcoxon(d, ties: method)
    return Paired(
      n: n, meanDifference: mean, sdDifference: sd, low: mean - q95 * se, high: mean + q95 * se, tP: tP,
      wilcoxonStatistic: w.statistic, wilcoxonP: w.p, wilcoxonExact: w.exact, tostLow: mean - q90 * se,
      tostHigh: mean + q90 * se)
  }

  /// The two-sided Wilcoxon signed-rank test of differences `d` (zeros and non-finite values
  /// dropped, as scipy's `zero_method="wilcox"`; ties get mid-ranks). `ties` chooses between
  /// scipy's rules and the exact distribution in every case (see ``WilcoxonMethod``).
  public static func wilcoxon(_ d: [Double], ties method: WilcoxonMethod = .scipy) -> (
    statistic: Double, p: Double, exact: Bool
  ) {
    let nonzero = d.filter { $0 != 0 && $0.isFinite }
    let n = nonzero.count
    guard n > 0 else { return (0, 1, false) }
    let magnitudes = nonzero.map(abs)
    let order = magnitudes.indices.sorted { magnitudes[$0] < magnitudes[$1] }
    // Mid-ranks, doubled so that they stay integral: 2 * ((i + j) / 2 + 1) = i + j + 2.
    var rank2 = [Int](repeating: 0, count: n)
    var tieSizes: [Int] = []
    var i = 0
    while i < n {
      var j = i
      while j + 1 < n && magnitudes[order[j + 1]] == magnitudes[order[i]] { j += 1 }
      for k in i...j { rank2[order[k]] = i + j + 2 }
      tieSizes.append(j - i + 1)
      i = j + 1
    }
    var plus2 = 0
    for (value, r) in zip(nonzero, rank2) where value > 0 { plus2 += r }
    let plus = Double(plus2) / 2
    let hasTies = tieSizes.contains { $0 > 1 }
    let zeros = d.count != n
    if method == .exact || (n <= 50 && !hasTies && !zeros) {
      return (plus, exactSignedRankP(rank2: rank2, plus2: plus2), true)
    }
    let nd = Double(n)
    let mean = nd * (nd + 1) / 4
    var variance = nd * (nd + 1) * (2 * nd + 1) / 24
    variance -= tieSizes.map { Double($0 * $0 * $0 - $0) }.reduce(0, +) / 48
    guard variance > 0 else { return (plus, 1, false) }
    let z = (plus - mean) / variance.squareRoot()
    return (plus, min(1, 2 * normalSurvival(abs(z))), false)
  }

  /// The two-sided exact p-value of a positive doubled-rank sum `plus2` under random signs: the
  /// null distribution counts the sign assignments per sum (symmetric about half the total).
  static func exactSignedRankP(rank2: [Int], plus2: Int) -> Double {
    let total = rank2.reduce(0, +)
    var counts = [Double](repeating: 0, count: total + 1)
    counts[0] = 1
    for r in rank2 {
      for s in stride(from: total, through: r, by: -1) { counts[s] += counts[s - r] }
    }
    let all = counts.reduce(0, +)
    let extreme = min(plus2, total - plus2)
    let tail = counts[0...extreme].reduce(0, +)
    return min(1, 2 * tail / all)
  }

  /// P(Z > z) for a standard normal Z.
  public static func normalSurvival(_ z: Double) -> Double { 0.5 * erfc(z / 2.0.squareRoot()) }

  /// P(T > t) for Student's t with `df` degrees of freedom.
  public static func tSurvival(_ t: Double, df: Double) -> Double {
    let x = df / (df + t * t)
    let tail = 0.5 * regularizedIncompleteBeta(df / 2, 0.5, x)
    return t >= 0 ? tail : 1 - tail
  }

  /// The `p` quantile of Student's t with `df` degrees of freedom (bisection on the CDF).
  public static func tQuantile(_ p: Double, df: Double) -> Double {
    guard p > 0 && p < 1 else { return p <= 0 ? -.infinity : .infinity }
    var (lo, hi) = (-1000.0, 1000.0)
    for _ in 0..<200 {
      let mid = (lo + hi) / 2
      if 1 - tSurvival(mid, df: df) < p { lo = mid } else { hi = mid }
    }
    return (lo + hi) / 2
  }

  /// The regularized incomplete beta function I_x(a, b) (Lentz's continued fraction).
  static func regularizedIncompleteBeta(_ a: Double, _ b: Double, _ x: Double) -> Double {
    if x <= 0 { return 0 }
    if x >= 1 { return 1 }
    let logGammas: Double = lgamma(a + b) - lgamma(a) - lgamma(b)
    let logPowers: Double = a * log(x) + b * log(1 - x)
    let logFront = logGammas + logPowers
    if x > (a + 1) / (a + b + 2) { return 1 - regularizedIncompleteBeta(b, a, 1 - x) }
    let tiny = 1e-300
    var c = 1.0
    var d = 1 - (a + b) * x / (a + 1)
    if abs(d) < tiny { d = tiny }
    d = 1 / d
    var f = d
    for m in 1...500 {
      let m2 = Double(2 * m)
      let md = Double(m)
      let evenDenominator: Double = (a + m2 - 1) * (a + m2)
      var num: Double = md * (b - md) * x / evenDenominator
      d = 1 + num * d
      if abs(d) < tiny { d = tiny }
      c = 1 + num / c
      if abs(c) < tiny { c = tiny }
      d = 1 / d
      f *= d * c
      let oddDenominator: Double = (a + m2) * (a + m2 + 1)
      num = -(a + md) * (a + b + md) * x / oddDenominator
      d = 1 + num * d
      if abs(d) < tiny { d = tiny }
      c = 1 + num / c
      if abs(c) < tiny { c = tiny }
      d = 1 / d
      let delta = d * c
      f *= delta
      if abs(delta - 1) < 1e-15 { break }
    }
    return exp(logFront) * f / a
  }
}

/// The verdict of the controller against one baseline over every controller seed.
public enum PairedVerdict: String, Sendable {
  case better = "better"
  case worse = "worse"
  case equivalent = "equivalent"
  case noDifference = "no detectable difference"

  /// The rules (lower error is better; each comparison is baseline − controller, so positive favours
  /// the controller): "better" only when the 95 % interval lies above zero for every controller seed;
  /// "worse" when it lies below zero for every seed; "equivalent" only when every seed's 90 % TOST
  /// interval lies within ±`margin` (margin > 0, fixed in the config); otherwise "no detectable
  /// difference". No comparisons give "no detectable difference".
  public static func decide(_ comparisons: [Stats.Paired], margin: Double) -> PairedVerdict {
    guard !comparisons.isEmpty else { return .noDifference }
    if comparisons.allSatisfy({ $0.low > 0 }) { return .better }
    if comparisons.allSatisfy({ $0.high < 0 }) { return .worse }
    if margin > 0 && comparisons.allSatisfy({ $0.tostLow > -margin && $0.tostHigh < margin }) { return .equivalent }
    return .noDifference
  }
}
