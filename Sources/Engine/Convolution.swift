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
/// The batch is processed in cache-sized chunks of `nb` images (`ConvKernels.batchChunk(perImage:batch:)`):
/// each chunk is transposed to batch-innermost `[C, H, W, nb]`, unfolded into a `[C·kh·kw, outH·outW·nb]`
/// matrix and multiplied by the `[O, C·kh·kw]` weight in one GEMM, and the product is transposed into
/// the output with the bias added. When a weight gradient will be taken (``Fusion/convColumns``), the
/// chunks' unfolded matrices are kept for it (the whole batch's, until the tape is released); otherwise
/// the backward pass unfolds each chunk again. The weight gradient is accumulated over the chunks by the
/// GEMM, and `weightᵀ · grad` is folded back with col2im for the input gradient. Each backward pass may
/// instead run through oneDNN's direct primitive (``DNNL/convolutionRoute``), whichever path the
/// forward pass took.
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
  let (wv, bv) = (weight.value, bias?.value)
  let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
  let dnnlShape = DNNLConvShape(transposed: false, n: n, c: c, h: h, w: w, o: o, g, bias: bias != nil)
  if DNNLConv.preferred(dnnlShape, .forward),
    let y = DNNLConv.forward(dnnlShape, x: x.value.data, weight: wv.data, bias: bv?.data)
  {
    return Variable.make(Tensor(shape: [n, o, g.outH, g.outW], data: y), inputs) { grad in
      DNNLConv.backward(dnnlShape, x: x, weight: weight, bias: bias, grad: grad) {
        conv2dIm2colBackward(x, weight, bias: bias, g, grad: $0, input: $1, parameters: $2)
      }
    }
  }
  let nb = ConvKernels.batchChunk(perImage: max(k * p, o * p, chw), batch: n)
  // the whole batch's unfolded input, kept for the weight gradient when one will be taken
  let keep =
    Fusion.convColumns && weight.requiresGrad && GradMode.isEnabled && !DNNLConv.preferred(dnnlShape, .backwardWeights)
  let kept = keep ? ConvColumns(count: k * p * n, chunk: nb) : nil

  let out = ConvKernels.uninitialized(n * o * p) { dst in
    let xT = ConvKernels.Scratch(chw * nb)
    let col = ConvKernels.Scratch(kept == nil ? k * p * nb : 0)
    let outT = ConvKernels.Scratch(o * p * nb)
    defer {
      xT.free()
      col.free()
      outT.free()
    }
    x.value.data.withUnsafeBufferPointer { px in
      wv.data.withUnsafeBufferPointer { pw in
        for (n0, m) in ConvKernels.chunks(n, nb) {
          // col [K, P·m] from the chunk's batch-innermost input [C, H, W, m]
          let colP = kept.map { $0.p + k * p * n0 } ?? col.p
          TransposeKernels.transpose(px.baseAddress! + n0 * chw, rows: m, cols: chw, xT.p)
          ConvKernels.im2col(xT.p, batch: m, channels: c, g, colP)
          // outT [O, P·m] = W[O, K] · col; then out[n0 + t, o, p] = outT[o, p·m + t] (+ bias)
          ConvKernels.gemm(transA: false, transB: false, m: o, n: p * m, k: k, pw.baseAddress!, colP, outT.p)
          let base = dst + n0 * o * p
          for ch in 0..<o {
            let row = outT.p + ch * p * m
            TransposeKernels.transpose(
              row, rows: p, cols: m, srcStride: m, base + ch * p, dstStride: o * p, adding: bv?.data[ch] ?? 0)
          }
        }
      }
    }
  }
  return Variable.make(Tensor(shape: [n, o, g.outH, g.outW], data: out), inputs) { grad in
    DNNLConv.backward(dnnlShape, x: x, weight: weight, bias: bias, grad: grad) {
      conv2dIm2colBackward(x, weight, bias: bias, g, grad: $0, input: $1, parameters: $2, columns: kept)
    }
  }
}

