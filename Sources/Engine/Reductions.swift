// Differentiable reductions on ``Variable``.

extension Variable {
  /// The sum of all elements, as a scalar (shape `[]`).
  public func sum() -> Variable {
    let shape = self.shape
    return Variable.make(Tensor(scalar: value.sum()), [self]) { [self] g in
      self.accumulate(Tensor(shape: shape, repeating: g.scalar))
    }
  }

  /// The mean of all elements, as a scalar.
  public func mean() -> Variable {
    let n = Float(Swift.max(value.count, 1))
    return sum() * (1 / n)
  }

  /// Sums over `axis`, removing it.
  public func sum(axis: Int) -> Variable {
    let shape = self.shape
    let outer = shape[..<axis].reduce(1, *)
    let n = shape[axis]
    let inner = shape[(axis + 1)...].reduce(1, *)
    return Variable.make(value.sum(axis: axis), [self]) { [self] g in
      var d = [Float](repeating: 0, count: outer * n * inner)
      g.data.withUnsafeBufferPointer { gp in
        d.withUnsafeMutableBufferPointer { dp in
          for o in 0..<outer {
            let src = gp.baseAddress! + o * inner
            for k in 0..<n {
              let dst = dp.baseAddress! + (o * n + k) * inner
              for i in 0..<inner { dst[i] = src[i] }
            }
          }
        }
      }
      self.accumulate(Tensor(shape: shape, data: d))
    }
  }

  /// Means over `axis`, removing it.
  public func mean(axis: Int) -> Variable { sum(axis: axis) * (1 / Float(shape[axis])) }
}
