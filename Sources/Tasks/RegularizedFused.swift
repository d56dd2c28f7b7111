import Engine
import Foundation

// Tape-free forward, backward and evaluation of the two regularized-task models. A controller
// episode runs thousands of tiny steps; building a tape for each costs more than the arithmetic, so
// the task step computes the task loss and its gradient here in preallocated buffers with the same
// formulas as the tape (`taskLoss(_:)` and `backward()`), which the tests compare against.

/// Reusable float buffers of a model's tape-free path, grown on demand and never shrunk.
final class FusedScratch {
  private var buffers: [UnsafeMutablePointer<Float>] = []
  private var capacities: [Int] = []

  /// Buffer `index` with room for at least `count` floats (its contents are unspecified).
  func buffer(_ index: Int, _ count: Int) -> UnsafeMutablePointer<Float> {
    while buffers.count <= index {
      buffers.append(UnsafeMutablePointer<Float>.allocate(capacity: 1))
      capacities.append(1)
    }
    if capacities[index] < count {
      buffers[index].deallocate()
      buffers[index] = UnsafeMutablePointer<Float>.allocate(capacity: count)
      capacities[index] = count
    }
    return buffers[index]
  }

  deinit { for b in buffers { b.deallocate() } }
}

extension Variable {
  /// Sets `grad` to `scale · source` (`value.count` floats), reusing the gradient's storage.
  func setGradient(_ source: UnsafePointer<Float>, scale: Float) {
    let n = value.count
    if grad?.shape != value.shape { grad = Tensor.zeros(value.shape) }
    grad!.data.withUnsafeMutableBufferPointer { g in
      for i in 0..<n { g[i] = scale * source[i] }
    }
  }

  /// Sets `grad` to λ·sign(value) (subgradient 0 at 0), the gradient of λ·Σ|w|; with `accumulate`
  /// adds it to the existing gradient instead.
  func setL1Gradient(lambda: Float, accumulate: Bool = false) {
    let n = value.count
    if grad?.shape != value.shape {
      grad = Tensor.zeros(value.shape)
    }
    value.data.withUnsafeBufferPointer { w in
      grad!.data.withUnsafeMutableBufferPointer { g in
        for i in 0..<n {
          let s: Float = w[i] > 0 ? lambda : (w[i] < 0 ? -lambda : 0)
          g[i] = accumulate ? g[i] + s : s
        }
      }
    }
  }
}

extension QuadraticRegressor {
  /// Predictions `[N]` into `out`: x·w1 + 0.1·Σ_j (x·W2)_j x_j per row; `xw2` receives x·W2 `[N, d]`.
  func forward(_ x: UnsafePointer<Float>, n: Int, out: UnsafeMutablePointer<Float>, xw2: UnsafeMutablePointer<Float>) {
    let d = w1.value.count
    w2.value.data.withUnsafeBufferPointer { pw2 in
      DNNL.gemm(transA: false, transB: false, m: n, n: d, k: d, x, pw2.baseAddress!, xw2)
    }
    w1.value.data.withUnsafeBufferPointer { pw1 in
      for i in 0..<n {
        let row = x + i * d
        let a = xw2 + i * d
        var linear: Float = 0
        var quadratic: Float = 0
        for j in 0..<d {
          linear += row[j] * pw1[j]
          quadratic += a[j] * row[j]
        }
        out[i] = linear + quadratic * 0.1
      }
    }
  }

  /// The MSE on `split` and, into each parameter's `grad`, `scale` times its gradient (the tape's
  /// `taskLoss(split).backward()` without the tape).
  public func taskLossAndGradient(_ split: SupervisedSplit, scale: Float = 1) -> Float {
    let (n, d) = (split.count, w1.value.count)
    let prediction = scratch.buffer(0, n)
    let xw2 = scratch.buffer(1, n * d)
    let weighted = scratch.buffer(2, n * d)
    let dw1 = scratch.buffer(3, d)
    let dw2 = scratch.buffer(4, d * d)
    var loss: Float = 0
    split.x.data.withUnsafeBufferPointer { px in
      split.y.data.withUnsafeBufferPointer { py in
        let x = px.baseAddress!
        forward(x, n: n, out: prediction, xw2: xw2)
        // residuals → dℓ/dŷ = 2(ŷ − y)/N
        let k = 2 / Float(max(n, 1))
        for i in 0..<n {
          let r = prediction[i] - py[i]
          loss += r * r
          prediction[i] = k * r
        }
        // dw1 = xᵀ·g;  dW2 = xᵀ·(0.1·g ⊙ x)
        for j in 0..<d { dw1[j] = 0 }
        for i in 0..<n {
          let g = prediction[i]
          let row = x + i * d
          let out = weighted + i * d
          let g10 = g * 0.1
          for j in 0..<d {
            dw1[j] += row[j] * g
            out[j] = g10 * row[j]
          }
        }
        DNNL.gemm(transA: true, transB: false, m: d, n: d, k: n, x, weighted, dw2)
      }
    }
    w1.setGradient(dw1, scale: scale)
    w2.setGradient(dw2, scale: scale)
    return loss / Float(max(n, 1))
  }

