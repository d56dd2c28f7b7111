#if canImport(Glibc)
  import Glibc
#endif

// Low-level kernels for convolution: geometry and im2col / col2im (the layout transposes are in TransposeKernels.swift).
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
  /// Input plane height and width.
  public var inH: Int, inW: Int
  /// Kernel height and width.
  public var kh: Int, kw: Int
  /// Step of the window, the same along both axes.
  public var stride: Int
  /// Zero rows above and zero columns left of the input (the bottom/right padding follows from the output size).
  public var padTop: Int, padLeft: Int
  /// Output plane height and width.
  public var outH: Int, outW: Int

  /// Number of positions in one output plane.
  public var outPlane: Int { outH * outW }
  /// Number of positions in one input plane.
  public var inPlane: Int { inH * inW }

  /// Creates a geometry from explicit extents (kernel, stride and output must be positive).
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
  public static func convAxis(_ input: Int, kernel: Int, stride: Int, padding: ConvPadding) -> (
    out: Int, padBefore: Int
  ) {
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
      precondition(
        outputPadding >= 0 && outputPadding < stride, "outputPadding \(outputPadding) must be in 0..<stride \(stride)")
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

/// The unfolded input of a whole batch (`[K, P·m]` per chunk of m images, chunks one after another),
/// written by an im2col conv2d forward pass and read by its weight gradient; freed with the tape node.
final class ConvColumns: @unchecked Sendable {
  let p: UnsafeMutablePointer<Float>
  /// Images per chunk when the columns were written.
  let chunk: Int

  init(count: Int, chunk: Int) {
    p = .allocate(capacity: max(count, 1))
    self.chunk = chunk
  }

  deinit { p.deallocate() }
}

/// How many images an im2col convolution processes at a time.
public enum ConvChunking {
  /// The target size, in floats, of the largest per-chunk buffer of an im2col convolution (default
  /// 2²¹ floats, 8 MB: the unfolded matrix of a chunk stays in the last-level cache between im2col and
  /// the GEMM). The environment variable `AUTOLOSS_CONV_CHUNK_FLOATS` sets it at start (for tuning on
  /// other machines); benchmarks change it between runs.
  nonisolated(unsafe) public static var floats: Int = {
    if let s = getenv("AUTOLOSS_CONV_CHUNK_FLOATS"), let v = Int(String(cString: s)), v > 0 { return v }
    return 1 << 21
  }()
}

/// im2col / col2im on raw buffers.
///
/// The kernels work on batch-innermost data: an image batch `[N, C, H, W]` is first transposed to
/// `[C, H, W, N]`, so that every tap of the unfolded matrix copies runs of N contiguous floats
/// (instead of runs of outW strided floats, which made im2col cost as much as the GEMM for 7×7 outputs).
/// Columns of the unfolded matrix are ordered (oh, ow, n).
enum ConvKernels {
  /// Unfolds `x[channels, inH, inW, batch]` into `col[channels·kh·kw, outH·outW·batch]`:
  /// row (c, i, j), column (oh, ow, n) holds x[c, oh·s − padTop + i, ow·s − padLeft + j, n] (zero outside).
  static func im2col(
    _ x: UnsafePointer<Float>, batch: Int, channels: Int, _ g: ConvGeometry, _ col: UnsafeMutablePointer<Float>
  ) {
    let n = batch
    let rowLength = g.outPlane * n
    let (s, outW) = (g.stride, g.outW)
    for c in 0..<channels {
      for i in 0..<g.kh {
        for j in 0..<g.kw {
          let row = col + ((c * g.kh + i) * g.kw + j) * rowLength
          let (lo, hi) = g.validColumns(j)
          for oh in 0..<g.outH {
            var d = row + oh * outW * n
            let ih = oh * s - g.padTop + i
            if ih < 0 || ih >= g.inH {
              d.update(repeating: 0, count: outW * n)
              continue
            }
            if lo > 0 { d.update(repeating: 0, count: lo * n) }
            d += lo * n
            let src = x + ((c * g.inH + ih) * g.inW + lo * s - g.padLeft + j) * n
            copyRuns(src, step: s * n, d, runs: hi - lo, length: n)
            d += (hi - lo) * n
            if hi < outW { d.update(repeating: 0, count: (outW - hi) * n) }
          }
        }
      }
    }
  }

  /// The adjoint of ``im2col(_:batch:channels:_:_:)``: adds every column entry back into
  /// `x[channels, inH, inW, batch]` (which the caller zeroes or pre-fills).
  static func col2im(
    _ col: UnsafePointer<Float>, batch: Int, channels: Int, _ g: ConvGeometry, _ x: UnsafeMutablePointer<Float>
  ) {
    let n = batch
    let rowLength = g.outPlane * n
    let (s, outW) = (g.stride, g.outW)
    for c in 0..<channels {
      for i in 0..<g.kh {
        for j in 0..<g.kw {
          let row = col + ((c * g.kh + i) * g.kw + j) * rowLength
          let (lo, hi) = g.validColumns(j)
          if hi <= lo { continue }
          for oh in 0..<g.outH {
            let ih = oh * s - g.padTop + i
            if ih < 0 || ih >= g.inH { continue }
            let src = row + (oh * outW + lo) * n
            let dst = x + ((c * g.inH + ih) * g.inW + lo * s - g.padLeft + j) * n
            addRuns(src, dst, step: s * n, runs: hi - lo, length: n)
          }
        }
      }
    }
  }

  /// Copies `runs` runs of `length` floats: run r reads `src + r·step` and writes `dst + r·length`
  /// (im2col's batch-innermost runs). Runs of a multiple of 8 floats move as whole vectors, without a
  /// `memcpy` call per run; adjacent runs (`step == length`) move in one copy.
  @inline(__always)
  static func copyRuns(
    _ src: UnsafePointer<Float>, step: Int, _ dst: UnsafeMutablePointer<Float>, runs: Int, length: Int
  ) {
    if step == length {
      dst.update(from: src, count: runs * length)
    } else if length & 7 == 0 {
      for r in 0..<runs {
        let (s, d) = (UnsafeRawPointer(src + r &* step), UnsafeMutableRawPointer(dst + r &* length))
        var offset = 0
        while offset < length * 4 {
          d.storeBytes(
            of: s.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self), toByteOffset: offset,
            as: SIMD8<Float>.self)
          offset &+= 32
        }
      }
    } else {
      for r in 0..<runs {
        let (s, d) = (src + r &* step, dst + r &* length)
        for t in 0..<length { d[t] = s[t] }
      }
    }
  }

  /// Adds `runs` runs of `length` floats, the adjoint of ``copyRuns(_:step:_:runs:length:)``: run r
  /// reads `src + r·length` and is added into `dst + r·step` (col2im). Vectorized like the copy.
  @inline(__always)
  static func addRuns(
    _ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, step: Int, runs: Int, length: Int
  ) {
    if length & 7 == 0 {
      for r in 0..<runs {
        let (s, d) = (UnsafeRawPointer(src + r &* length), UnsafeMutableRawPointer(dst + r &* step))
        var offset = 0
        while offset < length * 4 {
          let sum =
            d.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
            + s.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
          d.storeBytes(of: sum, toByteOffset: offset, as: SIMD8<Float>.self)
          offset &+= 32
        }
      }
    } else {
      for r in 0..<runs {
        let (s, d) = (src + r &* length, dst + r &* step)
        for t in 0..<length { d[t] += s[t] }
      }
    }
  }
}

