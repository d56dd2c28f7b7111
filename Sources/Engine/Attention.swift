// Luong (multiplicative) attention over time-major sequences, as one tape node.

/// How a decoder state h_t is scored against an encoder state h_s.
public enum LuongScore: Sendable, Equatable {
  /// score = h_t · h_s.
  case dot
  /// score = h_t · (h_s · W_a), W_a `[H, H]`.
  case general
}

/// Luong attention without input feeding, batched with GEMMs.
///
/// For decoder states `query` `[Td, B, H]` and encoder outputs `memory` `[Te, B, H]`:
/// keys K = memory · W_a (general) or memory (dot); scores[b, t, s] = q[t, b] · K[s, b];
/// weights = softmax over s with `sourceMask[b, s] == 0` positions excluded (weight 0; a row
/// with no real position gets all-zero weights); context[t, b] = Σ_s weights[b, t, s] · memory[s, b];
/// output = tanh([context; q] · W_c) with W_c `[2H, H]` (context rows first).
/// Returns the output `[Td, B, H]` and the weights `[B, Td, Te]` (a constant, for inspection).
public func luongAttention(
  query: Variable, memory: Variable, wA: Variable?, wC: Variable, sourceMask: Tensor? = nil
) -> (output: Variable, weights: Tensor) {
  precondition(
    query.rank == 3 && memory.rank == 3, "attention needs [T, B, H] inputs, got \(query.shape), \(memory.shape)")
  let (td, b, h) = (query.shape[0], query.shape[1], query.shape[2])
  let te = memory.shape[0]
  precondition(memory.shape[1] == b && memory.shape[2] == h, "memory \(memory.shape) for query \(query.shape)")
  precondition(wC.shape == [2 * h, h], "W_c \(wC.shape), expected [\(2 * h), \(h)]")
  if let wA { precondition(wA.shape == [h, h], "W_a \(wA.shape), expected [\(h), \(h)]") }
  if let sourceMask {
    precondition(sourceMask.shape == [b, te], "source mask \(sourceMask.shape), expected [\(b), \(te)]")
  }
  let bh = b * h
  let tt = td * te
  let q = query.value.data
  let m = memory.value.data
  let wa = wA?.value.data ?? []
  let wc = wC.value.data
  let mask = sourceMask?.data

  let keys = SeqBuffer(zeros: wA == nil ? 0 : te * bh)
  let w = SeqBuffer(zeros: b * tt)
  let ctx = SeqBuffer(zeros: td * bh)
  var out = [Float](repeating: 0, count: td * bh)
  seqWithPointers([q, m, wa, wc]) { p in
    let (pq, pm, pwa, pwc) = (p[0], p[1], p[2], p[3])
    if wA != nil {
      BLAS.seqGemm(
        transA: false, transB: false, m: te * b, n: h, k: h, pm, lda: h, pwa, ldb: h, beta: 0,
        keys.p, ldc: h, oneDNN: true)
    }
    let pk = wA == nil ? pm : UnsafePointer(keys.p)
    for bi in 0..<b {
      let s = w.p + bi * tt
      BLAS.seqGemm(
        transA: false, transB: true, m: td, n: te, k: h, pq + bi * h, lda: bh, pk + bi * h,
        ldb: bh, beta: 0, s, ldc: te, oneDNN: true)
      for t in 0..<td { seqMaskedSoftmax(s + t * te, count: te, mask: mask, maskOffset: bi * te) }
      BLAS.seqGemm(
        transA: false, transB: false, m: td, n: h, k: te, s, lda: te, pm + bi * h, ldb: bh,
        beta: 0, ctx.p + bi * h, ldc: bh, oneDNN: true)
    }
    out.withUnsafeMutableBufferPointer { o in
      let po = o.baseAddress!
      BLAS.seqGemm(
        transA: false, transB: false, m: td * b, n: h, k: h, ctx.p, lda: h, pwc, ldb: h, beta: 0,
        po, ldc: h, oneDNN: true)
      BLAS.seqGemm(
        transA: false, transB: false, m: td * b, n: h, k: h, pq, lda: h, pwc + h * h, ldb: h,
        beta: 1, po, ldc: h, oneDNN: true)
      for i in 0..<(td * bh) { po[i] = SeqMath.tanh(po[i]) }
    }
  }
  let y = out
  var parents = [query, memory, wC]
  if let wA { parents.append(wA) }
  let node = Variable.make(Tensor(shape: [td, b, h], data: y), parents) { g in
    let dpre = SeqBuffer(zeros: td * bh)
    let dctx = SeqBuffer(zeros: td * bh)
    let dS = SeqBuffer(zeros: b * tt)
    let dK = SeqBuffer(zeros: te * bh)
    var dq = [Float](repeating: 0, count: td * bh)
    var dm = [Float](repeating: 0, count: te * bh)
    var dwc = [Float](repeating: 0, count: 2 * h * h)
    var dwa = [Float](repeating: 0, count: wA == nil ? 0 : h * h)
    seqWithPointers([g.data, y, q, m, wa, wc]) { p in
      let (pg, py, pq, pm, pwa, pwc) = (p[0], p[1], p[2], p[3], p[4], p[5])
      let pk = wA == nil ? pm : UnsafePointer(keys.p)
      for i in 0..<(td * bh) { dpre.p[i] = pg[i] * (1 - py[i] * py[i]) }
      dwc.withUnsafeMutableBufferPointer { d in
        BLAS.seqGemm(
          transA: true, transB: false, m: h, n: h, k: td * b, ctx.p, lda: h, dpre.p, ldb: h,
          beta: 0, d.baseAddress!, ldc: h)
        BLAS.seqGemm(
          transA: true, transB: false, m: h, n: h, k: td * b, pq, lda: h, dpre.p, ldb: h,
          beta: 0, d.baseAddress! + h * h, ldc: h)
      }
      BLAS.seqGemm(
        transA: false, transB: true, m: td * b, n: h, k: h, dpre.p, lda: h, pwc, ldb: h, beta: 0,
        dctx.p, ldc: h)
      dq.withUnsafeMutableBufferPointer { dqb in
        dm.withUnsafeMutableBufferPointer { dmb in
          let pdq = dqb.baseAddress!
          let pdm = dmb.baseAddress!
          BLAS.seqGemm(
            transA: false, transB: true, m: td * b, n: h, k: h, dpre.p, lda: h, pwc + h * h,
            ldb: h, beta: 0, pdq, ldc: h)
          for bi in 0..<b {
            let wb = w.p + bi * tt
            let ds = dS.p + bi * tt
            // dWeights = dctx_b · memory_bᵀ; dMemory_b += weightsᵀ · dctx_b.
            BLAS.seqGemm(
              transA: false, transB: true, m: td, n: te, k: h, dctx.p + bi * h, lda: bh,
              pm + bi * h, ldb: bh, beta: 0, ds, ldc: te, oneDNN: true)
            BLAS.seqGemm(
              transA: true, transB: false, m: te, n: h, k: td, wb, lda: te, dctx.p + bi * h,
              ldb: bh, beta: 1, pdm + bi * h, ldc: bh, oneDNN: true)
            // Softmax backward: dS = w · (dW - Σ dW·w).
            for t in 0..<td {
              let wr = wb + t * te
              let dr = ds + t * te
              var dot: Float = 0
              for s in 0..<te { dot += dr[s] * wr[s] }
              for s in 0..<te { dr[s] = wr[s] * (dr[s] - dot) }
            }
            // dQuery_b += dS · K_b; dK_b = dSᵀ · query_b.
            BLAS.seqGemm(
              transA: false, transB: false, m: td, n: h, k: te, ds, lda: te, pk + bi * h,
              ldb: bh, beta: 1, pdq + bi * h, ldc: bh, oneDNN: true)
            BLAS.seqGemm(
              transA: true, transB: false, m: te, n: h, k: td, ds, lda: te, pq + bi * h,
              ldb: bh, beta: 0, dK.p + bi * h, ldc: bh, oneDNN: true)
          }
          if wA != nil {
            dwa.withUnsafeMutableBufferPointer { d in
              BLAS.seqGemm(
                transA: true, transB: false, m: h, n: h, k: te * b, pm, lda: h, dK.p, ldb: h,
                beta: 0, d.baseAddress!, ldc: h)
            }
            BLAS.seqGemm(
              transA: false, transB: true, m: te * b, n: h, k: h, dK.p, lda: h, pwa, ldb: h,
              beta: 1, pdm, ldc: h)
          } else {
            for i in 0..<(te * bh) { pdm[i] += dK.p[i] }
          }
        }
      }
    }
    query.accumulate(Tensor(shape: query.shape, data: dq))
    memory.accumulate(Tensor(shape: memory.shape, data: dm))
    wC.accumulate(Tensor(shape: wC.shape, data: dwc))
    if let wA { wA.accumulate(Tensor(shape: wA.shape, data: dwa)) }
  }
  return (node, Tensor(shape: [b, td, te], data: w.array))
}

