// Differentiable max pooling (NCHW).

/// 2-D max pooling: out[n, c, oh, ow] = max over the window x[n, c, oh·s − padTop + i, ow·s − padLeft + j],
/// 0 ≤ i, j < kernelSize, ignoring positions outside the input (padding never wins).
///
/// - Parameters:
///   - x: `[N, C, H, W]`.
///   - kernelSize: window extent along both axes.
///   - stride: step along both axes (defaults to `kernelSize`).
///   - padding: `.valid` (PyTorch default, out = ⌊(in − k)/s⌋ + 1), `.same` (TensorFlow, out = ⌈in/s⌉)
///     or `.explicit(p)` (PyTorch `padding=p`, p ≤ k/2).
/// - Returns: `[N, C, outH, outW]`. The backward pass routes each output gradient to the first
///   maximal input of its window.
public func maxPool2d(_ x: Variable, kernelSize: Int = 2, stride: Int? = nil, padding: ConvPadding = .valid) -> Variable
{
  precondition(x.rank == 4, "maxPool2d input must be [N, C, H, W], got \(x.shape)")
  if case .explicit(let p) = padding { precondition(2 * p <= kernelSize, "maxPool2d padding \(p) > kernel/2") }
  let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
  let g = ConvGeometry.conv(
    inH: h, inW: w, kh: kernelSize, kw: kernelSize, stride: stride ?? kernelSize, padding: padding)
  let planes = n * c
  let (inPlane, outPlane) = (g.inPlane, g.outPlane)
  // 2×2 windows with stride 2 that lie inside the input take a branch-light fast path.
  let isPlain2x2 =
    g.kh == 2 && g.kw == 2 && g.stride == 2 && g.padTop == 0 && g.padLeft == 0 && 2 * g.outH <= h && 2 * g.outW <= w
  var argmax = [Int32](repeating: 0, count: planes * outPlane)
  var out = [Float](repeating: 0, count: planes * outPlane)
  x.value.data.withUnsafeBufferPointer { px in
    out.withUnsafeMutableBufferPointer { po in
      argmax.withUnsafeMutableBufferPointer { pa in
        for plane in 0..<planes {
          let src = px.baseAddress! + plane * inPlane
          let dst = po.baseAddress! + plane * outPlane
          let arg = pa.baseAddress! + plane * outPlane
          if isPlain2x2 {
            PoolKernels.max2x2(src, inW: g.inW, outH: g.outH, outW: g.outW, dst, arg)
            continue
          }
          for oh in 0..<g.outH {
            let top = oh * g.stride - g.padTop
            let (r0, r1) = (max(top, 0), min(top + g.kh, g.inH))
            for ow in 0..<g.outW {
              let left = ow * g.stride - g.padLeft
              let (c0, c1) = (max(left, 0), min(left + g.kw, g.inW))
              var best = -Float.infinity
              var bestIndex = r0 * g.inW + c0
              for r in r0..<r1 {
                for col in c0..<c1 where src[r * g.inW + col] > best {
                  best = src[r * g.inW + col]
                  bestIndex = r * g.inW + col
                }
              }
              dst[oh * g.outW + ow] = best
              arg[oh * g.outW + ow] = Int32(bestIndex)
            }
          }
        }
      }
    }
  }
  return Variable.make(Tensor(shape: [n, c, g.outH, g.outW], data: out), [x]) { grad in
    let dx = ConvKernels.zeroed(planes * inPlane) { dst in
      grad.data.withUnsafeBufferPointer { pg in
        argmax.withUnsafeBufferPointer { pa in
          for plane in 0..<planes {
            let d = dst + plane * inPlane
            let gs = pg.baseAddress! + plane * outPlane
            let a = pa.baseAddress! + plane * outPlane
            for t in 0..<outPlane { d[Int(a[t])] += gs[t] }
          }
        }
      }
    }
    x.accumulate(Tensor(shape: [n, c, h, w], data: dx))
  }
}

/// A max-pooling layer (no parameters): y = maxPool2d(x) with x `[N, C, H, W]`, y `[N, C, outH, outW]`.
public final class MaxPool2d: Module {
  /// Window height and width.
  public let kernelSize: Int
  /// Step of the window along H and W.
  public let stride: Int
  /// How the input is padded (padded positions never win the max).
  public let padding: ConvPadding

  /// A `kernelSize × kernelSize` window moved by `stride` (default: `kernelSize`).
  public init(kernelSize: Int = 2, stride: Int? = nil, padding: ConvPadding = .valid) {
    self.kernelSize = kernelSize
    self.stride = stride ?? kernelSize
    self.padding = padding
  }

  /// None: pooling has no parameters.
  public var namedParameters: [(String, Variable)] { [] }

  /// Pools `x[N, C, H, W]`.
  public func callAsFunction(_ x: Variable) -> Variable {
    maxPool2d(x, kernelSize: kernelSize, stride: stride, padding: padding)
  }
}

/// Pooling kernels on raw planes.
enum PoolKernels {
  /// 2×2 max pooling with stride 2 of one plane (windows fully inside): the same result and argmax
  /// as the general loop (the first maximal element in row-major order wins; −∞ start).
  @inline(__always)
  static func max2x2(
    _ src: UnsafePointer<Float>, inW: Int, outH: Int, outW: Int,
    _ dst: UnsafeMutablePointer<Float>, _ arg: UnsafeMutablePointer<Int32>
  ) {
    for oh in 0..<outH {
      let top = src + 2 * oh * inW
      let bottom = top + inW
      let rowBase = Int32(2 * oh * inW)
      let d = dst + oh * outW
      let a = arg + oh * outW
      for ow in 0..<outW {
        let c = 2 * ow
        var best = -Float.infinity
        var index = rowBase + Int32(c)
        if top[c] > best {
          best = top[c]
          index = rowBase + Int32(c)
        }
        if top[c + 1] > best {
          best = top[c + 1]
          index = rowBase + Int32(c + 1)
        }
        if bottom[c] > best {
          best = bottom[c]
          index = rowBase + Int32(inW + c)
        }
        if bottom[c + 1] > best {
          best = bottom[c + 1]
          index = rowBase + Int32(inW + c + 1)
        }
        d[ow] = best
        a[ow] = index
      }
    }
  }
}
