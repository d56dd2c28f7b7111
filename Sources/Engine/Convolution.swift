// Differentiable 2-D convolution and transposed convolution (NCHW, im2col + GEMM).

/// 2-D cross-correlation (PyTorch `conv2d`, TensorFlow `conv2d` with NCHW data):
/// out[n, o, oh, ow] = bias[o] + Σ_{c,i,j} weight[o, c, i, j] · x[n, c, oh·s − padTop + i, ow·s − padLeft + j].
///
/// - Parameters:
///   - x: input `[N, C, H, W]`.
///   - weight: filters `[O, C, kh, kw]`.
///   - bias: optional `[O]`.
///   - stride: the same stride along both axes.
///   - padding: `.valid`, `.same` (TensorFlow 'SAME') or `.explicit(p)`.
/// - Returns: `[N, O, outH, outW]` (see ``ConvPadding`` for the sizes).
///
/// The whole batch (transposed to batch-innermost `[C, H, W, N]`) is unfolded into one
/// `[C·kh·kw, outH·outW·N]` matrix and multiplied by the `[O, C·kh·kw]` weight in a single GEMM; the
/// backward pass reuses that matrix for the weight gradient and folds `weightᵀ · grad` back with col2im
/// for the input gradient.
public func conv2d(
  _ x: Variable, _ weight: Variable, bias: Variable? = nil, stride: Int = 1, padding: ConvPadding = .valid
) -> Variable {
  precondition(x.rank == 4, "conv2d input must be [N, C, H, W], got \(x.shape)")
  precondition(weight.rank == 4 && weight.shape[1] == x.shape[1], "conv2d weight \(weight.shape) for input \(x.shape)")
  let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
  let (o, kh, kw) = (weight.shape[0], weight.shape[2], weight.shape[3])
  if let bias { precondition(bias.shape == [o], "conv2d bias \(bias.shape) for \(o) filters") }
  let g = ConvGeometry.conv(inH: h, inW: w, kh: kh, kw: kw, stride: stride, padding: padding)
  let (k, p, chw) = (c * kh * kw, g.outPlane, c * h * w)
  let pn = p * n
  let (wv, bv) = (weight.value, bias?.value)

  // col [K, P·N] from the batch-innermost input [C, H, W, N]
  let col: [Float] = x.value.data.withUnsafeBufferPointer { px in
    let xT = ConvKernels.uninitialized(chw * n) { ConvKernels.transpose(px.baseAddress!, rows: n, cols: chw, $0) }
    return ConvKernels.uninitialized(k * pn) { dst in
      xT.withUnsafeBufferPointer { ConvKernels.im2col($0.baseAddress!, batch: n, channels: c, g, dst) }
    }
  }
  // outT [O, P·N] = W[O, K] · col, plus bias; then out[n, o, p] = outT[o, p·N + n]
  let outT = ConvKernels.uninitialized(o * pn) { dst in
    wv.data.withUnsafeBufferPointer { pw in
      col.withUnsafeBufferPointer { pc in
        BLAS.gemm(transA: false, transB: false, m: o, n: pn, k: k, pw.baseAddress!, pc.baseAddress!, dst)
      }
    }
  }
  // the bias is added during the transpose (one pass over the output)
  let out = ConvKernels.uninitialized(n * o * p) { dst in
    outT.withUnsafeBufferPointer { po in
      for ch in 0..<o {
        let row = po.baseAddress! + ch * pn
        if let bv {
          ConvKernels.transpose(row, rows: p, cols: n, srcStride: n, dst + ch * p, dstStride: o * p, adding: bv.data[ch])
        } else {
          ConvKernels.transpose(row, rows: p, cols: n, srcStride: n, dst + ch * p, dstStride: o * p)
        }
      }
    }
  }
  let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
  return Variable.make(Tensor(shape: [n, o, g.outH, g.outW], data: out), inputs) { grad in
    // gT[o, p·N + n] = grad[n, o, p]
    let gT = ConvKernels.uninitialized(o * pn) { dst in
      grad.data.withUnsafeBufferPointer { pg in
        for ch in 0..<o {
          ConvKernels.transpose(pg.baseAddress! + ch * p, rows: n, cols: p, srcStride: o * p, dst + ch * pn, dstStride: n)
        }
      }
    }
    gT.withUnsafeBufferPointer { pg in
      let gp = pg.baseAddress!
      if weight.requiresGrad {
        // dW[O, K] = gT[O, PN] · colᵀ
        let dw = ConvKernels.uninitialized(o * k) { dst in
          col.withUnsafeBufferPointer {
            BLAS.gemm(transA: false, transB: true, m: o, n: k, k: pn, gp, $0.baseAddress!, dst)
          }
        }
        weight.accumulate(Tensor(shape: wv.shape, data: dw))
      }
      if let bias, bias.requiresGrad {
        let db = ConvKernels.uninitialized(o) { dst in
          for r in 0..<o {
            let row = gp + r * pn
            var acc: Float = 0
            for t in 0..<pn { acc += row[t] }
            dst[r] = acc
          }
        }
        bias.accumulate(Tensor(shape: [o], data: db))
      }
      if x.requiresGrad {
        // dcol[K, PN] = Wᵀ · gT, folded back onto [C, H, W, N], then transposed to [N, C, H, W]
        let dcol = ConvKernels.uninitialized(k * pn) { dst in
          wv.data.withUnsafeBufferPointer {
            BLAS.gemm(transA: true, transB: false, m: k, n: pn, k: o, $0.baseAddress!, gp, dst)
          }
        }
        let dxT = ConvKernels.zeroed(chw * n) { dst in
          dcol.withUnsafeBufferPointer { ConvKernels.col2im($0.baseAddress!, batch: n, channels: c, g, dst) }
        }
        let dx = ConvKernels.uninitialized(n * chw) { dst in
          dxT.withUnsafeBufferPointer { ConvKernels.transpose($0.baseAddress!, rows: chw, cols: n, dst) }
        }
        x.accumulate(Tensor(shape: [n, c, h, w], data: dx))
      }
    }
  }
}

