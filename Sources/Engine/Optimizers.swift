import Foundation

/// Something that updates parameters from their gradients.
public protocol Optimizer: AnyObject {
  /// Applies one update to every parameter in `parameters` that has a gradient.
  func step(_ parameters: [Variable])
}

/// Stochastic gradient descent with optional (heavy-ball) momentum, as PyTorch's `SGD`:
/// v ← μ·v + g;  w ← w − lr·v.
public final class SGD: Optimizer {
  /// The step size lr.
  public var learningRate: Float
  /// The momentum μ; 0 for plain SGD.
  public let momentum: Float
  private var velocity: [ObjectIdentifier: [Float]] = [:]

  /// Creates the optimizer with learning rate lr and momentum μ.
  public init(learningRate: Float, momentum: Float = 0) {
    self.learningRate = learningRate
    self.momentum = momentum
  }

  /// One update w ← w − lr·v of every parameter with a gradient (v = g when μ = 0).
  public func step(_ parameters: [Variable]) {
    for p in parameters {
      guard let g = p.grad else { continue }
      if momentum == 0 {
        p.value.addScaled(g, -learningRate)
        continue
      }
      let id = ObjectIdentifier(p)
      var v = velocity[id] ?? [Float](repeating: 0, count: g.count)
      for i in 0..<v.count { v[i] = momentum * v[i] + g.data[i] }
      velocity[id] = v
      p.value.addScaled(Tensor(shape: p.value.shape, data: v), -learningRate)
    }
  }
}

/// Adam (Kingma & Ba) with bias correction:
/// m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²;  w ← w − lr·√(1−β2ᵗ)/(1−β1ᵗ) · m / (√v + ε̂).
///
/// Like TensorFlow's `AdamOptimizer`, the step count t belongs to the optimizer and advances once
/// per ``step(_:)`` call, and ε is added after the bias-corrected scaling (ε̂ = ε). One `Adam` shared
/// by several actions therefore shares both the moment slots and the step count, as the official
/// AutoLoss code does; make one `Adam` per action to keep them apart.
public final class Adam: Optimizer {
  /// The step size lr.
  public var learningRate: Float
  /// Decay β1 of the first moment.
  public let beta1: Float
  /// Decay β2 of the second moment.
  public let beta2: Float
  /// ε, added to √v after the bias correction.
  public let epsilon: Float
  /// The number of updates applied so far.
  public internal(set) var stepCount = 0
  var moments: [ObjectIdentifier: (m: [Float], v: [Float])] = [:]

  /// Creates the optimizer with no moments and step count 0 (defaults: TensorFlow's and PyTorch's).
  public init(learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8) {
    self.learningRate = learningRate
    self.beta1 = beta1
    self.beta2 = beta2
    self.epsilon = epsilon
  }

  /// Advances ``stepCount`` by one and updates every parameter in `parameters` that has a gradient.
  public func step(_ parameters: [Variable]) {
    stepCount += 1
    let t = Double(stepCount)
    let correction = Float((1 - pow(Double(beta2), t)).squareRoot() / (1 - pow(Double(beta1), t)))
    let lrT = learningRate * correction
    let (b1, b2, eps) = (beta1, beta2, epsilon)
    for p in parameters {
      guard let g = p.grad else { continue }
      let id = ObjectIdentifier(p)
      var state = moments[id] ?? ([Float](repeating: 0, count: g.count), [Float](repeating: 0, count: g.count))
      moments[id] = nil
      let n = g.count
      state.m.withUnsafeMutableBufferPointer { m in
        state.v.withUnsafeMutableBufferPointer { v in
          g.data.withUnsafeBufferPointer { gp in
            p.value.data.withUnsafeMutableBufferPointer { w in
              Adam.update(
                w.baseAddress!, gp.baseAddress!, m.baseAddress!, v.baseAddress!, n,
                b1: b1, b2: b2, lr: lrT, eps: eps)
            }
          }
        }
      }
      moments[id] = state
    }
  }

  /// One Adam update of `n` elements: m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²;
  /// w ← w − lr·m / (√v + ε). Eight lanes at a time with SIMD types (the scalar loop does not
  /// vectorize because the four arrays might alias); the same operations in the same order.
  @inline(__always)
  static func update(
    _ w: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ m: UnsafeMutablePointer<Float>,
    _ v: UnsafeMutablePointer<Float>, _ n: Int, b1: Float, b2: Float, lr: Float, eps: Float
  ) {
    typealias V = SIMD8<Float>
    let (c1, c2) = (1 - b1, 1 - b2)
    let (rw, rg, rm, rv) = (
      UnsafeMutableRawPointer(w), UnsafeRawPointer(g), UnsafeMutableRawPointer(m), UnsafeMutableRawPointer(v)
    )
    var i = 0
    while i + 8 <= n {
      let o = i * 4
      let gi = rg.loadUnaligned(fromByteOffset: o, as: V.self)
      let mi = b1 * rm.loadUnaligned(fromByteOffset: o, as: V.self) + c1 * gi
      let vi = b2 * rv.loadUnaligned(fromByteOffset: o, as: V.self) + c2 * gi * gi
      let wi = rw.loadUnaligned(fromByteOffset: o, as: V.self) - lr * mi / (vi.squareRoot() + eps)
      rm.storeBytes(of: mi, toByteOffset: o, as: V.self)
      rv.storeBytes(of: vi, toByteOffset: o, as: V.self)
      rw.storeBytes(of: wi, toByteOffset: o, as: V.self)
      i += 8
    }
    while i < n {
      let gi = g[i]
      m[i] = b1 * m[i] + c1 * gi
      v[i] = b2 * v[i] + c2 * gi * gi
      w[i] -= lr * m[i] / (v[i].squareRoot() + eps)
      i += 1
    }
  }

  /// Forgets all moments and the step count.
  public func reset() {
    moments = [:]
    stepCount = 0
  }
}

/// The moments and step count of an ``Adam`` optimizer, in the order of a parameter list
/// (for checkpoints that resume training).
public struct AdamState: Sendable, Equatable {
  /// The optimizer's step count t.
  public var stepCount: Int
  /// First and second moments per parameter (empty arrays for parameters without state).
  public var m: [[Float]]
  /// Second moments per parameter, in the same order as ``m``.
  public var v: [[Float]]

  /// Creates a state from a step count and the moments per parameter.
  public init(stepCount: Int, m: [[Float]], v: [[Float]]) {
    self.stepCount = stepCount
    self.m = m
    self.v = v
  }
}

extension Adam {
  /// The optimizer state for `parameters`, in their order.
  public func exportState(parameters: [Variable]) -> AdamState {
    let slots = parameters.map { moments[ObjectIdentifier($0)] }
    return AdamState(stepCount: stepCount, m: slots.map { $0?.m ?? [] }, v: slots.map { $0?.v ?? [] })
  }

  /// Restores state exported for the same parameter list.
  public func importState(_ state: AdamState, parameters: [Variable]) {
    moments = [:]
    stepCount = state.stepCount
    for (i, p) in parameters.enumerated() where i < state.m.count && !state.m[i].isEmpty {
      moments[ObjectIdentifier(p)] = (state.m[i], state.v[i])
    }
  }
}