/// Softmax in place over `count` scores, skipping positions whose mask entry is 0
/// (they get weight 0; with no unmasked position every weight is 0).
@inline(__always)
func seqMaskedSoftmax(
  _ s: UnsafeMutablePointer<Float>, count: Int, mask: [Float]?, maskOffset: Int
) {
  var mx = -Float.infinity
  for j in 0..<count where mask == nil || mask![maskOffset + j] != 0 { mx = max(mx, s[j]) }
  guard mx > -Float.infinity else {
    s.update(repeating: 0, count: count)
    return
  }
  var sum: Float = 0
  for j in 0..<count {
    let e: Float = (mask == nil || mask![maskOffset + j] != 0) ? SeqMath.exp(s[j] - mx) : 0
    s[j] = e
    sum += e
  }
  let inv = 1 / sum
  for j in 0..<count { s[j] *= inv }
}

/// Luong attention with a learned output layer W_c `[2H, H]` (`w_c`) and, for the general
/// score, W_a `[H, H]` (`w_a`); see ``luongAttention(query:memory:wA:wC:sourceMask:)``.
public final class LuongAttention: Module {
  /// How query and memory are scored.
  public let score: LuongScore
  /// W_a `[H, H]` of the general score; nil for the dot score.
  public let wA: Variable?
  /// W_c `[2H, H]`: the output is tanh([context, query]·W_c).
  public let wC: Variable

