// Low-level kernels for convolution: geometry, im2col / col2im and layout shuffles.
// All loops run over raw pointers; the inner loops are contiguous (or constant-stride) so that
// the compiler can vectorize them.

/// How a 2-D convolution pads its input.
public enum ConvPadding: Sendable, Equatable {
  /// No padding: out = ⌊(in − k) / stride⌋ + 1.
  case valid
  /// TensorFlow 'SAME': out = ⌈in / stride⌉, padTotal = max((out − 1)·stride + k − in, 0),
  /// padBefore = ⌊padTotal / 2⌋ and the extra row/column goes to the bottom/right.
  case same
  /// `p` zeros on every side (PyTorch `padding=p`): out = ⌊(in + 2p − k) / stride⌋ + 1.
  case explicit(Int)
}

/// The index geometry of one convolution: an input plane `inH × inW` read through a `kh × kw`
/// window with `stride`, shifted by `padTop`/`padLeft`, giving an `outH × outW` output plane.
/// Output (oh, ow) and kernel tap (i, j) read input (oh·stride − padTop + i, ow·stride − padLeft + j);
/// taps outside the input read zero. A transposed convolution uses the same geometry with the roles
/// of input and output exchanged.
public struct ConvGeometry: Sendable, Equatable {
  public var inH: Int, inW: Int
  public var kh: Int, kw: Int
  public var stride: Int
  public var padTop: Int, padLeft: Int
  public var outH: Int, outW: Int

  /// Number of positions in one output plane.
  public var outPlane: Int { outH * outW }
  /// Number of positions in one input plane.
  public var inPlane: Int { inH * inW }

  public init(
    inH: Int, inW: Int, kh: Int, kw: Int, stride: Int, padTop: Int, padLeft: Int, outH: Int, outW: Int
  ) {
    precondition(kh > 0 && kw > 0 && stride > 0, "bad kernel \(kh)x\(kw) or stride \(stride)")
    precondition(outH > 0 && outW > 0, "empty convolution output \(outH)x\(outW)")
    self.inH = inH
    self.inW = inW
    self.kh = kh
    self.kw = kw
    self.stride = stride
    self.padTop = padTop
    self.padLeft = padLeft
    self.outH = outH
    self.outW = outW
  }

  /// The output extent and leading pad of a convolution along one axis.
  public static func convAxis(_ input: Int, kernel: Int, stride: Int, padding: ConvPadding) -> (out: Int, padBefore: Int) {
    switch padding {
    case .valid:
      precondition(input >= kernel, "VALID convolution of extent \(input) with kernel \(kernel)")
      return ((input - kernel) / stride + 1, 0)
    case .same:
      let out = (input + stride - 1) / stride
      let total = max((out - 1) * stride + kernel - input, 0)
      return (out, total / 2)
    case .explicit(let p):
      precondition(p >= 0 && input + 2 * p >= kernel, "padding \(p) for extent \(input), kernel \(kernel)")
      return ((input + 2 * p - kernel) / stride + 1, p)
    }
  }

  /// The geometry of a convolution of an `inH × inW` plane.
  public static func conv(inH: Int, inW: Int, kh: Int, kw: Int, stride: Int, padding: ConvPadding) -> ConvGeometry {
    let (oh, pt) = convAxis(inH, kernel: kh, stride: stride, padding: padding)
    let (ow, pl) = convAxis(inW, kernel: kw, stride: stride, padding: padding)
    return ConvGeometry(inH: inH, inW: inW, kh: kh, kw: kw, stride: stride, padTop: pt, padLeft: pl, outH: oh, outW: ow)
  }

  /// The output extent and leading crop of a transposed convolution along one axis.
  /// `.same`: out = in·stride (TensorFlow `conv2d_transpose` 'SAME'); `.valid`: out = (in − 1)·stride + k;
  /// `.explicit(p)`: out = (in − 1)·stride − 2p + k + outputPadding (PyTorch).
  public static func transposedAxis(
    _ input: Int, kernel: Int, stride: Int, padding: ConvPadding, outputPadding: Int
  ) -> (out: Int, padBefore: Int) {
    switch padding {
    case .valid:
      return ((input - 1) * stride + kernel + outputPadding, 0)
    case .same:
      let out = input * stride
      return (out, max((input - 1) * stride + kernel - out, 0) / 2)
    case .explicit(let p):
      precondition(outputPadding >= 0 && outputPadding < stride, "outputPadding \(outputPadding) must be in 0..<stride \(stride)")
      return ((input - 1) * stride - 2 * p + kernel + outputPadding, p)
    }
  }

  /// The geometry of a transposed convolution taking an `inH × inW` plane: the geometry of the
  /// convolution it is the adjoint of (its `outH × outW` is the transposed op's input).
  public static func transposed(
    inH: Int, inW: Int, kh: Int, kw: Int, stride: Int, padding: ConvPadding, outputPadding: Int = 0
  ) -> ConvGeometry {
    let (oh, pt) = transposedAxis(inH, kernel: kh, stride: stride, padding: padding, outputPadding: outputPadding)
    let (ow, pl) = transposedAxis(inW, kernel: kw, stride: stride, padding: padding, outputPadding: outputPadding)
    precondition(oh > 0 && ow > 0, "empty transposed-convolution output \(oh)x\(ow)")
    return ConvGeometry(inH: oh, inW: ow, kh: kh, kw: kw, stride: stride, padTop: pt, padLeft: pl, outH: inH, outW: inW)
  }

  /// The output columns `lo..<hi` whose tap at column offset `j` falls inside the input.
  @inline(__always)
  func validColumns(_ j: Int) -> (Int, Int) {
    let shift = padLeft - j  // iw = ow·stride − shift
    let lo = shift <= 0 ? 0 : (shift + stride - 1) / stride
    let last = inW - 1 + shift
    let hi = last < 0 ? 0 : min(outW, last / stride + 1)
    return (min(lo, outW), max(hi, min(lo, outW)))
  }
}