extension ConvKernels {
  /// The target size, in floats, of the largest per-chunk buffer of a convolution (see ``ConvChunking``).
  static var chunkFloats: Int { ConvChunking.floats }

  /// Images per chunk within a task, instead of ``batchChunk(perImage:batch:)``'s choice (tests use it
  /// to split small batches into several chunks).
  @TaskLocal static var imagesPerChunk: Int?

  /// Images per chunk for a batch of `batch` whose largest per-image buffer holds `perImage` floats:
  /// the whole batch when it fits ``chunkFloats``, otherwise as many images as fit, rounded down to a
  /// multiple of 8 when at least 8 fit (the batch-innermost runs of im2col, col2im and the transposes
  /// are then whole vectors); at least 1.
  static func batchChunk(perImage: Int, batch: Int) -> Int {
    if let forced = imagesPerChunk { return max(1, min(forced, batch)) }
    guard batch > 1 else { return max(batch, 1) }
    let fit = max(1, min(batch, chunkFloats / max(perImage, 1)))
    return fit == batch || fit < 8 ? fit : fit - fit % 8
  }

  /// Σ p[0..<count] with eight independent partial sums (vectorizes; the order differs from a
  /// left-to-right sum only by rounding).
  @inline(__always)
  static func sum(_ p: UnsafePointer<Float>, count: Int) -> Float {
    var acc = SIMD8<Float>(repeating: 0)
    var t = 0
    while t &+ 8 <= count {
      acc += UnsafeRawPointer(p + t).loadUnaligned(as: SIMD8<Float>.self)
      t &+= 8
    }
    var total = acc.sum()
    while t < count {
      total += p[t]
      t &+= 1
    }
    return total
  }

  /// The chunks `(start, size)` of `n` images taken `nb` at a time.
  static func chunks(_ n: Int, _ nb: Int) -> [(Int, Int)] {
    stride(from: 0, to: n, by: max(nb, 1)).map { ($0, min(nb, n - $0)) }
  }

  /// An uninitialized scratch buffer of floats that the caller frees (no zero fill, no copy-on-write).
  struct Scratch {
    let p: UnsafeMutablePointer<Float>

    init(_ count: Int) { p = .allocate(capacity: max(count, 1)) }

    func free() { p.deallocate() }
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

/// Makes glibc's malloc keep freed large blocks (im2col matrices, activations) in the heap instead of
/// unmapping them, so the next training step reuses them without page faults. Without it every
/// large temporary costs a fresh mmap plus kernel page zeroing; for the DCGAN-MNIST convolutions at
/// batch 64 that was about 2/3 of the first layer's time. Process-wide and opt-in: call it once at
/// start-up of a training process (the resident set then stays at its peak). Returns false where it
/// is unsupported (non-glibc platforms).
@discardableResult
public func keepLargeAllocationsResident() -> Bool {
  #if canImport(Glibc)
    // mallopt lives in <malloc.h>, which the Glibc module does not export: look it up by name.
    guard let symbol = dlsym(nil, "mallopt") else { return false }
    let mallopt = unsafeBitCast(symbol, to: (@convention(c) (Int32, Int32) -> Int32).self)
    let (trimThreshold, mmapThreshold): (Int32, Int32) = (-1, -3)  // M_TRIM_THRESHOLD, M_MMAP_THRESHOLD
    return mallopt(mmapThreshold, 1 << 30) == 1 && mallopt(trimThreshold, Int32.max) == 1
  #else
    return false
  #endif
}
