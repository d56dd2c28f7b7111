import CBLAS
import Foundation

// Raw-pointer kernels shared by the LSTM and attention ops: a strided GEMM, vectorizable
// exp/sigmoid/tanh, and the fused pointwise parts of one LSTM step (forward and backward).

/// An owned, fixed-size scratch buffer of floats (freed when the last reference goes).
final class SeqBuffer: @unchecked Sendable {
  let p: UnsafeMutablePointer<Float>
  let count: Int

  /// A zero-filled buffer of `count` floats.
  init(zeros count: Int) {
    self.count = count
    p = .allocate(capacity: max(count, 1))
    p.initialize(repeating: 0, count: max(count, 1))
  }

  /// A buffer of `count` floats whose contents the caller writes before reading.
  init(uninitialized count: Int) {
    self.count = count
    p = .allocate(capacity: max(count, 1))
  }

  deinit { p.deallocate() }

  /// The contents as an array.
  var array: [Float] { Array(UnsafeBufferPointer(start: p, count: count)) }
}

/// Runs `body` with stable base pointers of every array (a dummy pointer for empty arrays).
func seqWithPointers<R>(_ arrays: [[Float]], _ body: ([UnsafePointer<Float>]) -> R) -> R {
  func go(_ i: Int, _ acc: [UnsafePointer<Float>]) -> R {
    if i == arrays.count { return body(acc) }
    return arrays[i].withUnsafeBufferPointer { buf in
      if let base = buf.baseAddress { return go(i + 1, acc + [base]) }
      var dummy: Float = 0
      return withUnsafePointer(to: &dummy) { go(i + 1, acc + [$0]) }
    }
  }
  return go(0, [])
}

extension BLAS {
  /// C[m,n] = alpha · op(A) · op(B) + beta · C, row-major with explicit leading dimensions
  /// (so that one batch element of a time-major `[T, B, H]` array can be addressed in place).
  /// With ``DNNL/sequenceGEMMs`` on and either `oneDNN` (a shape class where `dnnl_sgemm` measured
  /// faster) or ``DNNL/everyGEMM``, it runs through oneDNN.
  @inline(__always)
  static func seqGemm(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
    _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
    beta: Float, _ c: UnsafeMutablePointer<Float>, ldc: Int, oneDNN: Bool = false
  ) {
    if m == 0 || n == 0 { return }
    if k == 0 {
      for i in 0..<m { for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] } }
      return
    }
    if (oneDNN || DNNL.everyGEMM) && DNNL.sequenceGEMMs
      && DNNL.gemm(
        transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a, lda: lda, b, ldb: ldb, beta: beta, c,
        ldc: ldc)
    {
      return
    }
    cblas_sgemm(
      CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
      Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
  }
}

/// Branch-free float approximations that the compiler can vectorize (relative error ~1e-7).
enum SeqMath {
  /// e^x for x clamped to [-87, 88] (Cephes polynomial on the reduced argument).
  @inline(__always)
  static func exp(_ x: Float) -> Float {
    let x = Swift.min(Swift.max(x, -87), 88)
    // Round to nearest by adding and subtracting 1.5·2²³ (vectorizes, unlike rintf);
    // k's bit pattern is 0x4B40_0000 + n.
    let k = x * 1.442_695_04 + 12_582_912
    let n = k - 12_582_912
    let r = x - n * 0.693_359_375 + n * 2.121_944_4e-4
    var p: Float = 1.987_569_15e-4
    p = p * r + 1.398_199_95e-3
    p = p * r + 8.333_451_9e-3
    p = p * r + 4.166_579_59e-2
    p = p * r + 1.666_666_55e-1
    p = p * r + 5.000_000_12e-1
    p = p * r * r + r + 1
    let bits = (k.bitPattern &- 0x4B40_0000 &+ 127) &<< 23
    return p * Float(bitPattern: bits)
  }

  /// 1 / (1 + e^-x).
  @inline(__always)
  static func sigmoid(_ x: Float) -> Float { 1 / (1 + exp(-x)) }

  /// tanh(x) = 1 - 2 / (e^{2x} + 1).
  @inline(__always)
  static func tanh(_ x: Float) -> Float { 1 - 2 / (exp(2 * x) + 1) }
}

/// The fused pointwise parts of an LSTM step on `rows` rows of hidden size `h`.
/// Gate blocks in a row of `[rows, 4h]` are ordered i, f, g, o (as PyTorch).
enum LSTMKernels {
  /// Forward: turns pre-activations into activations in place and computes
  /// c' = f·c + i·g, h' = o·tanh(c'). A row with mask 0 carries (h, c) through unchanged and
  /// outputs zeros. Writes `tanhC` (tanh c') for the backward pass; `out` may be nil.
  static func forward(
    rows: Int, h: Int, gates: UnsafeMutablePointer<Float>,
    hPrev: UnsafePointer<Float>, cPrev: UnsafePointer<Float>,
    hNext: UnsafeMutablePointer<Float>, cNext: UnsafeMutablePointer<Float>,
    tanhC: UnsafeMutablePointer<Float>, out: UnsafeMutablePointer<Float>?, mask: [Float]?
  ) {
    for r in 0..<rows {
      let gi = gates + r * 4 * h
      let gf = gi + h
      let gg = gf + h
      let go = gg + h
      let hp = hPrev + r * h
      let cp = cPrev + r * h
      let hn = hNext + r * h
      let cn = cNext + r * h
      let tc = tanhC + r * h
      if let mask, mask[r] == 0 {
        for j in 0..<h {
          hn[j] = hp[j]
          cn[j] = cp[j]
          tc[j] = 0
        }
        if let out { (out + r * h).update(repeating: 0, count: h) }
        continue
      }
      // Separate passes over few pointers each, so that every loop vectorizes.
      for j in 0..<(2 * h) { gi[j] = SeqMath.sigmoid(gi[j]) }
      for j in 0..<h { gg[j] = SeqMath.tanh(gg[j]) }
      for j in 0..<h { go[j] = SeqMath.sigmoid(go[j]) }
      for j in 0..<h { cn[j] = gf[j] * cp[j] + gi[j] * gg[j] }
      for j in 0..<h { tc[j] = SeqMath.tanh(cn[j]) }
      for j in 0..<h { hn[j] = go[j] * tc[j] }
      if let out { (out + r * h).update(from: hn, count: h) }
    }
  }

