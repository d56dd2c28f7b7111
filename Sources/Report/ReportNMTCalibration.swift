import Foundation
import Statistics
import Store

/// The NMT regime calibration as the NMT baselines stage stores it (`/calibration`): constant mixes
/// P(MT) against MT only (the last candidate) on shared seeds, with the stage's verdict.
struct StoredNMTCalibration {
  /// P(MT) of each candidate, MT only (1) last.
  var grid: [Float]
  /// Per candidate, per seed: MT validation perplexity (whole split, best checkpoint).
  var validation: [[Float]]
  /// The stored best P(MT), verdict and whether any mix beat MT only.
  var bestMix: Float
  var verdict: String
  var anyMixBeatsMTOnly: Bool

  var reference: Int { grid.count - 1 }

  /// Mean, sample standard deviation (NaN for one run) and count of candidate i's finite values.
  func meanSD(_ i: Int) -> (mean: Double, sd: Double, n: Int) {
    let x = validation[i].map(Double.init).filter(\.isFinite)
    guard !x.isEmpty else { return (.nan, .nan, 0) }
    let (m, sd) = GANStats.meanSD(x)
    return (m, x.count > 1 ? sd : .nan, x.count)
  }

  /// Candidate i − MT only, paired by seed (validation perplexity).
  func paired(_ i: Int) -> NMTPairedDifference { NMTPairedDifference(validation[i], validation[reference]) }

  /// Reads `/calibration`; nil when absent (a baselines artifact without the calibration runs). A
  /// group that is present but incomplete or inconsistent is an error naming the file.
  static func read(from root: HDF5Group) throws -> StoredNMTCalibration? {
    guard root.isGroup("calibration") else { return nil }
    let g = try root.group("calibration")
    let grid = try g.read("mt_probability", as: Float.self).values
    let val = try g.read("val_ppl", as: Float.self).values
    guard !grid.isEmpty, !val.isEmpty, val.count % grid.count == 0 else {
      throw ReportError(
        "\(root.file.path) /calibration: expected val_ppl with a non-zero multiple of \(grid.count) "
          + "mt_probability values, found \(val.count)")
    }
    let n = val.count / grid.count
    return StoredNMTCalibration(
      grid: grid, validation: grid.indices.map { Array(val[($0 * n)..<(($0 + 1) * n)]) },
      bestMix: Float(try g.attribute("best_mt_probability", as: Double.self)),
      verdict: try g.attributeString("verdict"),
      anyMixBeatsMTOnly: try g.attribute("any_mix_beats_mt_only", as: Int64.self) != 0)
  }
}
