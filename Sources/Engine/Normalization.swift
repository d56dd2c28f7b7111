import Foundation

// Batch normalization over axis 1: per feature for [N, F], per channel for [N, C, H, W]
// (any [N, C, ...] works: statistics are taken over every axis except 1).

/// Views a shape `[N, C, rest...]` as `(N, C, S)` with S = Π rest.
@inline(__always)
private func channelView(_ shape: [Int]) -> (Int, Int, Int) {
  precondition(shape.count >= 2, "batch norm needs [N, C, ...], got \(shape)")
  return (shape[0], shape[1], shape.dropFirst(2).reduce(1, *))
}

/// Per-channel mean and biased variance of `x[N, C, S]` (two passes, Double accumulation across segments).
private func channelMoments(_ x: UnsafePointer<Float>, n: Int, c: Int, s: Int) -> (mean: [Float], variance: [Float]) {
  let m = Double(n * s)
  var mean = [Float](repeating: 0, count: c)
  var variance = [Float](repeating: 0, count: c)
  for ch in 0..<c {
    var total: Double = 0
    for img in 0..<n {
      let row = x + (img * c + ch) * s
      var acc: Float = 0
      for t in 0..<s { acc += row[t] }
      total += Double(acc)
    }
    let mu = Float(total / m)
    var sq: Double = 0
    for img in 0..<n {
      let row = x + (img * c + ch) * s
      var acc: Float = 0
      for t in 0..<s {
        let d = row[t] - mu
        acc += d * d
      }
      sq += Double(acc)
    }
    mean[ch] = mu
    variance[ch] = Float(sq / m)
  }
  return (mean, variance)
}

/// y = gamma[c]·xhat + beta[c] with xhat = (x − mean[c])·invStd[c]; returns y and xhat.
private func normalize(
  _ x: Tensor, mean: [Float], invStd: [Float], gamma: Tensor, beta: Tensor
) -> (y: [Float], xhat: [Float]) {
  let (n, c, s) = channelView(x.shape)
  var xhat = [Float](repeating: 0, count: x.count)
  var y = [Float](repeating: 0, count: x.count)
  x.data.withUnsafeBufferPointer { px in
    xhat.withUnsafeMutableBufferPointer { ph in
      y.withUnsafeMutableBufferPointer { py in
        for img in 0..<n {
          for ch in 0..<c {
            let off = (img * c + ch) * s
            let (src, h, dst) = (px.baseAddress! + off, ph.baseAddress! + off, py.baseAddress! + off)
            let (mu, k, gm, bt) = (mean[ch], invStd[ch], gamma.data[ch], beta.data[ch])
            for t in 0..<s {
              let v = (src[t] - mu) * k
              h[t] = v
              dst[t] = gm * v + bt
            }
          }
        }
      }
    }
  }
  return (y, xhat)
}

/// Per-channel Σ g and Σ g·xhat over N and the trailing axes.
private func channelGradSums(_ g: Tensor, _ xhat: [Float]) -> (sumG: [Float], sumGX: [Float]) {
  let (n, c, s) = channelView(g.shape)
  var sumG = [Float](repeating: 0, count: c)
  var sumGX = [Float](repeating: 0, count: c)
  g.data.withUnsafeBufferPointer { pg in
    xhat.withUnsafeBufferPointer { ph in
      for img in 0..<n {
        for ch in 0..<c {
          let off = (img * c + ch) * s
          let (gs, hs) = (pg.baseAddress! + off, ph.baseAddress! + off)
          var (a, b): (Float, Float) = (0, 0)
          for t in 0..<s {
            a += gs[t]
            b += gs[t] * hs[t]
          }
          sumG[ch] += a
          sumGX[ch] += b
        }
      }
    }
  }
  return (sumG, sumGX)
}

