// LSTM ops on the tape. Sequences are time-major: `[T, B, features]`, so that the rows of one
// time step are contiguous and every step is a plain GEMM on a `[B, features]` block.
//
// Gates: z = x·W_ih + h·W_hh + b with W_ih `[I, 4H]`, W_hh `[H, 4H]`, b `[4H]`, blocks ordered
// i, f, g, o (as PyTorch, whose `weight_ih_l0` `[4H, I]` is the transpose of W_ih);
// i, f, o = σ(·), g = tanh(·), c' = f·c + i·g, h' = o·tanh(c').

/// The (h, c) state of one LSTM layer and direction, each `[B, H]`.
public struct LSTMState {
  /// The hidden state h `[B, H]`.
  public var h: Variable
  /// The cell state c `[B, H]`.
  public var c: Variable
  /// Creates a state from h and c, each `[B, H]`.
  public init(h: Variable, c: Variable) {
    self.h = h
    self.c = c
  }
}

/// One fused LSTM step: returns (h', c'), each `[B, H]`, for x `[B, I]`, h, c `[B, H]`,
/// wIH `[I, 4H]`, wHH `[H, 4H]`, bias `[4H]`. The whole cell is one tape node.
public func lstmCell(
  _ x: Variable, h: Variable, c: Variable, wIH: Variable, wHH: Variable, bias: Variable
) -> (h: Variable, c: Variable) {
  precondition(x.rank == 2, "lstmCell needs x [B, I], got \(x.shape)")
  let r = lstmSequence(
    x.reshaped([1, x.shape[0], x.shape[1]]), initial: LSTMState(h: h, c: c),
    wIH: wIH, wHH: wHH, bias: bias)
  return (r.state.h, r.state.c)
}

