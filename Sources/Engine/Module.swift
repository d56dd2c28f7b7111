/// Anything that owns trainable parameters: layers and whole models.
///
/// Parameters are listed flat and named by their path, e.g. `"gen.deconv1.weight"`; optimizers,
/// checkpoints and gradient-norm features all use this list.
public protocol Module: AnyObject {
  /// Every trainable parameter with its dotted path, in a fixed order.
  var namedParameters: [(String, Variable)] { get }
}

extension Module {
  /// Every trainable parameter, in the order of ``namedParameters``.
  public var parameters: [Variable] { namedParameters.map(\.1) }
  /// Clears the gradient of every parameter.
  public func zeroGrad() { for p in parameters { p.zeroGrad() } }
  /// The total number of scalar parameters.
  public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }
  /// The parameters of `child`, prefixed with `prefix + "."`.
  public func prefixed(_ prefix: String, _ child: Module) -> [(String, Variable)] {
    child.namedParameters.map { ("\(prefix).\($0.0)", $0.1) }
  }
  /// Runs `body` with every parameter of this module frozen: ops neither record nor compute
  /// gradients for them, while gradients still flow through the module into its inputs (a GAN's
  /// generator step back-propagates through the discriminator without its weight gradients).
  /// Forward and backward must both happen inside `body`; the flags are restored afterwards.
  public func withFrozenParameters<T>(_ body: () throws -> T) rethrows -> T {
    let params = parameters
    let flags = params.map(\.requiresGrad)
    for p in params { p.requiresGrad = false }
    defer { for (p, flag) in zip(params, flags) { p.requiresGrad = flag } }
    return try body()
  }
  /// The parameter values by name (a checkpoint).
  public func stateDict() -> [String: Tensor] {
    Dictionary(namedParameters.map { ($0.0, $0.1.value) }, uniquingKeysWith: { a, _ in a })
  }
  /// Loads values by name; every parameter must be present with its shape.
  public func load(_ state: [String: Tensor]) throws {
    for (name, p) in namedParameters {
      guard let t = state[name] else { throw EngineError.missingParameter(name) }
      guard t.shape == p.value.shape else {
        throw EngineError.shapeMismatch(name: name, expected: p.value.shape, found: t.shape)
      }
      p.value = t
    }
  }
}

/// Errors of the engine that come from user data (checkpoints), not programming mistakes.
public enum EngineError: Error, CustomStringConvertible, Equatable {
  /// The checkpoint has no tensor for the parameter with this name.
  case missingParameter(String)
  /// The checkpoint's tensor for `name` has shape `found`, the parameter `expected`.
  case shapeMismatch(name: String, expected: [Int], found: [Int])

  /// A message naming the parameter, e.g. `parameter 'weight': expected shape [3, 1], found [1, 3]`.
  public var description: String {
    switch self {
    case .missingParameter(let n): return "checkpoint has no parameter '\(n)'"
    case .shapeMismatch(let n, let e, let f): return "parameter '\(n)': expected shape \(e), found \(f)"
    }
  }
}

/// Global L2 norm of the gradients of `parameters` (missing gradients count as zero).
public func gradientNorm(_ parameters: [Variable]) -> Float {
  var s: Float = 0
  for p in parameters { if let g = p.grad { s += g.squaredNorm() } }
  return s.squareRoot()
}

/// The gradient norm of a parameter group divided by √(number of parameters), the
/// controller's normalized gradient-magnitude feature.
public func normalizedGradientNorm(_ parameters: [Variable]) -> Float {
  let n = parameters.reduce(0) { $0 + $1.value.count }
  return n == 0 ? 0 : gradientNorm(parameters) / Float(n).squareRoot()
}

/// Scales all gradients so that their global norm is at most `maxNorm`; returns the norm before clipping.
@discardableResult
public func clipGradients(_ parameters: [Variable], maxNorm: Float) -> Float {
  let norm = gradientNorm(parameters)
  if norm > maxNorm && norm > 0 {
    let k = maxNorm / norm
    for p in parameters where p.grad != nil { p.grad = p.grad! * k }
  }
  return norm
}
