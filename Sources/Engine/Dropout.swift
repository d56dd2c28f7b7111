// Inverted dropout.

/// Inverted dropout: each element is kept with probability 1 − p and scaled by 1/(1 − p), otherwise zeroed,
/// so the expected output equals the input. Identity when `training` is false or p = 0; zeros when p = 1.
///
/// - Parameters: x of any shape; `rng` draws the mask (one 24-bit uniform per element, kept if ≥ p).
/// - Returns: the masked, rescaled input (shape of x). The backward pass applies the same mask and scale.
public func dropout(_ x: Variable, p: Float, rng: inout SeededRandom, training: Bool = true) -> Variable {
  precondition(p >= 0 && p <= 1, "dropout probability \(p) outside [0, 1]")
  guard training && p > 0 else { return x }
  let count = x.value.count
  let scale: Float = p < 1 ? 1 / (1 - p) : 0
  var mask = [Float](repeating: 0, count: count)
  for i in 0..<count {
    let u = Float(rng.next() >> 40) * 0x1p-24
    if u >= p { mask[i] = scale }
  }
  var out = [Float](repeating: 0, count: count)
  x.value.data.withUnsafeBufferPointer { px in
    mask.withUnsafeBufferPointer { pm in
      out.withUnsafeMutableBufferPointer { po in
        for i in 0..<count { po[i] = px[i] * pm[i] }
      }
    }
  }
  let shape = x.shape
  return Variable.make(Tensor(shape: shape, data: out), [x]) { g in
    var dx = [Float](repeating: 0, count: count)
    g.data.withUnsafeBufferPointer { pg in
      mask.withUnsafeBufferPointer { pm in
        dx.withUnsafeMutableBufferPointer { pd in
          for i in 0..<count { pd[i] = pg[i] * pm[i] }
        }
      }
    }
    x.accumulate(Tensor(shape: shape, data: dx))
  }
}

/// A dropout layer (no parameters): y = dropout(x, p) in training mode, y = x in evaluation mode; any shape.
public final class Dropout: Module {
  /// Probability of zeroing an element.
  public let p: Float
  /// Whether to drop (true) or pass through (false).
  public var training: Bool

  /// Creates a layer that, in training mode, zeroes each element with probability `p` (in [0, 1])
  /// and scales the rest by 1/(1 − p).
  public init(_ p: Float, training: Bool = true) {
    precondition(p >= 0 && p <= 1, "dropout probability \(p) outside [0, 1]")
    self.p = p
    self.training = training
  }

  /// None: dropout has no parameters.
  public var namedParameters: [(String, Variable)] { [] }

  /// Applies dropout to `x`, drawing the mask from `rng`.
  public func callAsFunction(_ x: Variable, rng: inout SeededRandom) -> Variable {
    dropout(x, p: p, rng: &rng, training: training)
  }
}
