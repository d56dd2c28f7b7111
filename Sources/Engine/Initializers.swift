import Foundation

/// Ways to fill a new parameter tensor.
public enum Initializer: Sendable, Equatable {
  /// Glorot/Xavier uniform: U(-a, a) with a = √(6 / (fanIn + fanOut)).
  case xavierUniform
  /// He/Kaiming normal: N(0, 2 / fanIn).
  case he
  /// N(0, σ²).
  case normal(Float)
  /// N(0, σ²) truncated at two standard deviations.
  case truncatedNormal(Float)
  /// Every element equal to the constant.
  case constant(Float)

  /// A tensor of `shape` drawn from this initializer; fan-in and fan-out follow PyTorch's rule
  /// (for `[out, in, kh, kw]` weights: fanIn = in·kh·kw, fanOut = out·kh·kw).
  public func make(_ shape: [Int], fanIn: Int, fanOut: Int, rng: inout SeededRandom) -> Tensor {
    switch self {
    case .xavierUniform:
      let a = Float((6.0 / Double(max(fanIn + fanOut, 1))).squareRoot())
      return rng.uniformTensor(shape, -a, a)
    case .he:
      return rng.normalTensor(shape, std: Float((2.0 / Double(max(fanIn, 1))).squareRoot()))
    case .normal(let s):
      return rng.normalTensor(shape, std: s)
    case .truncatedNormal(let s):
      return rng.tensor(shape) { $0.truncatedNormal(std: s) }
    case .constant(let c):
      return Tensor(shape: shape, repeating: c)
    }
  }
}
