import Engine

/// Inputs `[n, d]` and targets `[n, 1]` of a regression partition.
public struct RegressionSplit: Sendable, Equatable {
  public var inputs: Tensor
  public var targets: Tensor
  public var count: Int { inputs.shape[0] }

  public init(inputs: Tensor, targets: Tensor) {
    self.inputs = inputs
    self.targets = targets
  }
}

/// The paper's regression data with its generating weights.
public struct RegressionData: Sendable, Equatable {
  public var splits: FiveWaySplit<RegressionSplit>
  /// The true weights w, shape `[d]`; `v - w·u` is the noise, so the MSE of w is the noise floor.
  public var trueWeights: Tensor
  /// The noise standard deviation (2 in the paper's code, so the floor is about 4).
  public var noiseStd: Float
}

/// Task 1 data (paper-spec section 2): d = 16, w ~ U[-0.5, 0.5]^d drawn once from the seed,
/// u ~ U[-5, 5]^d, v = w·u + N(0, noiseStd²), five partitions of `splitSize` samples each.
public enum SyntheticRegression {
  /// Generates all partitions from one seeded stream: w first, then the samples of the
  /// partitions in order (controller train, controller val, task train, task val, test).
  public static func generate(
    seed: UInt64 = 1, dimension: Int = 16, splitSize: Int = 200, noiseStd: Float = 2
  ) -> RegressionData {
    var rng = SeededRandom(seed: seed)
    let w = (0..<dimension).map { _ in rng.uniform(-0.5, 0.5) }
    func split() -> RegressionSplit {
      var u = [Float](repeating: 0, count: splitSize * dimension)
      var v = [Float](repeating: 0, count: splitSize)
      for i in 0..<splitSize {
        var dot: Float = 0
        for j in 0..<dimension {
          let x = rng.uniform(-5, 5)
          u[i * dimension + j] = x
          dot += w[j] * x
        }
        v[i] = dot + rng.normal(std: noiseStd)
      }
      return RegressionSplit(
        inputs: Tensor(shape: [splitSize, dimension], data: u), targets: Tensor(shape: [splitSize, 1], data: v))
    }
    let a = split()
    let b = split()
    let c = split()
    let d = split()
    let e = split()
    return RegressionData(
      splits: FiveWaySplit(controllerTrain: a, controllerValid: b, taskTrain: c, taskValid: d, test: e),
      trueWeights: Tensor(shape: [dimension], data: w), noiseStd: noiseStd)
  }

  /// Mean squared error of the linear predictor `w` on a partition (the noise floor for the true w).
  public static func mse(of w: Tensor, on split: RegressionSplit) -> Float {
    let d = w.count
    var total: Double = 0
    for i in 0..<split.count {
      var p: Float = 0
      for j in 0..<d { p += w.data[j] * split.inputs.data[i * d + j] }
      let e = Double(p - split.targets.data[i])
      total += e * e
    }
    return Float(total / Double(max(split.count, 1)))
  }
}
