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

  /// Applies `f` elementwise with a vectorizable loop; the backward pass multiplies the incoming
  /// gradient by the derivative of `kind` (a plain loop per kind, no indirect call per element).
  @inline(__always)
  func pointwise(_ kind: PointwiseDerivative, _ f: (Float) -> Float) -> Variable {
    let x = value
    let n = x.count
    let yData = [Float](unsafeUninitializedCapacity: n) { buf, count in
      x.data.withUnsafeBufferPointer { px in
        for i in 0..<n { buf[i] = f(px[i]) }
      }
      count = n
    }
    let y = Tensor(shape: x.shape, data: yData)
    return Variable.make(y, [self]) { [self] g in
      let d = [Float](unsafeUninitializedCapacity: n) { buf, count in
        g.data.withUnsafeBufferPointer { gp in
          x.data.withUnsafeBufferPointer { xp in
            y.data.withUnsafeBufferPointer { yp in
              kind.apply(gp.baseAddress!, xp.baseAddress!, yp.baseAddress!, buf.baseAddress!, n)
            }
          }
        }
        count = n
      }
      self.accumulate(Tensor(shape: g.shape, data: d))
    }
  }

  /// max(x, 0).
  public func relu() -> Variable { pointwise(.relu) { Swift.max($0, 0) } }
  /// x for x > 0, `slope * x` otherwise (TensorFlow's default slope is 0.2).
  public func leakyRelu(_ slope: Float = 0.2) -> Variable {
    pointwise(.leakyRelu(slope)) { $0 > 0 ? $0 : slope * $0 }
  }
  /// Hyperbolic tangent.
  public func tanh() -> Variable { pointwise(.tanh) { Foundation.tanh($0) } }
  /// Logistic sigmoid 1 / (1 + e^-x).
  public func sigmoid() -> Variable { pointwise(.sigmoid) { stableSigmoid($0) } }
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

/// The derivative of a pointwise activation, from its input x and output y.
enum PointwiseDerivative {
  case relu
  case leakyRelu(Float)
  case tanh
  case sigmoid

  /// d[i] = g[i] · f'(x[i]) for `n` elements.
  @inline(__always)
  func apply(
    _ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>,
    _ d: UnsafeMutablePointer<Float>, _ n: Int
  ) {
    switch self {
    case .relu:
      for i in 0..<n { d[i] = g[i] * (x[i] > 0 ? 1 : 0) }
    case .leakyRelu(let slope):
      for i in 0..<n { d[i] = g[i] * (x[i] > 0 ? 1 : slope) }
    case .tanh:
      for i in 0..<n { d[i] = g[i] * (1 - y[i] * y[i]) }
    case .sigmoid:
      for i in 0..<n { d[i] = g[i] * (y[i] * (1 - y[i])) }
    }
  }
}
