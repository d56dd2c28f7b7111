// Differentiable arithmetic on ``Variable``: broadcasting binary ops, scalar ops and matmul.

extension Variable {
  /// Elementwise sum with NumPy broadcasting (a bias `[n]` against `[b, n]`, for example).
  public static func + (a: Variable, b: Variable) -> Variable {
    let out = Broadcast.apply(a.value, b.value, +)
    let (sa, sb) = (a.shape, b.shape)
    return make(out, [a, b]) { g in
      if a.requiresGrad { a.accumulate(Broadcast.reduce(g, to: sa)) }
      if b.requiresGrad { b.accumulate(Broadcast.reduce(g, to: sb)) }
    }
  }

  /// Elementwise difference with broadcasting.
  public static func - (a: Variable, b: Variable) -> Variable {
    let out = Broadcast.apply(a.value, b.value, -)
    let (sa, sb) = (a.shape, b.shape)
    return make(out, [a, b]) { g in
      if a.requiresGrad { a.accumulate(Broadcast.reduce(g, to: sa)) }
      if b.requiresGrad { b.accumulate(Broadcast.reduce(g.map { -$0 }, to: sb)) }
    }
  }

  /// Elementwise product with broadcasting.
  public static func * (a: Variable, b: Variable) -> Variable {
    let (va, vb) = (a.value, b.value)
    return make(Broadcast.apply(va, vb, *), [a, b]) { g in
      if a.requiresGrad { a.accumulate(Broadcast.reduce(Broadcast.apply(g, vb, *), to: va.shape)) }
      if b.requiresGrad { b.accumulate(Broadcast.reduce(Broadcast.apply(g, va, *), to: vb.shape)) }
    }
  }

  /// Elementwise quotient with broadcasting.
  public static func / (a: Variable, b: Variable) -> Variable {
    let (va, vb) = (a.value, b.value)
    return make(Broadcast.apply(va, vb, /), [a, b]) { g in
      if a.requiresGrad { a.accumulate(Broadcast.reduce(Broadcast.apply(g, vb, /), to: va.shape)) }
      if b.requiresGrad {
        // d(a/b)/db = -a / b^2
        let ga = Broadcast.apply(g, va, *)
        let q = Broadcast.apply(ga, vb.map { -1 / ($0 * $0) }, *)
        b.accumulate(Broadcast.reduce(q, to: vb.shape))
      }
    }
  }

  /// Adds a constant to every element.
  public static func + (a: Variable, s: Float) -> Variable {
    make(a.value.map { $0 + s }, [a]) { g in a.accumulate(g) }
  }
  /// Subtracts a constant from every element.
  public static func - (a: Variable, s: Float) -> Variable { a + (-s) }
  /// Subtracts every element from a constant.
  public static func - (s: Float, a: Variable) -> Variable {
    make(a.value.map { s - $0 }, [a]) { g in a.accumulate(g.map { -$0 }) }
  }
  /// Multiplies every element by a constant.
  public static func * (a: Variable, s: Float) -> Variable {
    make(a.value * s, [a]) { g in a.accumulate(g * s) }
  }
  /// Multiplies every element by a constant.
  public static func * (s: Float, a: Variable) -> Variable { a * s }
  /// Divides every element by a constant.
  public static func / (a: Variable, s: Float) -> Variable { a * (1 / s) }
  /// Negation.
  public static prefix func - (a: Variable) -> Variable { a * -1 }
}

/// The matrix product `a[m,k] · b[k,n]` (either side optionally transposed), through
/// ``BLAS/gemm(transA:transB:m:n:k:alpha:_:_:beta:_:)``.
public func matmul(_ a: Variable, _ b: Variable, transA: Bool = false, transB: Bool = false) -> Variable {
  let (va, vb) = (a.value, b.value)
  let out = BLAS.matmul(va, vb, transA: transA, transB: transB)
  return Variable.make(out, [a, b]) { g in
    if a.requiresGrad {
      // dA = g · B^T  (or its transpose when A was transposed)
      a.accumulate(
        transA ? BLAS.matmul(vb, g, transA: transB, transB: true) : BLAS.matmul(g, vb, transA: false, transB: !transB))
    }
    if b.requiresGrad {
      b.accumulate(
        transB ? BLAS.matmul(g, va, transA: true, transB: transA) : BLAS.matmul(va, g, transA: !transA, transB: false))
    }
  }
}