  /// Backward of ``forward(rows:h:gates:hPrev:cPrev:hNext:cNext:tanhC:out:mask:)`` for one step.
  /// On entry `dh`, `dc` hold dL/dh', dL/dc' of the carried state; `gOut` (may be nil) the
  /// gradient of the step's output. Writes the pre-activation gate gradients to `dGates` and
  /// leaves in `dh`, `dc` the gradients of the previous state, except for the recurrent
  /// term dGates · W_hhᵀ, which the caller adds to `dh` with a GEMM.
  static func backward(
    rows: Int, h: Int, gates: UnsafePointer<Float>, cPrev: UnsafePointer<Float>,
    tanhC: UnsafePointer<Float>, gOut: UnsafePointer<Float>?,
    dh: UnsafeMutablePointer<Float>, dc: UnsafeMutablePointer<Float>,
    dGates: UnsafeMutablePointer<Float>, mask: [Float]?
  ) {
    for r in 0..<rows {
      let dgi = dGates + r * 4 * h
      if let mask, mask[r] == 0 {
        // State passed through: dh, dc unchanged; no gate gradient.
        dgi.update(repeating: 0, count: 4 * h)
        continue
      }
      let gi = gates + r * 4 * h
      let gf = gi + h
      let gg = gf + h
      let go = gg + h
      let cp = cPrev + r * h
      let tc = tanhC + r * h
      let dhr = dh + r * h
      let dcr = dc + r * h
      let dgf = dgi + h
      let dgg = dgf + h
      let dgo = dgg + h
      if let gOut {
        let gr = gOut + r * h
        for j in 0..<h { dhr[j] += gr[j] }
      }
      // dc ← dc + dh·o·(1 - tanh²c'), then the gate gradients, then dc ← dc·f.
      for j in 0..<h { dcr[j] += dhr[j] * go[j] * (1 - tc[j] * tc[j]) }
      for j in 0..<h { dgo[j] = dhr[j] * tc[j] * go[j] * (1 - go[j]) }
      for j in 0..<h { dgi[j] = dcr[j] * gg[j] * gi[j] * (1 - gi[j]) }
      for j in 0..<h { dgf[j] = dcr[j] * cp[j] * gf[j] * (1 - gf[j]) }
      for j in 0..<h { dgg[j] = dcr[j] * gi[j] * (1 - gg[j] * gg[j]) }
      for j in 0..<h { dcr[j] *= gf[j] }
      dhr.update(repeating: 0, count: h)
    }
  }
}

extension SeqMath {
  /// The largest of `n` floats (−∞ for n = 0), in four SIMD4 lanes so that it vectorizes
  /// (`pointwiseMax` on wide SIMD types compiles to scalar code without a target CPU).
  @inline(__always)
  static func max(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
    var a = SIMD4<Float>(repeating: -.infinity)
    var (b, c, d) = (a, a, a)
    var j = 0
    let raw = UnsafeRawPointer(p)
    while j + 16 <= n {
      let v0 = raw.loadUnaligned(fromByteOffset: j * 4, as: SIMD4<Float>.self)
      let v1 = raw.loadUnaligned(fromByteOffset: j * 4 + 16, as: SIMD4<Float>.self)
      let v2 = raw.loadUnaligned(fromByteOffset: j * 4 + 32, as: SIMD4<Float>.self)
      let v3 = raw.loadUnaligned(fromByteOffset: j * 4 + 48, as: SIMD4<Float>.self)
      a = a.replacing(with: v0, where: v0 .> a)
      b = b.replacing(with: v1, where: v1 .> b)
      c = c.replacing(with: v2, where: v2 .> c)
      d = d.replacing(with: v3, where: v3 .> d)
      j += 16
    }
    a = a.replacing(with: b, where: b .> a)
    c = c.replacing(with: d, where: d .> c)
    a = a.replacing(with: c, where: c .> a)
    var m = a.max()
    while j < n {
      m = Swift.max(m, p[j])
      j += 1
    }
    return m
  }

  /// The sum of `n` floats, accumulated in 16 lanes (vectorizes; the order differs from a serial sum).
  @inline(__always)
  static func sum(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
    var acc = SIMD16<Float>(repeating: 0)
    var j = 0
    let raw = UnsafeRawPointer(p)
    while j + 16 <= n {
      acc += raw.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self)
      j += 16
    }
    var s = acc.sum()
    while j < n {
      s += p[j]
      j += 1
    }
    return s
  }
}