/// The backward pass of ``conv2d(_:_:bias:stride:padding:)`` by im2col + GEMM, chunk by chunk: the
/// input gradient when `input`, the weight and bias gradients when `parameters` (each only where needed).
/// `columns`, when given, holds the forward pass's unfolded input for the whole batch (chunked as it
/// was then), so the weight gradient needs no second im2col.
func conv2dIm2colBackward(
  _ x: Variable, _ weight: Variable, bias: Variable?, _ g: ConvGeometry, grad: Tensor, input: Bool = true,
  parameters: Bool = true, columns: ConvColumns? = nil
) {
  let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
  let (o, kh, kw) = (weight.shape[0], weight.shape[2], weight.shape[3])
  let (k, p, chw) = (c * kh * kw, g.outPlane, c * h * w)
  let wv = weight.value
  let nb = columns?.chunk ?? ConvKernels.batchChunk(perImage: max(k * p, o * p, chw), batch: n)
  let needW = parameters && weight.requiresGrad
  let needB = parameters && (bias?.requiresGrad ?? false)
  let needX = input && x.requiresGrad
  if !(needW || needB || needX) { return }
  var dw = needW ? [Float](repeating: 0, count: o * k) : []
  var db = needB ? [Float](repeating: 0, count: o) : []
  var dx = ConvKernels.uninitialized(needX ? n * chw : 0) { _ in }  // every chunk writes its rows
  let unfold = needW && columns == nil
  let gT = ConvKernels.Scratch(o * p * nb)
  let xT = ConvKernels.Scratch(unfold ? chw * nb : 0)
  let col = ConvKernels.Scratch(unfold || needX ? k * p * nb : 0)
  let dxT = ConvKernels.Scratch(needX ? chw * nb : 0)
  defer {
    gT.free()
    xT.free()
    col.free()
    dxT.free()
  }
  grad.data.withUnsafeBufferPointer { pg in
    x.value.data.withUnsafeBufferPointer { px in
      wv.data.withUnsafeBufferPointer { pw in
        for (n0, m) in ConvKernels.chunks(n, nb) {
          // gT[o, p·m + t] = grad[n0 + t, o, p]
          let src = pg.baseAddress! + n0 * o * p
          for ch in 0..<o {
            TransposeKernels.transpose(
              src + ch * p, rows: m, cols: p, srcStride: o * p, gT.p + ch * p * m, dstStride: m)
          }
          if needB {
            for r in 0..<o { db[r] += ConvKernels.sum(gT.p + r * p * m, count: p * m) }
          }
          if needW {
            // dW[O, K] += gT[O, P·m] · colᵀ, with the forward's columns or the chunk unfolded again
            var colP = UnsafePointer(col.p)
            if let columns {
              colP = UnsafePointer(columns.p + k * p * n0)
            } else {
              TransposeKernels.transpose(px.baseAddress! + n0 * chw, rows: m, cols: chw, xT.p)
              ConvKernels.im2col(xT.p, batch: m, channels: c, g, col.p)
            }
            dw.withUnsafeMutableBufferPointer {
              ConvKernels.gemm(
                transA: false, transB: true, m: o, n: k, k: p * m, gT.p, colP, beta: n0 == 0 ? 0 : 1,
                $0.baseAddress!)
            }
          }
          if needX {
            // dcol[K, P·m] = Wᵀ · gT, folded back onto [C, H, W, m], then transposed into dx[n0..<n0+m]
            ConvKernels.gemm(transA: true, transB: false, m: k, n: p * m, k: o, pw.baseAddress!, gT.p, col.p)
            dxT.p.update(repeating: 0, count: chw * m)
            ConvKernels.col2im(col.p, batch: m, channels: c, g, dxT.p)
            dx.withUnsafeMutableBufferPointer {
              TransposeKernels.transpose(dxT.p, rows: chw, cols: m, $0.baseAddress! + n0 * chw)
            }
          }
        }
      }
    }
  }
  if needW { weight.accumulate(Tensor(shape: wv.shape, data: dw)) }
  if let bias, needB { bias.accumulate(Tensor(shape: [o], data: db)) }
  if needX { x.accumulate(Tensor(shape: [n, c, h, w], data: dx)) }
}

