import Engine

/// Features `[n, f]` and class labels of a classification partition.
public struct ClassificationSplit: Sendable, Equatable {
  public var features: Tensor
  public var labels: [Int]
  public var count: Int { labels.count }

  public init(features: Tensor, labels: [Int]) {
    self.features = features
    self.labels = labels
  }

  /// Rows `range` of the partition.
  public func slice(_ range: Range<Int>) -> ClassificationSplit {
    ClassificationSplit(features: features.slice(rows: range), labels: Array(labels[range]))
  }
}

/// The settings of scikit-learn's `make_classification` (same names and defaults, except that the
/// random state is a seeded generator).
public struct MakeClassification: Sendable, Equatable {
  public var samples = 100
  public var features = 20
  public var informative = 2
  public var redundant = 2
  public var repeated = 0
  public var classes = 2
  public var clustersPerClass = 2
  /// Class weights; nil means balanced.
  public var weights: [Double]? = nil
  public var flipY: Double = 0.01
  public var classSep: Float = 1
  public var hypercube = true
  /// Added to every feature; nil draws `(2 U - 1) * classSep` per feature (sklearn's `shift=None`).
  public var shift: Float? = 0
  /// Multiplies every feature; nil draws `1 + 100 U` per feature (sklearn's `scale=None`).
  public var scale: Float? = 1
  public var shuffle = true

  public init() {}

  /// The paper's task 2 settings (paper-spec section 3): 32 features, 2 informative,
  /// 2 redundant, 2 clusters per class, class_sep 1, flip_y 0.01, hypercube.
  public static func paper(samples: Int) -> MakeClassification {
    var p = MakeClassification()
    p.samples = samples
    p.features = 32
    p.informative = 2
    p.redundant = 2
    p.clustersPerClass = 2
    return p
  }
}

/// The output of `make_classification`, with where each kind of column ended up after the
/// column shuffle.
public struct ClassificationData: Sendable, Equatable {
  public var data: ClassificationSplit
  /// Columns holding the informative features.
  public var informativeColumns: [Int]
  /// Columns holding the redundant (linear combinations of informative) features.
  public var redundantColumns: [Int]
  /// Columns holding pure N(0, 1) noise.
  public var noiseColumns: [Int]
}

/// scikit-learn's `make_classification` algorithm (Guyon's Madelon design) in Swift: not
/// bit-identical to numpy, but the same steps in the same order.
public enum SyntheticClassification {
  /// Partition sizes of the paper's code: ctrl train 200, ctrl val 1000, task train 200,
  /// task val 1000, test 1000.
  public static let paperSplitSizes = [200, 1000, 200, 1000, 1000]

  /// The task 2 data: one `make_classification` draw of 3400 samples with the paper's settings,
  /// cut in order into the five partitions. Different seeds give the transfer datasets.
  public static func paperSplits(seed: UInt64 = 1) throws -> FiveWaySplit<ClassificationSplit> {
    var rng = SeededRandom(seed: seed)
    let all = try makeClassification(.paper(samples: paperSplitSizes.reduce(0, +)), rng: &rng).data
    var parts: [ClassificationSplit] = []
    var start = 0
    for n in paperSplitSizes {
      parts.append(all.slice(start..<(start + n)))
      start += n
    }
    return FiveWaySplit(
      controllerTrain: parts[0], controllerValid: parts[1], taskTrain: parts[2], taskValid: parts[3], test: parts[4])
  }

