import Engine
import Tasks

// The GAN task's models as benchmark workloads: one D step and one G step of the MNIST DCGAN of
// paper-spec 4.1 (`Tasks.GANTrainer` with `DCGANConfig.mnist`: no batch norm, z 128, base width 64),
// and one training step of the Inception-Score classifier (`Tasks.ScorerCNN`). The steps are the
// task's own `dStep`, `gStep` and `trainStep`, so the benchmark times exactly what training runs.

extension BenchCatalog {
  /// Per-example multiply-adds of the generator and the discriminator (and D's first layer, which
  /// needs no input gradient) of a two-layer DCGAN on 28×28×1 images.
  static func dcganMACs(zDim: Int, width: Int) -> (g: Double, d: Double, dFirst: Double) {
    let g =
      BenchFLOPs.dense(zDim, 49 * 2 * width)
      + BenchFLOPs.deconv(inC: 2 * width, inH: 7, inW: 7, outC: width, k: 5)
      + BenchFLOPs.deconv(inC: width, inH: 14, inW: 14, outC: 1, k: 5)
    let dFirst = BenchFLOPs.conv(inC: 1, outC: width, outH: 14, outW: 14, k: 5)
    let d =
      dFirst + BenchFLOPs.conv(inC: width, outC: 2 * width, outH: 7, outW: 7, k: 5)
      + BenchFLOPs.dense(49 * 2 * width, 1)
    return (g, d, dFirst)
  }

  /// The MNIST DCGAN configuration with the benchmark's latent size and base width.
  static func dcganConfig(zDim: Int, width: Int) -> DCGANConfig {
    var config = DCGANConfig.mnist
    config.zSize = zDim
    config.baseWidth = width
    return config
  }

  /// One discriminator step of the GAN task (`GANTrainer.dStep`): G forward for the fakes (no tape),
  /// D on real and fake, ½[BCE(D(x), 1) + BCE(D(G(z)), 0)], backward into D, D's normalized gradient
  /// norm, Adam(2e-4, β1 0.5) on D.
  public static func dcganDStep(batch: Int = 64, zDim: Int = 128, width: Int = 64) -> BenchCase {
    let m = dcganMACs(zDim: zDim, width: width)
    // G forward; D forward ×2; D weight gradients ×2; D input gradients (all but the first layer) ×2
    let flops = 2 * Double(batch) * (m.g + 2 * m.d + 2 * m.d + 2 * (m.d - m.dFirst))
    return BenchCase(name: "dcgan_d_step", flops: flops) {
      var rng = SeededRandom(seed: 4)
      let trainer = GANTrainer(config: dcganConfig(zDim: zDim, width: width), rng: &rng)
      let real = rng.uniformTensor([batch, 1, 28, 28], 0, 1)
      return { trainer.dStep(real: real, z: rng.normalTensor([batch, zDim])) }
    }
  }

  /// One generator step of the GAN task (`GANTrainer.gStep`): G forward, D forward, the non-saturating
  /// BCE(D(G(z)), 1), backward into G (through the frozen D), G's normalized gradient norm, Adam(2e-4, β1 0.5) on G.
  public static func dcganGStep(batch: Int = 64, zDim: Int = 128, width: Int = 64) -> BenchCase {
    let m = dcganMACs(zDim: zDim, width: width)
    // G forward, D forward; D input gradients (D is frozen: no weight gradients); G weight + input
    // gradients (not of z)
    let gFirst = BenchFLOPs.dense(zDim, 49 * 2 * width)
    let flops = 2 * Double(batch) * (m.g + m.d + m.d + 2 * m.g - gFirst)
    return BenchCase(name: "dcgan_g_step", flops: flops) {
      var rng = SeededRandom(seed: 5)
      let trainer = GANTrainer(config: dcganConfig(zDim: zDim, width: width), rng: &rng)
      return { trainer.gStep(z: rng.normalTensor([batch, zDim])) }
    }
  }

  /// One training step of the GAN task's scorer (`ScorerCNN.trainStep`, MNIST): conv 5×5 32 'SAME' +
  /// ReLU → max-pool 2 → conv 5×5 64 + ReLU → max-pool 2 → FC 1024 + ReLU → dropout 0.5 → FC 10,
  /// softmax cross-entropy on a batch of 64, Adam(1e-3).
  public static func scorer(batch: Int = 64) -> BenchCase {
    let first = BenchFLOPs.conv(inC: 1, outC: 32, outH: 28, outW: 28, k: 5)
    let macs =
      first + BenchFLOPs.conv(inC: 32, outC: 64, outH: 14, outW: 14, k: 5) + BenchFLOPs.dense(3136, 1024)
      + BenchFLOPs.dense(1024, 10)
    // forward, weight gradients, input gradients of all but the first layer
    let flops = 2 * Double(batch) * (3 * macs - first)
    return BenchCase(name: "scorer", flops: flops) {
      var rng = SeededRandom(seed: 6)
      let model = ScorerCNN(rng: &rng)
      let x = rng.uniformTensor([batch, 1, 28, 28], 0, 1)
      let labels = (0..<batch).map { _ in rng.int(below: 10) }
      let adam = Adam(learningRate: 1e-3)
      return { model.trainStep(images: x, labels: labels, optimizer: adam, rng: &rng) }
    }
  }
}