  /// The MSE on `split` without the tape.
  func fusedMSE(_ split: SupervisedSplit) -> Float {
    let (n, d) = (split.count, w1.value.count)
    let prediction = scratch.buffer(0, n)
    let xw2 = scratch.buffer(1, n * d)
    var s: Float = 0
    split.x.data.withUnsafeBufferPointer { px in
      split.y.data.withUnsafeBufferPointer { py in
        forward(px.baseAddress!, n: n, out: prediction, xw2: xw2)
        for i in 0..<n {
          let r = prediction[i] - py[i]
          s += r * r
        }
      }
    }
    return s / Float(max(n, 1))
  }
}

extension MLPClassifier {
  /// Hidden activations relu(x·W1 + b1) `[N, h]` into `hiddenOut` and logits `[N, C]` into `logits`.
  func forward(
    _ x: UnsafePointer<Float>, n: Int, hiddenOut: UnsafeMutablePointer<Float>, logits: UnsafeMutablePointer<Float>
  ) {
    let (input, h) = (hiddenLayer.weight.value.shape[0], hiddenLayer.weight.value.shape[1])
    let c = outputLayer.weight.value.shape[1]
    Self.dense(x, n: n, input: input, output: h, layer: hiddenLayer, out: hiddenOut)
    Self.relu(hiddenOut, n * h)
    Self.dense(UnsafePointer(hiddenOut), n: n, input: h, output: c, layer: outputLayer, out: logits)
  }

  /// out = x·W + b for x `[n, input]`.
  static func dense(
    _ x: UnsafePointer<Float>, n: Int, input: Int, output: Int, layer: Linear, out: UnsafeMutablePointer<Float>
  ) {
    layer.weight.value.data.withUnsafeBufferPointer { w in
      DNNL.gemm(transA: false, transB: false, m: n, n: output, k: input, x, w.baseAddress!, out)
    }
    if let bias = layer.bias {
      bias.value.data.withUnsafeBufferPointer { b in
        for i in 0..<n {
          let row = out + i * output
          for j in 0..<output { row[j] += b[j] }
        }
      }
    }
  }

  /// Mean softmax cross-entropy of `logits` `[n, c]`; with `gradient` also writes
  /// (softmax − one-hot)/n into it. Returns the loss and the number of wrong argmax predictions.
  /// Per row: e^(z − max) (1 for the maximum itself, so two classes need one exponential) and the
  /// log of their sum, taken for many rows at once as the log of a product in Double.
  static func crossEntropy(
    _ logits: UnsafePointer<Float>, n: Int, c: Int, labels: [Int], gradient: UnsafeMutablePointer<Float>?
  ) -> (loss: Float, wrong: Int) {
    var shifted: Double = 0  // Σ (z_label − max)
    var logTotals: Double = 0  // Σ log Σ_j e^(z_j − max)
    var product: Double = 1
    var wrong = 0
    let inverse = 1 / Float(max(n, 1))
    labels.withUnsafeBufferPointer { pl in
      for r in 0..<n {
        let row = logits + r * c
        var best = 0
        for j in 1..<max(c, 1) where row[j] > row[best] { best = j }
        let m = row[best]
        let label = pl[r]
        precondition(label >= 0 && label < c, "label \(label) outside 0..<\(c)")
        if best != label { wrong += 1 }
        shifted += Double(row[label] - m)
        var total: Float = 0
        if let gradient {
          let out = gradient + r * c
          for j in 0..<c {
            let e = j == best ? 1 : Foundation.exp(row[j] - m)
            out[j] = e
            total += e
          }
          let k = inverse / total
          for j in 0..<c { out[j] *= k }
          out[label] -= inverse
        } else {
          for j in 0..<c where j != best { total += Foundation.exp(row[j] - m) }
          total += 1
        }
        // total ∈ [1, c]: the product stays finite until it passes 1e200
        product *= Double(total)
        if product > 1e200 {
          logTotals += Foundation.log(product)
          product = 1
        }
      }
    }
    logTotals += Foundation.log(product)
    return (Float(logTotals - shifted) * inverse, wrong)
  }

