import Foundation

/// Comparisons of AutoLoss with a baseline, in words computed from means, standard deviations and n.
enum ReportVerdict {
  /// "beats DGS (4.0312 ± 0.0100, n=10) by 0.0050 = 1.3× the combined standard error 0.0038", or says
  /// plainly that it does not.
  static func compare(
    _ auto: StoredMethodResult, _ other: StoredMethodResult, lowerIsBetter: Bool, digits: Int = 4
  ) -> String {
    let diff = lowerIsBetter ? other.mean - auto.mean : auto.mean - other.mean
    let se = auto.standardError(with: other)
    let theirs = "\(other.method) (\(ReportFormat.meanStd(other.mean, other.std, digits: digits)), n=\(other.n))"
    guard diff.isFinite else { return "cannot be compared with \(theirs): a mean is missing" }
    let d = ReportFormat.number(abs(diff), digits: digits)
    let seText = ReportFormat.number(se, digits: digits)
    let ratio = se > 0 ? String(format: "%.1f×", abs(diff) / se) : "∞×"
    if diff > 0 && (se == 0 || diff > se) {
      return "beats \(theirs) by \(d), \(ratio) the combined standard error \(seText)"
    }
    if diff > 0 {
      return "is ahead of \(theirs) by \(d), within the combined standard error \(seText) (\(ratio)): not a clear win"
    }
    if diff == 0 { return "ties \(theirs)" }
    return "does NOT beat \(theirs): behind by \(d) (\(ratio) the combined standard error \(seText))"
  }

  /// The best row by mean among `rows` (lowest or highest), ignoring NaN.
  static func best(_ rows: [StoredMethodResult], lowerIsBetter: Bool) -> StoredMethodResult? {
    rows.filter { $0.mean.isFinite }.min { lowerIsBetter ? $0.mean < $1.mean : $0.mean > $1.mean }
  }
}
