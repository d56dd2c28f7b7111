import Foundation

// The dense layer y = x · W + b as one tape node: the bias is added in place into the GEMM's output
// (no broadcast temporary, no zero-filled copy), and the backward pass sums the bias gradient over
// the rows with vector loads. Same operations in the same order as `matmul(x, W) + b`, so the values
// are identical; on the seq2seq vocabulary projection ([960, 256] · [256, 8000]) the broadcast add and
// its reduction were ~4.5 % of the training step.

/// Which of the Engine's fused kernels and reuses are in use (for paired comparisons against the plain ops).
public enum Fusion {
  /// Whether ``Linear`` runs through ``linear(_:_:bias:)`` (`true`, the default) or through
  /// `matmul(x, W) + b`. The environment variable `AUTOLOSS_FUSED=off` sets it to `false` at start.
  nonisolated(unsafe) public static var linear: Bool = ProcessInfo.processInfo.environment["AUTOLOSS_FUSED"] != "off"

  /// Whether an im2col conv2d keeps its unfolded input from the forward pass for the weight gradient
  /// (`true`, the default: no second transpose and im2col in the backward pass, at the cost of holding
  /// `C·kh·kw × outH·outW × N` floats until the tape is released) or unfolds it again (`false`).
  /// `AUTOLOSS_FUSED=off` sets it to `false` at start.
  nonisolated(unsafe) public static var convColumns: Bool =
    ProcessInfo.processInfo.environment["AUTOLOSS_FUSED"] != "off"
}

/// x · W + b for x `[batch, inputSize]`, W `[inputSize, outputSize]` and an optional b `[outputSize]`,
/// recorded as one node (the GEMMs run through OpenBLAS, as ``matmul(_:_:transA:transB:)``).
public func linear(_ x: Variable, _ weight: Variable, bias: Variable?) -> Variable {
  precondition(
    x.rank == 2 && weight.rank == 2, "linear needs [batch, in] and [in, out], got \(x.shape), \(weight.shape)")
  let (rows, outputs) = (x.shape[0], weight.shape[1])
  if let bias { precondition(bias.shape == [outputs], "linear bias \(bias.shape) for \(outputs) outputs") }
  let (vx, vw) = (x.value, weight.value)
  var out = BLAS.matmul(vx, vw)
  if let b = bias?.value {
    out.data.withUnsafeMutableBufferPointer { po in
      b.data.withUnsafeBufferPointer { pb in
        LinearKernels.addRows(pb.baseAddress!, into: po.baseAddress!, rows: rows, columns: outputs)
      }
    }
  }
  let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
  return Variable.make(out, inputs) { g in
    if let bias, bias.requiresGrad {
      let db = [Float](unsafeUninitializedCapacity: outputs) { buf, count in
        g.data.withUnsafeBufferPointer { pg in
          LinearKernels.sumRows(pg.baseAddress!, rows: rows, columns: outputs, into: buf.baseAddress!)
        }
        count = outputs
      }
      bias.accumulate(Tensor(shape: [outputs], data: db))
    }
    if x.requiresGrad { x.accumulate(BLAS.matmul(g, vw, transB: true)) }
    if weight.requiresGrad { weight.accumulate(BLAS.matmul(vx, g, transA: true)) }
  }
}

/// Row-broadcast kernels on raw buffers, eight lanes at a time.
enum LinearKernels {
  /// y[r, j] += b[j] for every row r of `y[rows, columns]`.
  static func addRows(_ b: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, rows: Int, columns: Int) {
    typealias V = SIMD8<Float>
    let rb = UnsafeRawPointer(b)
    for r in 0..<rows {
      let row = UnsafeMutableRawPointer(y + r &* columns)
      var j = 0
      while j &+ 8 <= columns {
        let sum =
          row.loadUnaligned(fromByteOffset: j &* 4, as: V.self) + rb.loadUnaligned(fromByteOffset: j &* 4, as: V.self)
        row.storeBytes(of: sum, toByteOffset: j &* 4, as: V.self)
        j &+= 8
      }
      let tail = y + r &* columns
      while j < columns {
        tail[j] += b[j]
        j &+= 1
      }
    }
  }

  /// s[j] = Σ_r g[r, j] over the rows of `g[rows, columns]`, rows added in order (as a scalar loop).
  static func sumRows(_ g: UnsafePointer<Float>, rows: Int, columns: Int, into s: UnsafeMutablePointer<Float>) {
    typealias V = SIMD8<Float>
    s.update(repeating: 0, count: columns)
    let rs = UnsafeMutableRawPointer(s)
    for r in 0..<rows {
      let row = UnsafeRawPointer(g + r &* columns)
      var j = 0
      while j &+ 8 <= columns {
        let sum =
          rs.loadUnaligned(fromByteOffset: j &* 4, as: V.self) + row.loadUnaligned(fromByteOffset: j &* 4, as: V.self)
        rs.storeBytes(of: sum, toByteOffset: j &* 4, as: V.self)
        j &+= 8
      }
      let tail = g + r &* columns
      while j < columns {
        s[j] += tail[j]
        j &+= 1
      }
    }
  }
}
