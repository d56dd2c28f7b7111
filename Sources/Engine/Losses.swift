import Foundation

// Loss functions. Each returns a scalar ``Variable`` (shape `[]`).

/// Mean squared error: mean((prediction - target)²) over all elements.
public func mseLoss(_ prediction: Variable, _ target: Tensor) -> Variable {
  precondition(prediction.value.count == target.count, "mse of \(prediction.shape) against \(target.shape)")
  let p = prediction.value
  let n = Float(max(p.count, 1))
  var s: Float = 0
  p.data.withUnsafeBufferPointer { pp in
    target.data.withUnsafeBufferPointer { tp in
      for i in 0..<pp.count {
        let d = pp[i] - tp[i]
        s += d * d
      }
    }
  }
  return Variable.make(Tensor(scalar: s / n), [prediction]) { g in
    let k = 2 * g.scalar / n
    var d = [Float](repeating: 0, count: p.count)
    p.data.withUnsafeBufferPointer { pp in
      target.data.withUnsafeBufferPointer { tp in
        d.withUnsafeMutableBufferPointer { dp in
          for i in 0..<dp.count { dp[i] = k * (pp[i] - tp[i]) }
        }
      }
    }
    prediction.accumulate(Tensor(shape: p.shape, data: d))
  }
}

/// The L1 penalty Σ|w| over every element of every parameter (subgradient 0 at 0).
public func l1Penalty(_ parameters: [Variable]) -> Variable {
  var total: Float = 0
  for p in parameters { for v in p.value.data { total += abs(v) } }
  return Variable.make(Tensor(scalar: total), parameters) { g in
    let k = g.scalar
    for p in parameters where p.requiresGrad {
      p.accumulate(p.value.map { $0 > 0 ? k : ($0 < 0 ? -k : 0) })
    }
  }
}

/// Softmax cross-entropy of `logits[N, C]` against integer `labels[N]`, averaged over the rows
/// whose `mask` is non-zero (all rows when `mask` is nil). Padded tokens get mask 0.
///
/// Fused: when the tape records, the forward pass writes the gradient (softmax − one-hot) · mask / Σ mask
/// while each row's exponentials are in cache, and the backward pass only scales it by the incoming
/// gradient; without recording only each row's log-sum-exp is computed. Rows with mask 0 cost nothing
/// beyond a zero fill (their gradient is 0).
public func softmaxCrossEntropy(_ logits: Variable, labels: [Int], mask: [Float]? = nil) -> Variable {
  precondition(logits.rank == 2, "softmaxCrossEntropy needs logits [N, C], got \(logits.shape)")
  let (n, c) = (logits.shape[0], logits.shape[1])
  precondition(labels.count == n, "\(labels.count) labels for \(n) rows")
  if let mask { precondition(mask.count == n, "\(mask.count) mask entries for \(n) rows") }
  let weights = mask ?? [Float](repeating: 1, count: n)
  for r in 0..<n where weights[r] != 0 {
    precondition(labels[r] >= 0 && labels[r] < c, "label \(labels[r]) outside 0..<\(c)")
  }
  let weightSum = weights.reduce(0, +)
  let denom = max(weightSum, 1e-12)
  let recording = logits.requiresGrad && GradMode.isEnabled
  var loss: Float = 0
  // row r of `gradient` (or the one-row scratch) first holds e^(x − max), then the row's gradient
  let gradient = [Float](unsafeUninitializedCapacity: recording ? n * c : 0) { buf, count in
    logits.value.data.withUnsafeBufferPointer { px in
      let scratch = recording ? nil : UnsafeMutablePointer<Float>.allocate(capacity: max(c, 1))
      defer { scratch?.deallocate() }
      for r in 0..<n {
        let w = weights[r]
        let out = scratch ?? buf.baseAddress! + r * c
        guard w != 0 else {
          if scratch == nil { out.update(repeating: 0, count: c) }
          continue
        }
        let row = px.baseAddress! + r * c
        let m = SeqMath.max(row, c)
        for j in 0..<c { out[j] = SeqMath.exp(row[j] - m) }
        let total = SeqMath.sum(out, c)
        loss -= w * (row[labels[r]] - m - Foundation.log(total))
        if scratch == nil {
          let kw = w / denom
          let scale = kw / total
          for j in 0..<c { out[j] *= scale }
          out[labels[r]] -= kw
        }
      }
    }
    count = recording ? n * c : 0
  }
  return Variable.make(Tensor(scalar: weightSum > 0 ? loss / denom : 0), [logits]) { g in
    let k = g.scalar
    let scaled = k == 1 ? gradient : gradient.map { $0 * k }
    logits.accumulate(Tensor(shape: [n, c], data: scaled))
  }
}

/// Binary cross-entropy on logits, averaged over all elements:
/// mean(max(x, 0) - x·t + log(1 + e^-|x|)).
public func bceWithLogits(_ logits: Variable, targets: Tensor) -> Variable {
  precondition(logits.value.count == targets.count, "bce of \(logits.shape) against \(targets.shape)")
  let x = logits.value
  let n = Float(max(x.count, 1))
  var s: Float = 0
  for i in 0..<x.count {
    let v = x.data[i]
    s += max(v, 0) - v * targets.data[i] + log1p(exp(-abs(v)))
  }
  return Variable.make(Tensor(scalar: s / n), [logits]) { g in
    let k = g.scalar / n
    var d = [Float](repeating: 0, count: x.count)
    for i in 0..<d.count { d[i] = k * (stableSigmoid(x.data[i]) - targets.data[i]) }
    logits.accumulate(Tensor(shape: x.shape, data: d))
  }
}

/// Binary cross-entropy on logits against a constant target for every element.
public func bceWithLogits(_ logits: Variable, target: Float) -> Variable {
  bceWithLogits(logits, targets: Tensor(shape: logits.shape, repeating: target))
}
