import Foundation

/// A seeded xoshiro256** generator. The same seed gives the same stream on every machine;
/// pass it explicitly (as `inout`) to everything that draws random numbers.
public struct SeededRandom: RandomNumberGenerator, Sendable {
  // Internal (not private) so that `StateCoding.swift` can save and restore it.
  var s: (UInt64, UInt64, UInt64, UInt64)

  /// Seeds the state through SplitMix64.
  public init(seed: UInt64) {
    var x = seed
    func splitmix() -> UInt64 {
      x &+= 0x9E37_79B9_7F4A_7C15
      var z = x
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
    s = (splitmix(), splitmix(), splitmix(), splitmix())
  }

  @inline(__always)
  private static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

  /// The next 64 random bits.
  public mutating func next() -> UInt64 {
    let result = Self.rotl(s.1 &* 5, 7) &* 9
    let t = s.1 << 17
    s.2 ^= s.0
    s.3 ^= s.1
    s.1 ^= s.2
    s.0 ^= s.3
    s.2 ^= t
    s.3 = Self.rotl(s.3, 45)
    return result
  }

  /// A derived generator for an independent sub-stream (an episode, a trial).
  public mutating func fork() -> SeededRandom { SeededRandom(seed: next()) }

  /// Uniform in [0, 1) with 53 bits of precision.
  public mutating func uniformDouble() -> Double { Double(next() >> 11) * 0x1.0p-53 }

  /// Uniform in [low, high).
  public mutating func uniform(_ low: Float = 0, _ high: Float = 1) -> Float {
    low + (high - low) * Float(uniformDouble())
  }

  /// Standard normal by the Box-Muller transform, scaled to mean `mean` and deviation `std`.
  public mutating func normal(mean: Float = 0, std: Float = 1) -> Float {
    var u1 = uniformDouble()
    while u1 <= Double.leastNormalMagnitude { u1 = uniformDouble() }
    let u2 = uniformDouble()
    return mean + std * Float(Foundation.sqrt(-2 * Foundation.log(u1)) * Foundation.cos(2 * Double.pi * u2))
  }

  /// Normal with deviation `std`, redrawn until within two deviations of the mean
  /// (TensorFlow's and PyTorch's truncated normal).
  public mutating func truncatedNormal(mean: Float = 0, std: Float = 1) -> Float {
    while true {
      let z = normal()
      if Swift.abs(z) <= 2 { return mean + std * z }
    }
  }

  /// An index drawn with probability proportional to `weights` (non-negative, not all zero).
  public mutating func categorical(_ weights: [Float]) -> Int {
    let total = weights.reduce(0, +)
    precondition(total > 0 && total.isFinite, "categorical weights \(weights)")
    var u = Float(uniformDouble()) * total
    for (i, w) in weights.enumerated() {
      if u < w { return i }
      u -= w
    }
    return weights.lastIndex(where: { $0 > 0 }) ?? 0
  }

  /// An integer in 0..<n.
  public mutating func int(below n: Int) -> Int {
    precondition(n > 0, "int(below: \(n))")
    return Int(next() % UInt64(n))
  }

  /// A random permutation of 0..<n (Fisher-Yates).
  public mutating func permutation(_ n: Int) -> [Int] {
    var p = Array(0..<n)
    if n < 2 { return p }
    for i in stride(from: n - 1, to: 0, by: -1) {
      let j = int(below: i + 1)
      p.swapAt(i, j)
    }
    return p
  }

  /// A tensor of independent draws.
  public mutating func tensor(_ shape: [Int], _ draw: (inout SeededRandom) -> Float) -> Tensor {
    let n = shape.reduce(1, *)
    var data = [Float](repeating: 0, count: n)
    for i in 0..<n { data[i] = draw(&self) }
    return Tensor(shape: shape, data: data)
  }

  /// Standard-normal tensor times `std`.
  public mutating func normalTensor(_ shape: [Int], std: Float = 1) -> Tensor {
    tensor(shape) { $0.normal(std: std) }
  }

  /// Uniform tensor in [low, high).
  public mutating func uniformTensor(_ shape: [Int], _ low: Float, _ high: Float) -> Tensor {
    tensor(shape) { $0.uniform(low, high) }
  }
}