/// 2-D transposed convolution (the adjoint of ``conv2d(_:_:bias:stride:padding:)`` with respect
/// to its input; PyTorch `conv_transpose2d`, TensorFlow `conv2d_transpose`):
/// out[n, o, ih·s − padTop + i, iw·s − padLeft + j] += Σ_c x[n, c, ih, iw] · weight[c, o, i, j], plus bias[o].
///
/// - Parameters:
///   - x: input `[N, C, H, W]`.
///   - weight: `[C, O, kh, kw]` (PyTorch layout: input channels first).
///   - bias: optional `[O]`.
///   - padding: `.same` gives out = in·stride with TensorFlow's crop (padTop = ⌊max((in−1)·s + k − out, 0)/2⌋);
///     `.valid` gives out = (in − 1)·s + k; `.explicit(p)` with `outputPadding` follows PyTorch:
///     out = (in − 1)·s − 2p + k + outputPadding. Note that PyTorch's `padding=2, output_padding=1`
///     (k = 5, s = 2) has the same size as TF 'SAME' but is shifted by one pixel (it crops 2 rows at the
///     top where TF crops 1).
/// - Returns: `[N, O, outH, outW]`.
public func convTranspose2d(
  _ x: Variable, _ weight: Variable, bias: Variable? = nil, stride: Int = 1, padding: ConvPadding = .valid,
  outputPadding: Int = 0
) -> Variable {
  precondition(x.rank == 4, "convTranspose2d input must be [N, C, H, W], got \(x.shape)")
  precondition(
    weight.rank == 4 && weight.shape[0] == x.shape[1], "convTranspose2d weight \(weight.shape) for input \(x.shape)")
  let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
  let (o, kh, kw) = (weight.shape[1], weight.shape[2], weight.shape[3])
  if let bias { precondition(bias.shape == [o], "convTranspose2d bias \(bias.shape) for \(o) outputs") }
  let g = ConvGeometry.transposed(
    inH: h, inW: w, kh: kh, kw: kw, stride: stride, padding: padding, outputPadding: outputPadding)
  let (kk, hwn) = (o * kh * kw, h * w * n)
  let (oh, ow) = (g.inH, g.inW)
  let ohw = o * oh * ow
  let (wv, bv) = (weight.value, bias?.value)

  // xT [C, H·W·N] (batch innermost)
  let xT = ConvKernels.uninitialized(c * hwn) { dst in
    x.value.data.withUnsafeBufferPointer { ConvKernels.transpose($0.baseAddress!, rows: n, cols: c * h * w, dst) }
  }
  // col [O·kh·kw, H·W·N] = Wᵀ · xT, folded onto outT [O, OH, OW, N], then transposed to [N, O, OH, OW]
  let col = ConvKernels.uninitialized(kk * hwn) { dst in
    wv.data.withUnsafeBufferPointer { pw in
      xT.withUnsafeBufferPointer { px in
        BLAS.gemm(transA: true, transB: false, m: kk, n: hwn, k: c, pw.baseAddress!, px.baseAddress!, dst)
      }
    }
  }
  let outT = ConvKernels.zeroed(ohw * n) { dst in
    col.withUnsafeBufferPointer { ConvKernels.col2im($0.baseAddress!, batch: n, channels: o, g, dst) }
  }
  // [O, OH·OW, N] → [N, O, OH·OW], adding the bias of each channel on the way
  let out = ConvKernels.uninitialized(n * ohw) { dst in
    outT.withUnsafeBufferPointer { po in
      guard let bv else {
        ConvKernels.transpose(po.baseAddress!, rows: ohw, cols: n, dst)
        return
      }
      let plane = oh * ow
      for ch in 0..<o {
        ConvKernels.transpose(
          po.baseAddress! + ch * plane * n, rows: plane, cols: n, srcStride: n, dst + ch * plane, dstStride: ohw,
          adding: bv.data[ch])
      }
    }
  }
  let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
  return Variable.make(Tensor(shape: [n, o, oh, ow], data: out), inputs) { grad in
    // gcol [O·kh·kw, H·W·N]: the batch-innermost gradient unfolded with the same geometry
    let gcol: [Float] = grad.data.withUnsafeBufferPointer { pg in
      let gT = ConvKernels.uninitialized(ohw * n) { ConvKernels.transpose(pg.baseAddress!, rows: n, cols: ohw, $0) }
      return ConvKernels.uninitialized(kk * hwn) { dst in
        gT.withUnsafeBufferPointer { ConvKernels.im2col($0.baseAddress!, batch: n, channels: o, g, dst) }
      }
    }
    gcol.withUnsafeBufferPointer { pgc in
      let gp = pgc.baseAddress!
      if weight.requiresGrad {
        // dW[C, O·kh·kw] = xT[C, HWN] · gcolᵀ
        let dw = ConvKernels.uninitialized(c * kk) { dst in
          xT.withUnsafeBufferPointer {
            BLAS.gemm(transA: false, transB: true, m: c, n: kk, k: hwn, $0.baseAddress!, gp, dst)
          }
        }
        weight.accumulate(Tensor(shape: wv.shape, data: dw))
      }
      if x.requiresGrad {
        // dxT[C, HWN] = W[C, O·kh·kw] · gcol, transposed to [N, C, H, W]
        let dxT = ConvKernels.uninitialized(c * hwn) { dst in
          wv.data.withUnsafeBufferPointer {
            BLAS.gemm(transA: false, transB: false, m: c, n: hwn, k: kk, $0.baseAddress!, gp, dst)
          }
        }
        let dx = ConvKernels.uninitialized(n * c * h * w) { dst in
          dxT.withUnsafeBufferPointer { ConvKernels.transpose($0.baseAddress!, rows: c * h * w, cols: n, dst) }
        }
        x.accumulate(Tensor(shape: [n, c, h, w], data: dx))
      }
    }
    if let bias, bias.requiresGrad {
      let plane = oh * ow
      let db = ConvKernels.zeroed(o) { dst in
        grad.data.withUnsafeBufferPointer { pg in
          for img in 0..<n {
            for ch in 0..<o {
              let s = pg.baseAddress! + (img * o + ch) * plane
              var acc: Float = 0
              for t in 0..<plane { acc += s[t] }
              dst[ch] += acc
            }
          }
        }
      }
      bias.accumulate(Tensor(shape: [o], data: db))
    }
  }
}