/// Batch normalization in training mode, with the statistics of the batch:
/// y = gamma[c]·(x − μ[c]) / √(σ²[c] + eps) + beta[c], μ and σ² (biased, divided by M) taken over every
/// axis but 1 (M = N·Π rest elements per channel).
///
/// - Parameters: x `[N, C, ...]`, gamma `[C]`, beta `[C]`.
/// - Returns: y (shape of x), the batch mean `[C]` and the biased batch variance `[C]`.
///
/// Backward: dx = gamma·invStd·(g − Σg/M − xhat·Σ(g·xhat)/M), dgamma = Σ g·xhat, dbeta = Σ g.
public func batchNorm(
  _ x: Variable, gamma: Variable, beta: Variable, eps: Float = 1e-5
) -> (output: Variable, mean: Tensor, variance: Tensor) {
  let (n, c, s) = channelView(x.shape)
  precondition(
    gamma.shape == [c] && beta.shape == [c], "batch norm gamma \(gamma.shape), beta \(beta.shape) for \(x.shape)")
  let (mean, variance) = x.value.data.withUnsafeBufferPointer { channelMoments($0.baseAddress!, n: n, c: c, s: s) }
  let invStd = variance.map { 1 / ($0 + eps).squareRoot() }
  let gv = gamma.value
  let (y, xhat) = normalize(x.value, mean: mean, invStd: invStd, gamma: gv, beta: beta.value)
  let shape = x.shape
  let out = Variable.make(Tensor(shape: shape, data: y), [x, gamma, beta]) { g in
    let (sumG, sumGX) = channelGradSums(g, xhat)
    if gamma.requiresGrad { gamma.accumulate(Tensor(shape: [c], data: sumGX)) }
    if beta.requiresGrad { beta.accumulate(Tensor(shape: [c], data: sumG)) }
    guard x.requiresGrad else { return }
    let invM = 1 / Float(n * s)
    var dx = [Float](repeating: 0, count: g.count)
    g.data.withUnsafeBufferPointer { pg in
      xhat.withUnsafeBufferPointer { ph in
        dx.withUnsafeMutableBufferPointer { pd in
          for img in 0..<n {
            for ch in 0..<c {
              let off = (img * c + ch) * s
              let (gs, hs, d) = (pg.baseAddress! + off, ph.baseAddress! + off, pd.baseAddress! + off)
              let k = gv.data[ch] * invStd[ch]
              let (mg, mgx) = (sumG[ch] * invM, sumGX[ch] * invM)
              for t in 0..<s { d[t] = k * (gs[t] - mg - hs[t] * mgx) }
            }
          }
        }
      }
    }
    x.accumulate(Tensor(shape: shape, data: dx))
  }
  return (out, Tensor(shape: [c], data: mean), Tensor(shape: [c], data: variance))
}

/// Batch normalization in evaluation mode, with fixed statistics:
/// y = gamma[c]·(x − mean[c]) / √(variance[c] + eps) + beta[c]; x `[N, C, ...]`, the rest `[C]`.
public func batchNorm(
  _ x: Variable, gamma: Variable, beta: Variable, mean: Tensor, variance: Tensor, eps: Float = 1e-5
) -> Variable {
  let (_, c, _) = channelView(x.shape)
  precondition(
    gamma.shape == [c] && beta.shape == [c], "batch norm gamma \(gamma.shape), beta \(beta.shape) for \(x.shape)")
  precondition(mean.shape == [c] && variance.shape == [c], "batch norm statistics \(mean.shape), \(variance.shape)")
  let invStd = variance.data.map { 1 / ($0 + eps).squareRoot() }
  let gv = gamma.value
  let (y, xhat) = normalize(x.value, mean: mean.data, invStd: invStd, gamma: gv, beta: beta.value)
  let shape = x.shape
  return Variable.make(Tensor(shape: shape, data: y), [x, gamma, beta]) { g in
    let (n, c, s) = channelView(shape)
    if gamma.requiresGrad || beta.requiresGrad {
      let (sumG, sumGX) = channelGradSums(g, xhat)
      if gamma.requiresGrad { gamma.accumulate(Tensor(shape: [c], data: sumGX)) }
      if beta.requiresGrad { beta.accumulate(Tensor(shape: [c], data: sumG)) }
    }
    guard x.requiresGrad else { return }
    var dx = [Float](repeating: 0, count: g.count)
    g.data.withUnsafeBufferPointer { pg in
      dx.withUnsafeMutableBufferPointer { pd in
        for img in 0..<n {
          for ch in 0..<c {
            let off = (img * c + ch) * s
            let (gs, d) = (pg.baseAddress! + off, pd.baseAddress! + off)
            let k = gv.data[ch] * invStd[ch]
            for t in 0..<s { d[t] = k * gs[t] }
          }
        }
      }
    }
    x.accumulate(Tensor(shape: shape, data: dx))
  }
}