/// 2-D transposed convolution (the adjoint of ``conv2d(_:_:bias:stride:padding:)`` with respect
/// to its input; PyTorch `conv_transpose2d`, TensorFlow `conv2d_transpose`):
/// out[n, o, ih·s − padTop + i, iw·s − padLeft + j] += Σ_c x[n, c, ih, iw] · weight[c, o, i, j], plus bias[o].
///
/// - Parameters:
///   - x: input `[N, C, H, W]`.
///   - weight: `[C, O, kh, kw]` (PyTorch layout: input channels first).
///   - bias: optional `[O]`.
///   - stride: the same stride along both axes.
///   - padding: `.same` gives out = in·stride with TensorFlow's crop (padTop = ⌊max((in−1)·s + k − out, 0)/2⌋);
///     `.valid` gives out = (in − 1)·s + k; `.explicit(p)` with `outputPadding` follows PyTorch:
///     out = (in − 1)·s − 2p + k + outputPadding. Note that PyTorch's `padding=2, output_padding=1`
///     (k = 5, s = 2) has the same size as TF 'SAME' but is shifted by one pixel (it crops 2 rows at the
///     top where TF crops 1).
///   - outputPadding: extra output rows and columns at the bottom and right (with `.explicit(p)`).
/// - Returns: `[N, O, outH, outW]`.
///
/// Like ``conv2d(_:_:bias:stride:padding:)`` the batch runs in cache-sized chunks: per chunk,
/// `Wᵀ · x` (batch innermost) is folded onto the output with col2im; the backward pass unfolds the
/// chunk's output gradient with im2col for both GEMMs.
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
  let (kk, hw, chw) = (o * kh * kw, h * w, c * h * w)
  let (oh, ow) = (g.inH, g.inW)
  let plane = oh * ow
  let ohw = o * plane
  let (wv, bv) = (weight.value, bias?.value)
  let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
  let dnnlShape = DNNLConvShape(transposed: true, n: n, c: c, h: h, w: w, o: o, g, bias: bias != nil)
  if DNNLConv.preferred(dnnlShape, .forward),
    let y = DNNLConv.forward(dnnlShape, x: x.value.data, weight: wv.data, bias: bv?.data)
  {
    return Variable.make(Tensor(shape: [n, o, oh, ow], data: y), inputs) { grad in
      DNNLConv.backward(dnnlShape, x: x, weight: weight, bias: bias, grad: grad) {
        convTranspose2dIm2colBackward(x, weight, bias: bias, g, grad: $0, input: $1, parameters: $2)
      }
    }
  }
  let nb = ConvKernels.batchChunk(perImage: max(kk * hw, ohw, chw), batch: n)

  let out = ConvKernels.uninitialized(n * ohw) { dst in
    let xT = ConvKernels.Scratch(chw * nb)
    let col = ConvKernels.Scratch(kk * hw * nb)
    let outT = ConvKernels.Scratch(ohw * nb)
    defer {
      xT.free()
      col.free()
      outT.free()
    }
    x.value.data.withUnsafeBufferPointer { px in
      wv.data.withUnsafeBufferPointer { pw in
        for (n0, m) in ConvKernels.chunks(n, nb) {
          // xT [C, H·W·m]; col [O·kh·kw, H·W·m] = Wᵀ · xT, folded onto outT [O, OH, OW, m]
          TransposeKernels.transpose(px.baseAddress! + n0 * chw, rows: m, cols: chw, xT.p)
          ConvKernels.gemm(transA: true, transB: false, m: kk, n: hw * m, k: c, pw.baseAddress!, xT.p, col.p)
          outT.p.update(repeating: 0, count: ohw * m)
          ConvKernels.col2im(col.p, batch: m, channels: o, g, outT.p)
          // [O, OH·OW, m] → out[n0..<n0+m, O, OH·OW], adding the bias of each channel on the way
          let base = dst + n0 * ohw
          for ch in 0..<o {
            let src = outT.p + ch * plane * m
            TransposeKernels.transpose(
              src, rows: plane, cols: m, srcStride: m, base + ch * plane, dstStride: ohw, adding: bv?.data[ch] ?? 0)
          }
        }
      }
    }
  }
  return Variable.make(Tensor(shape: [n, o, oh, ow], data: out), inputs) { grad in
    DNNLConv.backward(dnnlShape, x: x, weight: weight, bias: bias, grad: grad) {
      convTranspose2dIm2colBackward(x, weight, bias: bias, g, grad: $0, input: $1, parameters: $2)
    }
  }
}

