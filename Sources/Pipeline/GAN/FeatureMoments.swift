/// Per-feature sums of the controller features over the steps of some runs (their mean and SD).
struct FeatureMoments: Codable, Sendable {
  var count = 0
  var sums: [Double]
  var squares: [Double]

  init(width: Int) {
    sums = [Double](repeating: 0, count: width)
    squares = sums
  }

  /// The moments of `features` (steps × `width`, row-major).
  init(_ features: [Float], width: Int) {
    self.init(width: width)
    guard width > 0 else { return }
    for (i, x) in features.enumerated() where x.isFinite {
      sums[i % width] += Double(x)
      squares[i % width] += Double(x) * Double(x)
    }
    count = features.count / width
  }

  func adding(_ other: FeatureMoments) -> FeatureMoments {
    var m = self
    m.count += other.count
    for i in m.sums.indices where i < other.sums.count {
      m.sums[i] += other.sums[i]
      m.squares[i] += other.squares[i]
    }
    return m
  }

  var means: [Float] { sums.map { count > 0 ? Float($0 / Double(count)) : 0 } }
  var sds: [Float] {
    zip(sums, squares).map { s, q in
      guard count > 1 else { return 1 }
      let mean = s / Double(count)
      return Float(max(0, q / Double(count) - mean * mean).squareRoot())
    }
  }
}