  /// Weights are Xavier-uniform.
  public init(hiddenSize: Int, score: LuongScore = .general, rng: inout SeededRandom) {
    self.score = score
    wA =
      score == .general
      ? Variable(
        Initializer.xavierUniform.make([hiddenSize, hiddenSize], fanIn: hiddenSize, fanOut: hiddenSize, rng: &rng),
        requiresGrad: true, name: "w_a")
      : nil
    wC = Variable(
      Initializer.xavierUniform.make(
        [2 * hiddenSize, hiddenSize], fanIn: 2 * hiddenSize, fanOut: hiddenSize, rng: &rng),
      requiresGrad: true, name: "w_c")
  }

  /// `w_a` (general score only) and `w_c`.
  public var namedParameters: [(String, Variable)] {
    var list: [(String, Variable)] = []
    if let wA { list.append(("w_a", wA)) }
    list.append(("w_c", wC))
    return list
  }

  /// Attends from `query` `[Td, B, H]` over `memory` `[Te, B, H]`; `sourceMask` `[B, Te]` is 1
  /// at real and 0 at padded source positions. Returns the output `[Td, B, H]` and weights `[B, Td, Te]`.
  public func callAsFunction(
    query: Variable, memory: Variable, sourceMask: Tensor? = nil
  ) -> (output: Variable, weights: Tensor) {
    luongAttention(query: query, memory: memory, wA: wA, wC: wC, sourceMask: sourceMask)
  }

  /// A `[B, T]` mask with 1 at positions `t < lengths[b]` and 0 elsewhere.
  public static func mask(lengths: [Int], maxLength: Int) -> Tensor {
    var d = [Float](repeating: 0, count: lengths.count * maxLength)
    for (b, n) in lengths.enumerated() { for t in 0..<min(max(n, 0), maxLength) { d[b * maxLength + t] = 1 } }
    return Tensor(shape: [lengths.count, maxLength], data: d)
  }
}
