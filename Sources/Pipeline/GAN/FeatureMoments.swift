/// Per-feature sums of the controller features over the steps of some runs (their mean and SD);
/// non-finite values are left out of their feature's count.
struct FeatureMoments: Codable, Sendable {
  var counts: [Int]
  var sums: [Double]
  var squares: [Double]

  init(width: Int) {
    counts = [Int](repeating: 0, count: width)
    sums = [Double](repeating: 0, count: width)
    squares = sums
  }

  /// The moments of `features` (steps × `width`, row-major).
  init(_ features: [Float], width: Int) {
    self.init(width: width)
    guard width > 0 else { return }
    for (i, x) in features.enumerated() where x.isFinite {
      counts[i % width] += 1
      sums[i % width] += Double(x)
      squares[i % width] += Double(x) * Double(x)
    }
  }

  func adding(_ other: FeatureMoments) -> FeatureMoments {
    var m = self
    for i in m.sums.indices where i < other.sums.count {
      m.counts[i] += other.counts[i]
      m.sums[i] += other.sums[i]
      m.squares[i] += other.squares[i]
    }
    return m
  }

  var means: [Float] { zip(sums, counts).map { s, n in n > 0 ? Float(s / Double(n)) : 0 } }
  var sds: [Float] {
    sums.indices.map { i in
      let n = Double(counts[i])
      guard n > 1 else { return 1 }
      let mean = sums[i] / n
      return Float(max(0, squares[i] / n - mean * mean).squareRoot())
    }
  }
}
