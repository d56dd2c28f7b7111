// Strided 2-D transposes on raw buffers, used by the convolution kernels (batch-innermost layouts)
// and the LSTM (recurrent GEMMs in their faster orientation).

/// Blocked, vectorized 2-D transposes.
enum TransposeKernels {
  /// dst[c·dstStride + r] = src[r·srcStride + c] (+ `bias`) for r < rows, c < cols; with
  /// `accumulate` the transposed values are added to dst instead. Each 4×4 tile moves as four
  /// vector loads, eight two-source shuffles and four vector stores; rows and columns past the last multiple of 4 go
  /// element by element. A convolution's bias is added on the way (one pass over the output instead of two).
  static func transpose(
    _ src: UnsafePointer<Float>, rows: Int, cols: Int, srcStride: Int,
    _ dst: UnsafeMutablePointer<Float>, dstStride: Int, adding bias: Float = 0, accumulate: Bool = false
  ) {
    if accumulate {
      run(src, rows: rows, cols: cols, srcStride: srcStride, dst, dstStride: dstStride, bias: bias, accumulate: true)
    } else {
      run(src, rows: rows, cols: cols, srcStride: srcStride, dst, dstStride: dstStride, bias: bias, accumulate: false)
    }
  }

  /// `[rows, cols]` → `[cols, rows]`, contiguous.
  @inline(__always)
  static func transpose(_ src: UnsafePointer<Float>, rows: Int, cols: Int, _ dst: UnsafeMutablePointer<Float>) {
    transpose(src, rows: rows, cols: cols, srcStride: cols, dst, dstStride: rows)
  }

  /// The body of ``transpose(_:rows:cols:srcStride:_:dstStride:adding:accumulate:)``, inlined into
  /// each of its two call sites so that `accumulate` is a constant there.
  @inline(__always)
  private static func run(
    _ src: UnsafePointer<Float>, rows: Int, cols: Int, srcStride: Int,
    _ dst: UnsafeMutablePointer<Float>, dstStride: Int, bias: Float, accumulate: Bool
  ) {
    let (rows4, cols4) = (rows & ~3, cols & ~3)
    let b = SIMD4<Float>(repeating: bias)
    // A strip of 4 columns at a time writes 4 destination rows front to back; 256-row blocks keep
    // the source strip in cache for the next strip. (Square blocks wrote up to 32 destination rows
    // at once, which thrash one L1 set when dstStride is a multiple of 1024 floats, as in the LSTM.)
    let rowBlock = 256
    for r0 in stride(from: 0, to: rows4, by: rowBlock) {
      let r1 = min(r0 + rowBlock, rows4)
      for c in stride(from: 0, to: cols4, by: 4) {
        for r in stride(from: r0, to: r1, by: 4) {
          tile(
            src + (r &* srcStride &+ c), srcStride: srcStride, dst + (c &* dstStride &+ r), dstStride: dstStride,
            bias: b, accumulate: accumulate)
        }
      }
    }
    for r in 0..<rows where r >= rows4 || cols4 < cols {
      let s = src + r * srcStride
      for c in (r >= rows4 ? 0 : cols4)..<cols {
        let d = dst + c * dstStride + r
        d.pointee = (accumulate ? d.pointee : 0) + s[c] + bias
      }
    }
  }

  /// One 4×4 tile: dst[c·dstStride + r] (+)= src[r·srcStride + c] + bias.
  @inline(__always)
  private static func tile(
    _ src: UnsafePointer<Float>, srcStride: Int, _ dst: UnsafeMutablePointer<Float>, dstStride: Int,
    bias: SIMD4<Float>, accumulate: Bool
  ) {
    func load(_ p: UnsafePointer<Float>) -> SIMD4<Float> { UnsafeRawPointer(p).loadUnaligned(as: SIMD4<Float>.self) }
    func store(_ v: SIMD4<Float>, _ p: UnsafeMutablePointer<Float>) {
      let sum = accumulate ? v + bias + load(p) : v + bias
      UnsafeMutableRawPointer(p).storeBytes(of: sum, as: SIMD4<Float>.self)
    }
    let (a0, a1) = (load(src), load(src + srcStride))
    let (a2, a3) = (load(src + 2 &* srcStride), load(src + 3 &* srcStride))
    // interleave row pairs (unpcklps / unpckhps), then join the halves (movlhps / movhlps)
    let t0 = SIMD4(a0[0], a1[0], a0[1], a1[1])
    let t1 = SIMD4(a2[0], a3[0], a2[1], a3[1])
    let t2 = SIMD4(a0[2], a1[2], a0[3], a1[3])
    let t3 = SIMD4(a2[2], a3[2], a2[3], a3[3])
    store(SIMD4(t0[0], t0[1], t1[0], t1[1]), dst)
    store(SIMD4(t0[2], t0[3], t1[2], t1[3]), dst + dstStride)
    store(SIMD4(t2[0], t2[1], t3[0], t3[1]), dst + 2 &* dstStride)
    store(SIMD4(t2[2], t2[3], t3[2], t3[3]), dst + 3 &* dstStride)
  }
}
