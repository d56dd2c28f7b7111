import Engine

/// The DCGAN generator: z `[N, zSize]` → Linear(s·s·c·2^(L−1)) → [BN] → act → reshape → L stride-2
/// 5×5 transposed convolutions ('SAME', halving the channels, [BN] → act between them) → tanh,
/// giving images `[N, channels, imageSize, imageSize]` in (−1, 1).
///
/// Weights are N(0, 0.02²), biases zero (official code). Batch norm (momentum 0.05 = TensorFlow decay
/// 0.95, ε 1e-5) always uses the statistics of the current batch, as the official code samples.
public final class DCGANGenerator: Module {
  public let config: DCGANConfig
  let fc: Linear
  let deconvs: [ConvTranspose2d]
  let norms: [BatchNorm]

  public init(config: DCGANConfig, rng: inout SeededRandom) {
    self.config = config
    let init02 = Initializer.normal(0.02)
    let l = config.depth
    let s = config.startSize
    let first = config.baseWidth << (l - 1)
    fc = Linear(config.zSize, s * s * first, weightInit: init02, rng: &rng)
    var layers: [ConvTranspose2d] = []
    var norms: [BatchNorm] = []
    if config.batchNorm { norms.append(BatchNorm(first, momentum: 0.05)) }
    var width = first
    for i in 0..<l {
      let out = i == l - 1 ? config.channels : width / 2
      layers.append(
        ConvTranspose2d(
          width, out, kernelSize: 5, stride: 2, padding: .same, weightInit: init02, biasInit: .constant(0),
          rng: &rng))
      if config.batchNorm && i < l - 1 { norms.append(BatchNorm(out, momentum: 0.05)) }
      width = out
    }
    deconvs = layers
    self.norms = norms
  }

  public var namedParameters: [(String, Variable)] {
    var list = prefixed("fc", fc)
    for (i, d) in deconvs.enumerated() { list += prefixed("deconv\(i + 1)", d) }
    for (i, n) in norms.enumerated() { list += prefixed("bn\(i)", n) }
    return list
  }

  /// Images `[N, C, H, W]` for latent vectors `z[N, zSize]`.
  public func callAsFunction(_ z: Variable) -> Variable {
    precondition(z.rank == 2 && z.shape[1] == config.zSize, "generator input \(z.shape), expected [N, \(config.zSize)]")
    let s = config.startSize
    var h = fc(z).reshaped([z.shape[0], -1, s, s])
    if config.batchNorm { h = norms[0](h) }
    h = config.generatorActivation.apply(h)
    for (i, deconv) in deconvs.enumerated() {
      h = deconv(h)
      if i == deconvs.count - 1 { return h.tanh() }
      if config.batchNorm { h = norms[i + 1](h) }
      h = config.generatorActivation.apply(h)
    }
    return h
  }
}

/// The DCGAN discriminator: images `[N, channels, size, size]` → L stride-2 5×5 convolutions ('SAME',
/// base width doubling each time; [BN] on all but the first) with the activation → flatten →
/// Linear(1), giving one logit per image `[N, 1]`. Weights N(0, 0.02²), biases zero.
public final class DCGANDiscriminator: Module {
  public let config: DCGANConfig
  let convs: [Conv2d]
  let norms: [BatchNorm]
  let fc: Linear

  public init(config: DCGANConfig, rng: inout SeededRandom) {
    self.config = config
    let init02 = Initializer.normal(0.02)
    var convs: [Conv2d] = []
    var norms: [BatchNorm] = []
    var width = config.channels
    for i in 0..<config.depth {
      let out = config.baseWidth << i
      convs.append(
        Conv2d(
          width, out, kernelSize: 5, stride: 2, padding: .same, weightInit: init02, biasInit: .constant(0), rng: &rng))
      if config.batchNorm && i > 0 { norms.append(BatchNorm(out, momentum: 0.05)) }
      width = out
    }
    self.convs = convs
    self.norms = norms
    let s = config.startSize
    fc = Linear(s * s * width, 1, weightInit: init02, rng: &rng)
  }

  public var namedParameters: [(String, Variable)] {
    var list: [(String, Variable)] = []
    for (i, c) in convs.enumerated() { list += prefixed("conv\(i + 1)", c) }
    for (i, n) in norms.enumerated() { list += prefixed("bn\(i + 1)", n) }
    return list + prefixed("fc", fc)
  }

  /// Logits `[N, 1]` for images `x[N, C, H, W]`.
  public func callAsFunction(_ x: Variable) -> Variable {
    precondition(
      x.rank == 4 && x.shape[1] == config.channels && x.shape[2] == config.imageSize,
      "discriminator input \(x.shape), expected [N, \(config.channels), \(config.imageSize), \(config.imageSize)]")
    var h = x
    for (i, conv) in convs.enumerated() {
      h = conv(h)
      if config.batchNorm && i > 0 { h = norms[i - 1](h) }
      h = config.discriminatorActivation.apply(h)
    }
    return fc(h.flattened())
  }
}
