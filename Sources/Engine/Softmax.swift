import Foundation

// Softmax and log-softmax over the last axis.

extension Tensor {
  /// Softmax over the last axis, computed stably.
  public func softmax() -> Tensor {
    let c = shape.last ?? 1
    var out = data
    out.withUnsafeMutableBufferPointer { o in
      var base = 0
      while base < o.count {
        var m = -Float.infinity
        for j in 0..<c { m = Swift.max(m, o[base + j]) }
        var s: Float = 0
        for j in 0..<c {
          let e = Foundation.exp(o[base + j] - m)
          o[base + j] = e
          s += e
        }
        for j in 0..<c { o[base + j] /= s }
        base += c
      }
    }
    return Tensor(shape: shape, data: out)
  }

  /// Log-softmax over the last axis, computed stably.
  public func logSoftmax() -> Tensor {
    let c = shape.last ?? 1
    var out = data
    out.withUnsafeMutableBufferPointer { o in
      var base = 0
      while base < o.count {
        var m = -Float.infinity
        for j in 0..<c { m = Swift.max(m, o[base + j]) }
        var s: Float = 0
        for j in 0..<c { s += Foundation.exp(o[base + j] - m) }
        let lse = m + Foundation.log(s)
        for j in 0..<c { o[base + j] -= lse }
        base += c
      }
    }
    return Tensor(shape: shape, data: out)
  }
}

extension Variable {
  /// Softmax over the last axis.
  public func softmax() -> Variable {
    let y = value.softmax()
    let c = shape.last ?? 1
    return Variable.make(y, [self]) { [self] g in
      // dx = y * (g - sum(g * y))
      var d = [Float](repeating: 0, count: g.count)
      var base = 0
      while base < d.count {
        var dot: Float = 0
        for j in 0..<c { dot += g.data[base + j] * y.data[base + j] }
        for j in 0..<c { d[base + j] = y.data[base + j] * (g.data[base + j] - dot) }
        base += c
      }
      self.accumulate(Tensor(shape: y.shape, data: d))
    }
  }

  /// Log-softmax over the last axis.
  public func logSoftmax() -> Variable {
    let y = value.logSoftmax()
    let c = shape.last ?? 1
    return Variable.make(y, [self]) { [self] g in
      // dx = g - softmax * sum(g)
      var d = [Float](repeating: 0, count: g.count)
      var base = 0
      while base < d.count {
        var s: Float = 0
        for j in 0..<c { s += g.data[base + j] }
        for j in 0..<c { d[base + j] = g.data[base + j] - Foundation.exp(y.data[base + j]) * s }
        base += c
      }
      self.accumulate(Tensor(shape: y.shape, data: d))
    }
  }
}