/// Runs one LSTM layer in one direction over `input` `[T, B, I]` (one tape node for the whole
/// sequence). Returns the outputs `[T, B, H]` and the final state.
///
/// - `initial`: the starting state (zeros when nil).
/// - `lengths`: per batch element, the number of real steps (≤ T). Steps at `t >= length`
///   leave the state unchanged and output zeros, so the final state is the one after the last
///   real token.
/// - `reverse`: process t = T-1 … 0 (with lengths, each sequence starts at its last real token).
public func lstmSequence(
  _ input: Variable, initial: LSTMState? = nil, wIH: Variable, wHH: Variable, bias: Variable,
  lengths: [Int]? = nil, reverse: Bool = false
) -> (output: Variable, state: LSTMState) {
  precondition(input.rank == 3, "lstmSequence needs input [T, B, I], got \(input.shape)")
  let (t, b, inSize) = (input.shape[0], input.shape[1], input.shape[2])
  let hid = wHH.shape[0]
  let g4 = 4 * hid
  precondition(wIH.shape == [inSize, g4], "W_ih \(wIH.shape), expected [\(inSize), \(g4)]")
  precondition(wHH.shape == [hid, g4], "W_hh \(wHH.shape), expected [\(hid), \(g4)]")
  precondition(bias.shape == [g4], "bias \(bias.shape), expected [\(g4)]")
  if let initial {
    precondition(
      initial.h.shape == [b, hid] && initial.c.shape == [b, hid],
      "initial state shapes \(initial.h.shape), \(initial.c.shape), expected [\(b), \(hid)]")
  }
  if let lengths {
    precondition(
      lengths.count == b && lengths.allSatisfy { $0 >= 0 && $0 <= t }, "lengths \(lengths) for batch \(b), T \(t)")
  }
  let masks: [[Float]?] = (0..<t).map { step in
    guard let lengths, lengths.contains(where: { $0 <= step }) else { return nil }
    return lengths.map { step < $0 ? 1 : 0 }
  }
  let bh = b * hid
  let times = reverse ? Array((0..<t).reversed()) : Array(0..<t)

  // Caches, all indexed by time: activated gates, the state entering the step, tanh(c').
  let acts = SeqBuffer(uninitialized: t * b * g4)
  let hp = SeqBuffer(uninitialized: t * bh)
  let cp = SeqBuffer(uninitialized: t * bh)
  let tc = SeqBuffer(uninitialized: t * bh)
  // Result: outputs [T, B, H], then final h, then final c.
  let packed = SeqBuffer(zeros: (t + 2) * bh)
  let stepT = SeqBuffer(uninitialized: b * g4)  // one step's recurrent GEMM, transposed
  let hN = packed.p + t * bh
  let cN = hN + bh

  let x = input.value.data
  let wih = wIH.value.data
  let whh = wHH.value.data
  let bv = bias.value.data
  let h0 = initial?.h.value.data ?? []
  let c0 = initial?.c.value.data ?? []
  seqWithPointers([x, wih, whh, bv, h0, c0]) { p in
    let (px, pwih, pwhh, pb) = (p[0], p[1], p[2], p[3])
    // Gates of every step: bias + X·W_ih in one GEMM.
    for row in 0..<(t * b) { (acts.p + row * g4).update(from: pb, count: g4) }
    BLAS.seqGemm(
      transA: false, transB: false, m: t * b, n: g4, k: inSize, px, lda: inSize, pwih, ldb: g4,
      beta: 1, acts.p, ldc: g4)
    if initial != nil {
      hN.update(from: p[4], count: bh)
      cN.update(from: p[5], count: bh)
    }
    // hN, cN hold the running state; each step copies it in as its "previous" state.
    for (s, time) in times.enumerated() {
      let hPrev = hp.p + time * bh
      let cPrev = cp.p + time * bh
      hPrev.update(from: hN, count: bh)
      cPrev.update(from: cN, count: bh)
      let gates = acts.p + time * b * g4
      if s > 0 || initial != nil {
        // gates += hPrev · W_hh, computed as (W_hhᵀ · hPrevᵀ) [4H, B] and added transposed: OpenBLAS
        // runs this orientation 1.25-1.5x faster at batch 32 (more at 8, about even at 128)
        BLAS.seqGemm(
          transA: true, transB: true, m: g4, n: b, k: hid, pwhh, lda: g4, hPrev, ldb: hid, beta: 0, stepT.p, ldc: b)
        TransposeKernels.transpose(stepT.p, rows: g4, cols: b, srcStride: b, gates, dstStride: g4, accumulate: true)
      }
      LSTMKernels.forward(
        rows: b, h: hid, gates: gates, hPrev: hPrev, cPrev: cPrev, hNext: hN, cNext: cN,
        tanhC: tc.p + time * bh, out: packed.p + time * bh, mask: masks[time])
    }
  }

  var parents = [input, wIH, wHH, bias]
  if let initial { parents += [initial.h, initial.c] }
  let node = Variable.make(Tensor(shape: [t + 2, b, hid], data: packed.array), parents) { g in
    let dGates = SeqBuffer(uninitialized: t * b * g4)
    let dh = SeqBuffer(zeros: bh)
    let dc = SeqBuffer(zeros: bh)
    let dhT = SeqBuffer(uninitialized: bh)
    var dx = [Float](repeating: 0, count: input.requiresGrad ? t * b * inSize : 0)
    var dwih = [Float](repeating: 0, count: wIH.requiresGrad ? inSize * g4 : 0)
    var dwhh = [Float](repeating: 0, count: wHH.requiresGrad ? hid * g4 : 0)
    var db = [Float](repeating: 0, count: bias.requiresGrad ? g4 : 0)
    seqWithPointers([g.data, x, wih, whh]) { p in
      let (pg, px, pwih, pwhh) = (p[0], p[1], p[2], p[3])
      dh.p.update(from: pg + t * bh, count: bh)
      dc.p.update(from: pg + (t + 1) * bh, count: bh)
      for time in times.reversed() {
        let dG = dGates.p + time * b * g4
        LSTMKernels.backward(
          rows: b, h: hid, gates: acts.p + time * b * g4, cPrev: cp.p + time * bh,
          tanhC: tc.p + time * bh, gOut: pg + time * bh, dh: dh.p, dc: dc.p, dGates: dG,
          mask: masks[time])
        // dh += dG · W_hhᵀ, computed as (W_hh · dGᵀ) [H, B] and added transposed (the faster orientation)
        BLAS.seqGemm(
          transA: false, transB: true, m: hid, n: b, k: g4, pwhh, lda: g4, dG, ldb: g4, beta: 0, dhT.p, ldc: b,
          oneDNN: true)
        TransposeKernels.transpose(dhT.p, rows: hid, cols: b, srcStride: b, dh.p, dstStride: hid, accumulate: true)
      }
      let rows = t * b
      if !dx.isEmpty {
        dx.withUnsafeMutableBufferPointer {
          BLAS.seqGemm(
            transA: false, transB: true, m: rows, n: inSize, k: g4, dGates.p, lda: g4, pwih,
            ldb: g4, beta: 0, $0.baseAddress!, ldc: inSize)
        }
      }
      if !dwih.isEmpty {
        dwih.withUnsafeMutableBufferPointer {
          BLAS.seqGemm(
            transA: true, transB: false, m: inSize, n: g4, k: rows, px, lda: inSize, dGates.p,
            ldb: g4, beta: 0, $0.baseAddress!, ldc: g4)
        }
      }
      if !dwhh.isEmpty {
        dwhh.withUnsafeMutableBufferPointer {
          BLAS.seqGemm(
            transA: true, transB: false, m: hid, n: g4, k: rows, hp.p, lda: hid, dGates.p,
            ldb: g4, beta: 0, $0.baseAddress!, ldc: g4)
        }
      }
      if !db.isEmpty {
        db.withUnsafeMutableBufferPointer { d in
          for row in 0..<rows {
            let src = dGates.p + row * g4
            for j in 0..<g4 { d[j] += src[j] }
          }
        }
      }
    }
    if !dx.isEmpty { input.accumulate(Tensor(shape: input.shape, data: dx)) }
    if !dwih.isEmpty { wIH.accumulate(Tensor(shape: wIH.shape, data: dwih)) }
    if !dwhh.isEmpty { wHH.accumulate(Tensor(shape: wHH.shape, data: dwhh)) }
    if !db.isEmpty { bias.accumulate(Tensor(shape: bias.shape, data: db)) }
    if let initial {
      if initial.h.requiresGrad { initial.h.accumulate(Tensor(shape: [b, hid], data: dh.array)) }
      if initial.c.requiresGrad { initial.c.accumulate(Tensor(shape: [b, hid], data: dc.array)) }
    }
  }
  let output = node.seqRows(0, count: t * bh, shape: [t, b, hid])
  let h = node.seqRows(t * bh, count: bh, shape: [b, hid])
  let c = node.seqRows((t + 1) * bh, count: bh, shape: [b, hid])
  return (output, LSTMState(h: h, c: c))
}