/// im2col / col2im and layout shuffles on raw buffers.
enum ConvKernels {
  /// Unfolds `x[batch, channels, inH, inW]` into `col[channels·kh·kw, batch·outH·outW]`:
  /// row (c, i, j), column (n, oh, ow) holds x[n, c, oh·s − padTop + i, ow·s − padLeft + j] (zero outside).
  static func im2col(
    _ x: UnsafePointer<Float>, batch: Int, channels: Int, _ g: ConvGeometry, _ col: UnsafeMutablePointer<Float>
  ) {
    let p = g.outPlane
    let np = batch * p
    let (s, outW) = (g.stride, g.outW)
    for c in 0..<channels {
      for i in 0..<g.kh {
        for j in 0..<g.kw {
          let row = col + ((c * g.kh + i) * g.kw + j) * np
          let (lo, hi) = g.validColumns(j)
          for n in 0..<batch {
            let src = x + (n * channels + c) * g.inPlane
            for oh in 0..<g.outH {
              let d = row + n * p + oh * outW
              let ih = oh * s - g.padTop + i
              if ih < 0 || ih >= g.inH {
                d.update(repeating: 0, count: outW)
                continue
              }
              for ow in 0..<lo { d[ow] = 0 }
              let base = src + (ih * g.inW + j - g.padLeft + lo * s)
              let dv = d + lo
              if s == 1 {
                for t in 0..<(hi - lo) { dv[t] = base[t] }
              } else if s == 2 {
                for t in 0..<(hi - lo) { dv[t] = base[2 * t] }
              } else {
                for t in 0..<(hi - lo) { dv[t] = base[t * s] }
              }
              for ow in hi..<outW { d[ow] = 0 }
            }
          }
        }
      }
    }
  }

  /// The adjoint of ``im2col(_:batch:channels:_:_:)``: adds every column entry back into
  /// `x[batch, channels, inH, inW]` (which the caller zeroes or pre-fills).
  static func col2im(
    _ col: UnsafePointer<Float>, batch: Int, channels: Int, _ g: ConvGeometry, _ x: UnsafeMutablePointer<Float>
  ) {
    let p = g.outPlane
    let np = batch * p
    let (s, outW) = (g.stride, g.outW)
    for c in 0..<channels {
      for i in 0..<g.kh {
        for j in 0..<g.kw {
          let row = col + ((c * g.kh + i) * g.kw + j) * np
          let (lo, hi) = g.validColumns(j)
          if hi <= lo { continue }
          for n in 0..<batch {
            let dst = x + (n * channels + c) * g.inPlane
            for oh in 0..<g.outH {
              let ih = oh * s - g.padTop + i
              if ih < 0 || ih >= g.inH { continue }
              let sv = row + (n * p + oh * outW + lo)
              let base = dst + (ih * g.inW + j - g.padLeft + lo * s)
              if s == 1 {
                for t in 0..<(hi - lo) { base[t] += sv[t] }
              } else if s == 2 {
                for t in 0..<(hi - lo) { base[2 * t] += sv[t] }
              } else {
                for t in 0..<(hi - lo) { base[t * s] += sv[t] }
              }
            }
          }
        }
      }
    }
  }

  /// Swaps the two outer axes of a `[a, b, inner]` block: dst[j, i, :] = src[i, j, :].
  static func swapOuter(_ src: UnsafePointer<Float>, a: Int, b: Int, inner: Int, _ dst: UnsafeMutablePointer<Float>) {
    for i in 0..<a {
      for j in 0..<b {
        (dst + (j * a + i) * inner).update(from: src + (i * b + j) * inner, count: inner)
      }
    }
  }

  /// `[channels, batch·plane]` → `[batch, channels, plane]`, adding `bias[channels]` if given.
  static func channelsToBatch(
    _ src: UnsafePointer<Float>, batch: Int, channels: Int, plane: Int, bias: UnsafePointer<Float>?,
    _ dst: UnsafeMutablePointer<Float>
  ) {
    for c in 0..<channels {
      let b = bias?[c] ?? 0
      for n in 0..<batch {
        let s = src + (c * batch + n) * plane
        let d = dst + (n * channels + c) * plane
        for t in 0..<plane { d[t] = s[t] + b }
      }
    }
  }

  /// Sums `g[batch, channels, plane]` over batch and plane into `out[channels]` (overwrites).
  static func channelSums(
    _ g: UnsafePointer<Float>, batch: Int, channels: Int, plane: Int, _ out: UnsafeMutablePointer<Float>
  ) {
    out.update(repeating: 0, count: channels)
    for n in 0..<batch {
      for c in 0..<channels {
        let s = g + (n * channels + c) * plane
        var acc: Float = 0
        for t in 0..<plane { acc += s[t] }
        out[c] += acc
      }
    }
  }
}

extension ConvKernels {
  /// A buffer of `count` floats whose contents `body` writes completely (no zero fill).
  @inline(__always)
  static func uninitialized(_ count: Int, _ body: (UnsafeMutablePointer<Float>) -> Void) -> [Float] {
    [Float](unsafeUninitializedCapacity: count) { buf, n in
      if count > 0 { body(buf.baseAddress!) }
      n = count
    }
  }

  /// A zero-filled buffer of `count` floats that `body` then updates.
  @inline(__always)
  static func zeroed(_ count: Int, _ body: (UnsafeMutablePointer<Float>) -> Void) -> [Float] {
    var a = [Float](repeating: 0, count: count)
    if count > 0 { a.withUnsafeMutableBufferPointer { body($0.baseAddress!) } }
    return a
  }
}