/// A 2-D convolution layer: y = conv2d(x, weight, bias) with x `[N, inChannels, H, W]`,
/// weight `[outChannels, inChannels, k, k]`, bias `[outChannels]`, y `[N, outChannels, outH, outW]`.
public final class Conv2d: Module {
  /// Filters `[outChannels, inChannels, k, k]`.
  public let weight: Variable
  /// Bias `[outChannels]`.
  public let bias: Variable?
  public let stride: Int
  public let padding: ConvPadding

  /// Creates the layer. Fans follow PyTorch: fanIn = in·k², fanOut = out·k². With no initializer the
  /// weight and bias are PyTorch's defaults, U(−1/√fanIn, 1/√fanIn).
  public init(
    _ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: ConvPadding = .valid,
    bias: Bool = true, weightInit: Initializer? = nil, biasInit: Initializer? = nil, rng: inout SeededRandom
  ) {
    let fanIn = inChannels * kernelSize * kernelSize
    let fanOut = outChannels * kernelSize * kernelSize
    let wShape = [outChannels, inChannels, kernelSize, kernelSize]
    weight = Variable(
      convParameter(wShape, weightInit, fanIn: fanIn, fanOut: fanOut, rng: &rng), requiresGrad: true, name: "weight")
    self.bias =
      bias
      ? Variable(
        convParameter([outChannels], biasInit, fanIn: fanIn, fanOut: fanOut, rng: &rng), requiresGrad: true,
        name: "bias")
      : nil
    self.stride = stride
    self.padding = padding
  }

