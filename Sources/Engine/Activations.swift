import Foundation

// Differentiable elementwise functions on ``Variable``.

extension Variable {
  /// Applies `f` elementwise; `df(x, y)` gives the derivative from the input `x` and output `y`.
  @inline(__always)
  func unary(_ f: (Float) -> Float, _ df: @escaping (Float, Float) -> Float) -> Variable {
    let x = value
    let y = x.map(f)
    return Variable.make(y, [self]) { [self] g in
      var d = [Float](repeating: 0, count: g.count)
      g.data.withUnsafeBufferPointer { gp in
        x.data.withUnsafeBufferPointer { xp in
          y.data.withUnsafeBufferPointer { yp in
            d.withUnsafeMutableBufferPointer { dp in
              for i in 0..<dp.count { dp[i] = gp[i] * df(xp[i], yp[i]) }
            }
          }
        }
      }
      self.accumulate(Tensor(shape: g.shape, data: d))
    }
  }

  /// max(x, 0).
  public func relu() -> Variable { unary({ max($0, 0) }, { x, _ in x > 0 ? 1 : 0 }) }
  /// x for x > 0, `slope * x` otherwise (TensorFlow's default slope is 0.2).
  public func leakyRelu(_ slope: Float = 0.2) -> Variable {
    unary({ $0 > 0 ? $0 : slope * $0 }, { x, _ in x > 0 ? 1 : slope })
  }
  /// Hyperbolic tangent.
  public func tanh() -> Variable { unary({ Foundation.tanh($0) }, { _, y in 1 - y * y }) }
  /// Logistic sigmoid 1 / (1 + e^-x).
  public func sigmoid() -> Variable { unary({ stableSigmoid($0) }, { _, y in y * (1 - y) }) }
  /// e^x.
  public func exp() -> Variable { unary({ Foundation.exp($0) }, { _, y in y }) }
  /// Natural logarithm.
  public func log() -> Variable { unary({ Foundation.log($0) }, { x, _ in 1 / x }) }
  /// x².
  public func square() -> Variable { unary({ $0 * $0 }, { x, _ in 2 * x }) }
  /// |x| (subgradient 0 at 0).
  public func abs() -> Variable { unary({ Swift.abs($0) }, { x, _ in x > 0 ? 1 : (x < 0 ? -1 : 0) }) }
  /// √x.
  public func sqrt() -> Variable { unary({ Foundation.sqrt($0) }, { _, y in 0.5 / y }) }
}

/// 1 / (1 + e^-x) without overflow for large |x|.
@inline(__always)
func stableSigmoid(_ x: Float) -> Float {
  if x >= 0 { return 1 / (1 + Foundation.exp(-x)) }
  let e = Foundation.exp(x)
  return e / (1 + e)
}
