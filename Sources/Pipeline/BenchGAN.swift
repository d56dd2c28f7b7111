import Engine

// The MNIST DCGAN of paper-spec 4.1 (no batch norm) as benchmark workloads: one D step and one G step.

/// Generator: z[N, zDim] → Linear(7·7·2w) → ReLU → deconv 5×5/2 'SAME' (w) → ReLU → deconv 5×5/2 (1) → tanh.
final class BenchGenerator: Module {
  let width: Int
  let fc: Linear
  let deconv1: ConvTranspose2d
  let deconv2: ConvTranspose2d

  init(zDim: Int, width: Int, rng: inout SeededRandom) {
    self.width = width
    let w = Initializer.normal(0.02)
    fc = Linear(zDim, 7 * 7 * 2 * width, weightInit: w, rng: &rng)
    deconv1 = ConvTranspose2d(2 * width, width, kernelSize: 5, stride: 2, padding: .same, weightInit: w, biasInit: .constant(0), rng: &rng)
    deconv2 = ConvTranspose2d(width, 1, kernelSize: 5, stride: 2, padding: .same, weightInit: w, biasInit: .constant(0), rng: &rng)
  }

  var namedParameters: [(String, Variable)] {
    prefixed("fc", fc) + prefixed("deconv1", deconv1) + prefixed("deconv2", deconv2)
  }

  func callAsFunction(_ z: Variable) -> Variable {
    let h = fc(z).relu().reshaped([z.shape[0], 2 * width, 7, 7])
    return deconv2(deconv1(h).relu()).tanh()
  }
}

/// Discriminator: x[N, 1, 28, 28] → conv 5×5/2 'SAME' (w) → lReLU → conv 5×5/2 (2w) → lReLU → Linear(1).
final class BenchDiscriminator: Module {
  let conv1: Conv2d
  let conv2: Conv2d
  let fc: Linear

  init(width: Int, rng: inout SeededRandom) {
    let w = Initializer.normal(0.02)
    conv1 = Conv2d(1, width, kernelSize: 5, stride: 2, padding: .same, weightInit: w, biasInit: .constant(0), rng: &rng)
    conv2 = Conv2d(width, 2 * width, kernelSize: 5, stride: 2, padding: .same, weightInit: w, biasInit: .constant(0), rng: &rng)
    fc = Linear(7 * 7 * 2 * width, 1, weightInit: w, rng: &rng)
  }

  var namedParameters: [(String, Variable)] {
    prefixed("conv1", conv1) + prefixed("conv2", conv2) + prefixed("fc", fc)
  }

  func callAsFunction(_ x: Variable) -> Variable {
    let h = conv2(conv1(x).leakyRelu(0.2)).leakyRelu(0.2)
    return fc(h.flattened())
  }
}

extension BenchCatalog {
  /// Per-example multiply-adds of the generator and the discriminator (and D's first layer, which
  /// needs no input gradient).
  static func dcganMACs(zDim: Int, width: Int) -> (g: Double, d: Double, dFirst: Double) {
    let g =
      BenchFLOPs.dense(zDim, 49 * 2 * width)
      + BenchFLOPs.deconv(inC: 2 * width, inH: 7, inW: 7, outC: width, k: 5)
      + BenchFLOPs.deconv(inC: width, inH: 14, inW: 14, outC: 1, k: 5)
    let dFirst = BenchFLOPs.conv(inC: 1, outC: width, outH: 14, outW: 14, k: 5)
    let d = dFirst + BenchFLOPs.conv(inC: width, outC: 2 * width, outH: 7, outW: 7, k: 5) + BenchFLOPs.dense(49 * 2 * width, 1)
    return (g, d, dFirst)
  }

  /// Shared set-up of the two DCGAN steps.
  static func dcganSetup(batch: Int, zDim: Int, width: Int, seed: UInt64)
    -> (g: BenchGenerator, d: BenchDiscriminator, real: Tensor, rng: SeededRandom)
  {
    var rng = SeededRandom(seed: seed)
    let g = BenchGenerator(zDim: zDim, width: width, rng: &rng)
    let d = BenchDiscriminator(width: width, rng: &rng)
    let real = rng.uniformTensor([batch, 1, 28, 28], 0, 1)
    return (g, d, real, rng)
  }

  /// One discriminator step: G forward for the fakes (no tape), D on real and fake,
  /// ½[BCE(D(x), 1) + BCE(D(G(z)), 0)], backward into D, Adam(2e-4, β1 0.5) on D.
  public static func dcganDStep(batch: Int = 64, zDim: Int = 128, width: Int = 64) -> BenchCase {
    let m = dcganMACs(zDim: zDim, width: width)
    // G forward; D forward ×2; D weight gradients ×2; D input gradients (all but the first layer) ×2
    let flops = 2 * Double(batch) * (m.g + 2 * m.d + 2 * m.d + 2 * (m.d - m.dFirst))
    return BenchCase(name: "dcgan_d_step", flops: flops) {
      var (g, d, real, rng) = dcganSetup(batch: batch, zDim: zDim, width: width, seed: 4)
      let adam = Adam(learningRate: 2e-4, beta1: 0.5)
      let params = d.parameters
      return {
        let z = Variable(rng.normalTensor([batch, zDim]))
        let fake = GradMode.withoutRecording { g(z) }.detached()
        d.zeroGrad()
        let loss = (bceWithLogits(d(Variable(real)), target: 1) + bceWithLogits(d(fake), target: 0)) * 0.5
        loss.backward()
        adam.step(params)
      }
    }
  }

  /// One generator step: G forward, D forward, BCE(D(G(z)), 1), backward into G (through D),
  /// Adam(2e-4, β1 0.5) on G.
  public static func dcganGStep(batch: Int = 64, zDim: Int = 128, width: Int = 64) -> BenchCase {
    let m = dcganMACs(zDim: zDim, width: width)
    // G forward, D forward; D weight + input gradients; G weight + input gradients (not of z)
    let gFirst = BenchFLOPs.dense(zDim, 49 * 2 * width)
    let flops = 2 * Double(batch) * (m.g + m.d + 2 * m.d + 2 * m.g - gFirst)
    return BenchCase(name: "dcgan_g_step", flops: flops) {
      var (g, d, _, rng) = dcganSetup(batch: batch, zDim: zDim, width: width, seed: 5)
      let adam = Adam(learningRate: 2e-4, beta1: 0.5)
      let params = g.parameters
      return {
        let z = Variable(rng.normalTensor([batch, zDim]))
        g.zeroGrad()
        d.zeroGrad()
        bceWithLogits(d(g(z)), target: 1).backward()
        adam.step(params)
      }
    }
  }
}