  public var namedParameters: [(String, Variable)] {
    var list = [("weight", weight)]
    if let bias { list.append(("bias", bias)) }
    return list
  }

  /// Applies the layer to `x[N, inChannels, H, W]`.
  public func callAsFunction(_ x: Variable) -> Variable {
    conv2d(x, weight, bias: bias, stride: stride, padding: padding)
  }
}

/// A 2-D transposed convolution layer: y = convTranspose2d(x, weight, bias) with x `[N, inChannels, H, W]`,
/// weight `[inChannels, outChannels, k, k]` (PyTorch layout), y `[N, outChannels, outH, outW]`;
/// `.same` padding gives outH = H·stride (TensorFlow `conv2d_transpose`).
public final class ConvTranspose2d: Module {
  /// Filters `[inChannels, outChannels, k, k]`.
  public let weight: Variable
  /// Bias `[outChannels]`.
  public let bias: Variable?
  public let stride: Int
  public let padding: ConvPadding
  public let outputPadding: Int

  /// Creates the layer. Fans follow PyTorch, which reads dimension 1 as the input: fanIn = out·k²,
  /// fanOut = in·k². With no initializer the weight and bias are PyTorch's defaults, U(−1/√fanIn, 1/√fanIn).
  public init(
    _ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: ConvPadding = .valid,
    outputPadding: Int = 0, bias: Bool = true, weightInit: Initializer? = nil, biasInit: Initializer? = nil,
    rng: inout SeededRandom
  ) {
    let fanIn = outChannels * kernelSize * kernelSize
    let fanOut = inChannels * kernelSize * kernelSize
    let wShape = [inChannels, outChannels, kernelSize, kernelSize]
    weight = Variable(
      convParameter(wShape, weightInit, fanIn: fanIn, fanOut: fanOut, rng: &rng), requiresGrad: true, name: "weight")
    self.bias =
      bias
      ? Variable(
        convParameter([outChannels], biasInit, fanIn: fanIn, fanOut: fanOut, rng: &rng), requiresGrad: true,
        name: "bias")
      : nil
    self.stride = stride
    self.padding = padding
    self.outputPadding = outputPadding
  }

  public var namedParameters: [(String, Variable)] {
    var list = [("weight", weight)]
    if let bias { list.append(("bias", bias)) }
    return list
  }

  /// Applies the layer to `x[N, inChannels, H, W]`.
  public func callAsFunction(_ x: Variable) -> Variable {
    convTranspose2d(x, weight, bias: bias, stride: stride, padding: padding, outputPadding: outputPadding)
  }
}

/// A parameter tensor from `initializer`, or PyTorch's default U(−1/√fanIn, 1/√fanIn) when it is nil.
func convParameter(
  _ shape: [Int], _ initializer: Initializer?, fanIn: Int, fanOut: Int, rng: inout SeededRandom
) -> Tensor {
  if let initializer { return initializer.make(shape, fanIn: fanIn, fanOut: fanOut, rng: &rng) }
  let a = 1 / Float(max(fanIn, 1)).squareRoot()
  return rng.uniformTensor(shape, -a, a)
}