extension Variable {
  /// Elements `offset..<offset+count` of the flattened value, reshaped to `shape`.
  func seqRows(_ offset: Int, count: Int, shape: [Int]) -> Variable {
    let total = value.count
    let fullShape = self.shape
    let part = Array(value.data[offset..<(offset + count)])
    return Variable.make(Tensor(shape: shape, data: part), [self]) { [self] g in
      var d = [Float](repeating: 0, count: total)
      d.withUnsafeMutableBufferPointer { dst in
        g.data.withUnsafeBufferPointer { src in
          (dst.baseAddress! + offset).update(from: src.baseAddress!, count: count)
        }
      }
      self.accumulate(Tensor(shape: fullShape, data: d))
    }
  }

  /// Inverted dropout: zeroes each element with probability `p` and scales the rest by 1/(1-p).
  func seqDropout(_ p: Float, rng: inout SeededRandom) -> Variable {
    guard p > 0 else { return self }
    let keep = 1 - p
    let scale = keep > 0 ? 1 / keep : 0
    var mask = [Float](repeating: 0, count: value.count)
    for i in 0..<mask.count { mask[i] = rng.uniform() < keep ? scale : 0 }
    var out = value.data
    for i in 0..<out.count { out[i] *= mask[i] }
    return Variable.make(Tensor(shape: shape, data: out), [self]) { [self] g in
      var d = g.data
      for i in 0..<d.count { d[i] *= mask[i] }
      self.accumulate(Tensor(shape: g.shape, data: d))
    }
  }
}

/// A multi-layer (optionally bidirectional) LSTM over time-major sequences `[T, B, I]`.
///
/// Parameters per layer l: `layer{l}.w_ih` `[I_l, 4H]`, `layer{l}.w_hh` `[H, 4H]`,
/// `layer{l}.bias` `[4H]`, and for the backward direction `layer{l}.reverse.*`. A
/// bidirectional layer outputs `[T, B, 2H]` (forward then backward features). Dropout with
/// probability `dropout` is applied to the input of every layer after the first, in training.
public final class LSTM: Module {
  /// Features I per input time step.
  public let inputSize: Int
  /// Hidden units H per direction.
  public let hiddenSize: Int
  /// Stacked layers.
  public let numLayers: Int
  /// Whether every layer also runs backward in time (outputs `[T, B, 2H]`).
  public let bidirectional: Bool
  /// Dropout probability on the input of every layer after the first, in training.
  public var dropout: Float
  /// `cells[l][d]` = (W_ih, W_hh, bias) of layer l, direction d (0 forward, 1 backward).
  public let cells: [[(wIH: Variable, wHH: Variable, bias: Variable)]]

