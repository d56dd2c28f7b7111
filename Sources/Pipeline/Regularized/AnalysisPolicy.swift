import AutoLoss
import Foundation
import Statistics

/// Descriptive statistics of a controller's recorded policy: P(action) over training progress,
/// its spread, and how much of it progress alone or each feature group explains.
public struct PolicyDescription: Sendable, Equatable {
  /// Bin upper edges of progress t/T (T = the run's own length), `bins` equal bins over [0, 1].
  public var binMean: [Double]
  /// Standard deviation of P(action) among the steps (of all runs) in each bin.
  public var binSD: [Double]
  /// 5 % and 95 % quantiles of P(action) in each bin.
  public var binP05: [Double]
  public var binP95: [Double]
  /// Mean over runs of the within-run standard deviation of P(action).
  public var withinRunSD: Double
  /// Mean over runs of the within-run 5-95 % range of P(action).
  public var withinRunRange: Double
  /// R² of a linear regression of P(action) on progress alone, and on all features.
  public var r2Progress: Double
  public var r2All: Double
  /// R² on progress plus one feature group, per group (same order as the task's groups).
  public var r2Group: [Double]
  public var groupNames: [String]

  /// The description of `traces` (steps with recorded probabilities and features) for `action`.
  public static func of(
    _ traces: [EpisodeTrace], action: Int, actionCount: Int, featureCount: Int,
    groups: [(name: String, indices: [Int])], bins: Int
  ) -> PolicyDescription {
    var perBin = [[Double]](repeating: [], count: max(bins, 1))
    var progress: [Double] = []
    var target: [Double] = []
    var rows: [[Double]] = []
    var runSD: [Double] = []
    var runRange: [Double] = []
    for trace in traces {
      let t = trace.actions.count
      guard t > 0, trace.probabilities.count == t * actionCount, trace.features.count == t * featureCount else {
        continue
      }
      var ps: [Double] = []
      for s in 0..<t {
        let p = Double(trace.probabilities[s * actionCount + action])
        guard p.isFinite else { continue }
        let x = Double(s) / Double(t)
        perBin[min(perBin.count - 1, Int(x * Double(perBin.count)))].append(p)
        progress.append(x)
        target.append(p)
        rows.append((0..<featureCount).map { Double(trace.features[s * featureCount + $0]) })
        ps.append(p)
      }
      if ps.count > 1 {
        runSD.append(standardDeviation(ps))
        runRange.append(quantile(ps, 0.95) - quantile(ps, 0.05))
      }
    }
    func mean(_ v: [Double]) -> Double { v.isEmpty ? .nan : v.reduce(0, +) / Double(v.count) }
    let r2Group = groups.map { g in
      rSquared(target, zip(progress, rows).map { x, row in [x] + g.indices.map { row[$0] } })
    }
    return PolicyDescription(
      binMean: perBin.map(mean), binSD: perBin.map { $0.count > 1 ? standardDeviation($0) : .nan },
      binP05: perBin.map { $0.isEmpty ? .nan : quantile($0, 0.05) },
      binP95: perBin.map { $0.isEmpty ? .nan : quantile($0, 0.95) }, withinRunSD: mean(runSD),
      withinRunRange: mean(runRange), r2Progress: rSquared(target, progress.map { [$0] }),
      r2All: rSquared(target, zip(progress, rows).map { [$0.0] + $0.1 }), r2Group: r2Group,
      groupNames: groups.map(\.name))
  }

  /// Sample standard deviation.
  static func standardDeviation(_ v: [Double]) -> Double {
    guard v.count > 1 else { return 0 }
    let m = v.reduce(0, +) / Double(v.count)
    return (v.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(v.count - 1)).squareRoot()
  }

  /// The `q` quantile with linear interpolation (numpy's default).
  static func quantile(_ v: [Double], _ q: Double) -> Double {
    let s = v.sorted()
    guard !s.isEmpty else { return .nan }
    let h = q * Double(s.count - 1)
    let lo = Int(h.rounded(.down))
    let hi = min(lo + 1, s.count - 1)
    return s[lo] + (h - Double(lo)) * (s[hi] - s[lo])
  }

  /// R² of the least-squares fit of `y` on an intercept and the columns of `x` (columns standardized,
  /// constant columns dropped, a 1e-9 ridge for collinear ones). 0 when `y` is constant.
  public static func rSquared(_ y: [Double], _ x: [[Double]]) -> Double {
    let n = y.count
    guard n > 1, x.count == n else { return .nan }
    let my = y.reduce(0, +) / Double(n)
    let total = y.map { ($0 - my) * ($0 - my) }.reduce(0, +)
    guard total > 0 else { return 0 }
    let width = x.first?.count ?? 0
    var columns: [[Double]] = []
    for j in 0..<width {
      let c = x.map { $0[j].isFinite ? $0[j] : 0 }
      let m = c.reduce(0, +) / Double(n)
      let sd = (c.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(n)).squareRoot()
      if sd > 1e-12 { columns.append(c.map { ($0 - m) / sd }) }
    }
    let k = columns.count
    guard k > 0 else { return 0 }
    // Normal equations on centred data: (XᵀX + εI) b = Xᵀ(y − ȳ).
    var a = [Double](repeating: 0, count: k * k)
    var b = [Double](repeating: 0, count: k)
    for i in 0..<k {
      for j in i..<k {
        var s = 0.0
        for r in 0..<n { s += columns[i][r] * columns[j][r] }
        a[i * k + j] = s
        a[j * k + i] = s
      }
      a[i * k + i] += 1e-9 * Double(n)
      var s = 0.0
      for r in 0..<n { s += columns[i][r] * (y[r] - my) }
      b[i] = s
    }
    guard let coef = solve(a, b, k) else { return .nan }
    var residual = 0.0
    for r in 0..<n {
      var p = my
      for i in 0..<k { p += coef[i] * columns[i][r] }
      residual += (y[r] - p) * (y[r] - p)
    }
    return max(0, 1 - residual / total)
  }