  /// Generates a random n-class problem:
  /// 1. the clusters' centroids are distinct random vertices of the informative-dimension
  ///    hypercube with side 2·classSep (scaled by random factors when `hypercube` is false);
  /// 2. informative features are N(0, 1) draws, multiplied per cluster by a random matrix
  ///    A = 2U - 1 and shifted by the centroid;
  /// 3. redundant features are informative · B with B = 2U - 1; repeated features copy random
  ///    earlier columns; the rest are N(0, 1) noise;
  /// 4. a fraction `flipY` of labels is replaced by random classes;
  /// 5. features are shifted and scaled, then rows and columns are shuffled.
  public static func makeClassification(
    _ p: MakeClassification, rng: inout SeededRandom
  ) throws -> ClassificationData {
    let origin = "make_classification"
    guard p.informative + p.redundant + p.repeated <= p.features else {
      throw DatasetError.unexpected(
        origin, expected: "informative + redundant + repeated <= features (\(p.features))",
        found: "\(p.informative + p.redundant + p.repeated)")
    }
    let clusters = p.classes * p.clustersPerClass
    guard p.informative >= 1, p.informative < 63, p.classes >= 1, clusters <= 1 << p.informative else {
      throw DatasetError.unexpected(
        origin, expected: "classes * clusters_per_class <= 2^informative",
        found: "\(clusters) clusters for \(p.informative) informative features")
    }
    if let w = p.weights, w.count != p.classes && w.count != p.classes - 1 {
      throw DatasetError.unexpected(origin, expected: "\(p.classes) or \(p.classes - 1) weights", found: "\(w.count)")
    }
    let n = p.samples
    let f = p.features
    let ni = p.informative
    let nr = p.redundant
    let useless = f - ni - nr - p.repeated

    // Samples per cluster: proportional to the class weight, remainder dealt round-robin.
    var weights = p.weights ?? Array(repeating: 1 / Double(p.classes), count: p.classes)
    if weights.count == p.classes - 1 { weights.append(1 - weights.reduce(0, +)) }
    var perCluster = (0..<clusters).map { k in
      Int(Double(n) * weights[k % p.classes] / Double(p.clustersPerClass))
    }
    for i in 0..<max(0, n - perCluster.reduce(0, +)) { perCluster[i % clusters] += 1 }

    // Centroids on distinct hypercube vertices.
    var chosen: [UInt64] = []
    var seen = Set<UInt64>()
    while chosen.count < clusters {
      let v = rng.next() & ((1 << UInt64(ni)) - 1)
      if seen.insert(v).inserted { chosen.append(v) }
    }
    var centroids = chosen.map { v in
      (0..<ni).map { j in Float((v >> UInt64(ni - 1 - j)) & 1) * 2 * p.classSep - p.classSep }
    }
    if !p.hypercube {
      let perClusterScale = (0..<clusters).map { _ in rng.uniform() }
      let perDimScale = (0..<ni).map { _ in rng.uniform() }
      for k in 0..<clusters { for j in 0..<ni { centroids[k][j] *= perClusterScale[k] * perDimScale[j] } }
    }

    var x = [Float](repeating: 0, count: n * f)
    var y = [Int](repeating: 0, count: n)
    for i in 0..<n { for j in 0..<ni { x[i * f + j] = rng.normal() } }
    var start = 0
    for k in 0..<clusters {
      let stop = start + perCluster[k]
      let a = (0..<(ni * ni)).map { _ in 2 * rng.uniform() - 1 }
      for i in start..<stop {
        y[i] = k % p.classes
        let row = (0..<ni).map { x[i * f + $0] }
        for j in 0..<ni {
          var s: Float = 0
          for m in 0..<ni { s += row[m] * a[m * ni + j] }
          x[i * f + j] = s + centroids[k][j]
        }
      }
      start = stop
    }
    if nr > 0 {
      let b = (0..<(ni * nr)).map { _ in 2 * rng.uniform() - 1 }
      for i in 0..<n {
        for j in 0..<nr {
          var s: Float = 0
          for m in 0..<ni { s += x[i * f + m] * b[m * nr + j] }
          x[i * f + ni + j] = s
        }
      }
    }
    if p.repeated > 0 {
      let source = (0..<p.repeated).map { _ in rng.int(below: ni + nr) }
      for i in 0..<n { for (r, c) in source.enumerated() { x[i * f + ni + nr + r] = x[i * f + c] } }
    }
    if useless > 0 {
      for i in 0..<n { for j in (f - useless)..<f { x[i * f + j] = rng.normal() } }
    }
    if p.flipY >= 0 {
      let flip = (0..<n).map { _ in rng.uniformDouble() < p.flipY }
      for i in 0..<n where flip[i] { y[i] = rng.int(below: p.classes) }
    }
    let shift = (0..<f).map { _ in p.shift ?? (2 * rng.uniform() - 1) * p.classSep }
    let scale = (0..<f).map { _ in p.scale ?? 1 + 100 * rng.uniform() }
    for i in 0..<n { for j in 0..<f { x[i * f + j] = (x[i * f + j] + shift[j]) * scale[j] } }

    var columns = Array(0..<f)  // columns[c] = original column now at c
    if p.shuffle {
      let rows = rng.permutation(n)
      var xs = [Float](repeating: 0, count: n * f)
      for (to, from) in rows.enumerated() {
        for j in 0..<f { xs[to * f + j] = x[from * f + j] }
      }
      y = rows.map { y[$0] }
      columns = rng.permutation(f)
      x = [Float](repeating: 0, count: n * f)
      for i in 0..<n { for c in 0..<f { x[i * f + c] = xs[i * f + columns[c]] } }
    }
    func positions(_ original: Range<Int>) -> [Int] { (0..<f).filter { original.contains(columns[$0]) } }
    return ClassificationData(
      data: ClassificationSplit(features: Tensor(shape: [n, f], data: x), labels: y),
      informativeColumns: positions(0..<ni), redundantColumns: positions(ni..<(ni + nr)),
      noiseColumns: positions((f - useless)..<f))
  }
}