  /// Weights are drawn from U(-1/√H, 1/√H) (as PyTorch); the forget-gate bias block gets
  /// `forgetBias` added.
  public init(
    inputSize: Int, hiddenSize: Int, numLayers: Int = 1, bidirectional: Bool = false,
    dropout: Float = 0, forgetBias: Float = 0, rng: inout SeededRandom
  ) {
    self.inputSize = inputSize
    self.hiddenSize = hiddenSize
    self.numLayers = numLayers
    self.bidirectional = bidirectional
    self.dropout = dropout
    let k = 1 / Float(max(hiddenSize, 1)).squareRoot()
    let dirs = bidirectional ? 2 : 1
    var cells: [[(wIH: Variable, wHH: Variable, bias: Variable)]] = []
    for l in 0..<numLayers {
      let inSize = l == 0 ? inputSize : hiddenSize * dirs
      var layer: [(wIH: Variable, wHH: Variable, bias: Variable)] = []
      for d in 0..<dirs {
        let prefix = "layer\(l)" + (d == 1 ? ".reverse" : "")
        let wih = rng.uniformTensor([inSize, 4 * hiddenSize], -k, k)
        let whh = rng.uniformTensor([hiddenSize, 4 * hiddenSize], -k, k)
        var b = rng.uniformTensor([4 * hiddenSize], -k, k)
        for j in hiddenSize..<(2 * hiddenSize) { b.data[j] += forgetBias }
        layer.append(
          (
            Variable(wih, requiresGrad: true, name: "\(prefix).w_ih"),
            Variable(whh, requiresGrad: true, name: "\(prefix).w_hh"),
            Variable(b, requiresGrad: true, name: "\(prefix).bias")
          ))
      }
      cells.append(layer)
    }
    self.cells = cells
  }

  /// `layer{l}.w_ih`, `layer{l}.w_hh`, `layer{l}.bias` per layer, and `layer{l}.reverse.*` for the backward direction.
  public var namedParameters: [(String, Variable)] {
    var list: [(String, Variable)] = []
    for (l, layer) in cells.enumerated() {
      for (d, cell) in layer.enumerated() {
        let prefix = "layer\(l)" + (d == 1 ? ".reverse" : "")
        list += [("\(prefix).w_ih", cell.wIH), ("\(prefix).w_hh", cell.wHH), ("\(prefix).bias", cell.bias)]
      }
    }
    return list
  }

  /// Runs the LSTM without dropout (evaluation). See
  /// ``callAsFunction(_:initialStates:lengths:training:rng:)``.
  public func callAsFunction(
    _ input: Variable, initialStates: [LSTMState]? = nil, lengths: [Int]? = nil
  ) -> (output: Variable, states: [LSTMState]) {
    var rng = SeededRandom(seed: 0)
    return self(input, initialStates: initialStates, lengths: lengths, training: false, rng: &rng)
  }

  /// Runs the LSTM over `input` `[T, B, I]`. Returns the top layer's outputs `[T, B, H·dirs]`
  /// (zeros at padded steps) and the final state of every layer and direction, ordered
  /// layer 0 forward, layer 0 backward, layer 1 forward, ... `initialStates` (same order)
  /// defaults to zeros; `lengths` gives each batch element's number of real steps.
  public func callAsFunction(
    _ input: Variable, initialStates: [LSTMState]? = nil, lengths: [Int]? = nil,
    training: Bool, rng: inout SeededRandom
  ) -> (output: Variable, states: [LSTMState]) {
    precondition(
      input.rank == 3 && input.shape[2] == inputSize, "LSTM input \(input.shape), expected [T, B, \(inputSize)]")
    let dirs = bidirectional ? 2 : 1
    if let initialStates {
      precondition(
        initialStates.count == numLayers * dirs,
        "\(initialStates.count) initial states for \(numLayers * dirs) layer directions")
    }
    var x = input
    var states: [LSTMState] = []
    for (l, layer) in cells.enumerated() {
      if l > 0 && training && dropout > 0 { x = x.seqDropout(dropout, rng: &rng) }
      var outs: [Variable] = []
      for (d, cell) in layer.enumerated() {
        let r = lstmSequence(
          x, initial: initialStates?[l * dirs + d], wIH: cell.wIH, wHH: cell.wHH, bias: cell.bias,
          lengths: lengths, reverse: d == 1)
        outs.append(r.output)
        states.append(r.state)
      }
      x = outs.count == 1 ? outs[0] : concat(outs, axis: 2)
    }
    return (x, states)
  }
}