  /// Gaussian elimination with partial pivoting; nil when singular.
  static func solve(_ matrix: [Double], _ rhs: [Double], _ k: Int) -> [Double]? {
    var a = matrix
    var b = rhs
    for col in 0..<k {
      let pivot = (col..<k).max { abs(a[$0 * k + col]) < abs(a[$1 * k + col]) } ?? col
      guard abs(a[pivot * k + col]) > 1e-300 else { return nil }
      if pivot != col {
        for j in 0..<k { a.swapAt(col * k + j, pivot * k + j) }
        b.swapAt(col, pivot)
      }
      for r in (col + 1)..<max(col + 1, k) {
        let f = a[r * k + col] / a[col * k + col]
        for j in col..<k { a[r * k + j] -= f * a[col * k + j] }
        b[r] -= f * b[col]
      }
    }
    var x = [Double](repeating: 0, count: k)
    for i in stride(from: k - 1, through: 0, by: -1) {
      var s = b[i]
      for j in (i + 1)..<max(i + 1, k) { s -= a[i * k + j] * x[j] }
      x[i] = s / a[i * k + i]
    }
    return x
  }
}

/// What a controller learned, from the functional tests (documented rules, lowest tier first):
/// - **state-dependent policy**: replaying its own actions shuffled within 10 % time blocks (same
///   seeds) is worse than the controller (95 % interval of replay − controller above zero), or
///   clamping a feature group other than progress to its across-run mean is worse;
/// - else **schedule over time**: the fully shuffled replay is worse than the block-shuffled one,
///   or clamping the progress group is worse;
/// - else **ratio**: the controller beats the untrained controller (interval above zero), or its
///   realized action ratio differs from the untrained controller's by at least 0.05;
/// - else **nothing**.
/// The task's verdict is the lowest tier any controller seed reaches (every seed must show it).
public enum LearnedVerdict: Int, Sendable, Comparable {
  case nothing = 0
  case ratio = 1
  case schedule = 2
  case stateDependent = 3

  public static func < (a: LearnedVerdict, b: LearnedVerdict) -> Bool { a.rawValue < b.rawValue }

  /// The report's wording.
  public var sentence: String {
    switch self {
    case .nothing: return "learns nothing"
    case .ratio: return "learns a ratio"
    case .schedule: return "learns a schedule over time"
    case .stateDependent: return "learns a state-dependent policy"
    }
  }

  /// The evidence of one controller seed. Each comparison is (other − controller) on the test error,
  /// so an interval above zero means the other is worse.
  public struct Evidence: Sendable {
    public var blockShuffled: Stats.Paired?
    /// Full shuffle − block shuffle.
    public var fullVersusBlock: Stats.Paired?
    /// Per clamped group: clamped − controller.
    public var clamps: [(group: String, comparison: Stats.Paired?)]
    /// Untrained controller − controller.
    public var untrained: Stats.Paired?
    public var ratio: Double
    public var untrainedRatio: Double?

    public init(
      blockShuffled: Stats.Paired?, fullVersusBlock: Stats.Paired?,
      clamps: [(group: String, comparison: Stats.Paired?)],
      untrained: Stats.Paired?, ratio: Double, untrainedRatio: Double?
    ) {
      self.blockShuffled = blockShuffled
      self.fullVersusBlock = fullVersusBlock
      self.clamps = clamps
      self.untrained = untrained
      self.ratio = ratio
      self.untrainedRatio = untrainedRatio
    }
  }

  /// The verdict of one controller seed (rules above).
  public static func decide(_ e: Evidence) -> LearnedVerdict {
    func hurts(_ p: Stats.Paired?) -> Bool { (p?.low ?? -1) > 0 }
    if hurts(e.blockShuffled) || e.clamps.contains(where: { $0.group != "progress" && hurts($0.comparison) }) {
      return .stateDependent
    }
    if hurts(e.fullVersusBlock) || e.clamps.contains(where: { $0.group == "progress" && hurts($0.comparison) }) {
      return .schedule
    }
    if hurts(e.untrained) || abs(e.ratio - (e.untrainedRatio ?? e.ratio)) >= 0.05 { return .ratio }
    return .nothing
  }
}