/// The backward pass of ``convTranspose2d(_:_:bias:stride:padding:outputPadding:)`` by im2col + GEMM:
/// the input gradient when `input`, the weight and bias gradients when `parameters`.
func convTranspose2dIm2colBackward(
  _ x: Variable, _ weight: Variable, bias: Variable?, _ g: ConvGeometry, grad: Tensor, input: Bool = true,
  parameters: Bool = true
) {
  let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
  let (o, kh, kw) = (weight.shape[1], weight.shape[2], weight.shape[3])
  let (kk, hw, chw) = (o * kh * kw, h * w, c * h * w)
  let plane = g.inH * g.inW
  let ohw = o * plane
  let wv = weight.value
  let nb = ConvKernels.batchChunk(perImage: max(kk * hw, ohw, chw), batch: n)
  let needW = parameters && weight.requiresGrad
  let needX = input && x.requiresGrad
  if needW || needX {
    var dw = needW ? [Float](repeating: 0, count: c * kk) : []
    var dx = ConvKernels.uninitialized(needX ? n * chw : 0) { _ in }  // every chunk writes its rows
    let gT = ConvKernels.Scratch(ohw * nb)
    let gcol = ConvKernels.Scratch(kk * hw * nb)
    let xT = ConvKernels.Scratch(needW ? chw * nb : 0)
    let dxT = ConvKernels.Scratch(needX ? chw * nb : 0)
    defer {
      gT.free()
      gcol.free()
      xT.free()
      dxT.free()
    }
    grad.data.withUnsafeBufferPointer { pg in
      x.value.data.withUnsafeBufferPointer { px in
        wv.data.withUnsafeBufferPointer { pw in
          for (n0, m) in ConvKernels.chunks(n, nb) {
            // gcol [O·kh·kw, H·W·m]: the chunk's batch-innermost gradient unfolded with the same geometry
            TransposeKernels.transpose(pg.baseAddress! + n0 * ohw, rows: m, cols: ohw, gT.p)
            ConvKernels.im2col(gT.p, batch: m, channels: o, g, gcol.p)
            if needW {
              // dW[C, O·kh·kw] += xT[C, H·W·m] · gcolᵀ
              TransposeKernels.transpose(px.baseAddress! + n0 * chw, rows: m, cols: chw, xT.p)
              dw.withUnsafeMutableBufferPointer {
                ConvKernels.gemm(
                  transA: false, transB: true, m: c, n: kk, k: hw * m, xT.p, gcol.p, beta: n0 == 0 ? 0 : 1,
                  $0.baseAddress!)
              }
            }
            if needX {
              // dxT[C, H·W·m] = W[C, O·kh·kw] · gcol, transposed into dx[n0..<n0+m]
              ConvKernels.gemm(transA: false, transB: false, m: c, n: hw * m, k: kk, pw.baseAddress!, gcol.p, dxT.p)
              dx.withUnsafeMutableBufferPointer {
                TransposeKernels.transpose(dxT.p, rows: chw, cols: m, $0.baseAddress! + n0 * chw)
              }
            }
          }
        }
      }
    }
    if needW { weight.accumulate(Tensor(shape: wv.shape, data: dw)) }
    if needX { x.accumulate(Tensor(shape: [n, c, h, w], data: dx)) }
  }
  if parameters, let bias, bias.requiresGrad {
    let db = ConvKernels.zeroed(o) { dst in
      grad.data.withUnsafeBufferPointer { pg in
        for img in 0..<n {
          for ch in 0..<o {
            dst[ch] += ConvKernels.sum(pg.baseAddress! + (img * o + ch) * plane, count: plane)
          }
        }
      }
    }
    bias.accumulate(Tensor(shape: [o], data: db))
  }
}

/// A 2-D convolution layer: y = conv2d(x, weight, bias) with x `[N, inChannels, H, W]`,
/// weight `[outChannels, inChannels, k, k]`, bias `[outChannels]`, y `[N, outChannels, outH, outW]`.
public final class Conv2d: Module {
  /// Filters `[outChannels, inChannels, k, k]`.
  public let weight: Variable
  /// Bias `[outChannels]`.
  public let bias: Variable?
  /// Step of the window along H and W.
  public let stride: Int
  /// How the input is padded.
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

  /// `weight` and, when the layer has one, `bias`.
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
  /// Upsampling factor along H and W (the stride of the matching convolution).
  public let stride: Int
  /// The padding of the matching convolution.
  public let padding: ConvPadding
  /// Extra rows and columns added at the bottom/right of the output (PyTorch `output_padding`).
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

  /// `weight` and, when the layer has one, `bias`.
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