  /// The cross-entropy on `split` and, into each parameter's `grad`, `scale` times its gradient
  /// (the tape's `taskLoss(split).backward()` without the tape).
  public func taskLossAndGradient(_ split: SupervisedSplit, scale: Float = 1) -> Float {
    let n = split.count
    let (input, h) = (hiddenLayer.weight.value.shape[0], hiddenLayer.weight.value.shape[1])
    let c = outputLayer.weight.value.shape[1]
    let hidden = scratch.buffer(0, n * h)
    let logits = scratch.buffer(1, n * c)
    let dLogits = scratch.buffer(2, n * c)
    let dHidden = scratch.buffer(3, n * h)
    let dW1 = scratch.buffer(4, input * h)
    let dW2 = scratch.buffer(5, h * c)
    let db1 = scratch.buffer(6, h)
    let db2 = scratch.buffer(7, c)
    var loss: Float = 0
    split.x.data.withUnsafeBufferPointer { px in
      let x = px.baseAddress!
      forward(x, n: n, hiddenOut: hidden, logits: logits)
      loss = Self.crossEntropy(logits, n: n, c: c, labels: split.labels, gradient: dLogits).loss
      // output layer: dW2 = Hᵀ·dZ, db2 = Σ dZ, dH = dZ·W2ᵀ masked by the ReLU
      DNNL.gemm(transA: true, transB: false, m: h, n: c, k: n, hidden, dLogits, dW2)
      Self.columnSums(dLogits, n: n, width: c, into: db2)
      outputLayer.weight.value.data.withUnsafeBufferPointer { w2 in
        DNNL.gemm(transA: false, transB: true, m: n, n: h, k: c, dLogits, w2.baseAddress!, dHidden)
      }
      Self.zeroWhereNotPositive(dHidden, mask: hidden, n * h)
      // hidden layer: dW1 = xᵀ·dH, db1 = Σ dH
      DNNL.gemm(transA: true, transB: false, m: input, n: h, k: n, x, dHidden, dW1)
      Self.columnSums(dHidden, n: n, width: h, into: db1)
    }
    hiddenLayer.weight.setGradient(dW1, scale: scale)
    hiddenLayer.bias?.setGradient(db1, scale: scale)
    outputLayer.weight.setGradient(dW2, scale: scale)
    outputLayer.bias?.setGradient(db2, scale: scale)
    return loss
  }

  /// The tape's ReLU max(x, 0) in place (NaN stays NaN), eight lanes at a time.
  static func relu(_ values: UnsafeMutablePointer<Float>, _ count: Int) {
    typealias V = SIMD8<Float>
    let rv = UnsafeMutableRawPointer(values)
    var i = 0
    while i + 8 <= count {
      let v = rv.loadUnaligned(fromByteOffset: i * 4, as: V.self)
      rv.storeBytes(of: v.replacing(with: 0, where: v .< 0), toByteOffset: i * 4, as: V.self)
      i += 8
    }
    while i < count {
      values[i] = Swift.max(values[i], 0)
      i += 1
    }
  }

  /// values[i] = 0 where mask[i] > 0 fails (the ReLU's backward mask on its output), eight
  /// lanes at a time without a branch per element (a branch on the sign mispredicts half the time).
  static func zeroWhereNotPositive(_ values: UnsafeMutablePointer<Float>, mask: UnsafePointer<Float>, _ count: Int) {
    typealias V = SIMD8<Float>
    let (rv, rm) = (UnsafeMutableRawPointer(values), UnsafeRawPointer(mask))
    var i = 0
    while i + 8 <= count {
      let m = rm.loadUnaligned(fromByteOffset: i * 4, as: V.self)
      let v = rv.loadUnaligned(fromByteOffset: i * 4, as: V.self)
      rv.storeBytes(of: v.replacing(with: 0, where: .!(m .> 0)), toByteOffset: i * 4, as: V.self)
      i += 8
    }
    while i < count {
      if !(mask[i] > 0) { values[i] = 0 }
      i += 1
    }
  }

  static func columnSums(_ a: UnsafePointer<Float>, n: Int, width: Int, into out: UnsafeMutablePointer<Float>) {
    for j in 0..<width { out[j] = 0 }
    for i in 0..<n {
      let row = a + i * width
      for j in 0..<width { out[j] += row[j] }
    }
  }

  /// Cross-entropy and classification error on `split` without the tape.
  func fusedEvaluate(_ split: SupervisedSplit) -> (loss: Float, error: Float) {
    let n = split.count
    let h = hiddenLayer.weight.value.shape[1]
    let c = outputLayer.weight.value.shape[1]
    let hidden = scratch.buffer(0, n * h)
    let logits = scratch.buffer(1, n * c)
    return split.x.data.withUnsafeBufferPointer { px in
      forward(px.baseAddress!, n: n, hiddenOut: hidden, logits: logits)
      let r = Self.crossEntropy(logits, n: n, c: c, labels: split.labels, gradient: nil)
      return (r.loss, Float(r.wrong) / Float(max(n, 1)))
    }
  }
}