/// A batch-normalization layer over axis 1: per feature for `[N, F]`, per channel for `[N, C, H, W]`.
///
/// Training mode (`training == true`) normalizes with the batch mean and biased batch variance and then
/// updates the running statistics with PyTorch's convention:
/// running = (1 − momentum)·running + momentum·batch, where the running variance takes the unbiased batch
/// variance (·M/(M − 1)). PyTorch's default momentum 0.1 is TensorFlow's decay 0.9; TensorFlow's decay
/// 0.95 is momentum 0.05. Evaluation mode normalizes with the running statistics and leaves them alone.
/// Parameters: `gamma` `[F]` (ones) and `beta` `[F]` (zeros), named "gamma" and "beta".
public final class BatchNorm: Module {
  /// Scale `[features]`.
  public let gamma: Variable
  /// Shift `[features]`.
  public let beta: Variable
  /// Running mean `[features]` (starts at 0).
  public var runningMean: Tensor
  /// Running (unbiased) variance `[features]` (starts at 1).
  public var runningVariance: Tensor
  /// Weight of the new batch in the running statistics (PyTorch convention).
  public let momentum: Float
  /// Added to the variance before the square root.
  public let eps: Float
  /// Batch statistics (true) or running statistics (false).
  public var training: Bool

  /// Creates the layer for `features` channels (dimension 1 of the input).
  ///
  /// - Parameters:
  ///   - features: Channels F.
  ///   - momentum: Weight of the new batch in the running statistics, in [0, 1].
  ///   - eps: Added to the variance before the square root.
  ///   - training: Start in training mode (batch statistics).
  public init(_ features: Int, momentum: Float = 0.1, eps: Float = 1e-5, training: Bool = true) {
    precondition(features > 0 && momentum >= 0 && momentum <= 1, "BatchNorm(\(features), momentum: \(momentum))")
    gamma = Variable(Tensor.ones([features]), requiresGrad: true, name: "gamma")
    beta = Variable(Tensor.zeros([features]), requiresGrad: true, name: "beta")
    runningMean = Tensor.zeros([features])
    runningVariance = Tensor.ones([features])
    self.momentum = momentum
    self.eps = eps
    self.training = training
  }

  /// `gamma` and `beta`.
  public var namedParameters: [(String, Variable)] { [("gamma", gamma), ("beta", beta)] }

  /// The running statistics by name, for checkpoints.
  public var namedBuffers: [(String, Tensor)] {
    [("running_mean", runningMean), ("running_var", runningVariance)]
  }

  /// Normalizes `x[N, features, ...]`; in training mode also updates the running statistics.
  public func callAsFunction(_ x: Variable) -> Variable {
    guard training else {
      return batchNorm(x, gamma: gamma, beta: beta, mean: runningMean, variance: runningVariance, eps: eps)
    }
    let (out, mean, variance) = batchNorm(x, gamma: gamma, beta: beta, eps: eps)
    let m = x.value.count / max(x.shape[1], 1)
    precondition(m > 1, "BatchNorm in training mode needs more than one value per channel, got \(x.shape)")
    let bessel = Float(m) / Float(m - 1)
    for i in 0..<runningMean.count {
      runningMean.data[i] = (1 - momentum) * runningMean.data[i] + momentum * mean.data[i]
      runningVariance.data[i] = (1 - momentum) * runningVariance.data[i] + momentum * variance.data[i] * bessel
    }
    return out
  }
}
