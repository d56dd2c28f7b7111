import Engine

/// Optimizer settings of a GAN (official code: Adam 2e-4, β1 0.5, β2 0.999, one Adam object).
public struct GANOptimizerConfig: Sendable, Codable, Equatable {
  public var learningRate: Float = 2e-4
  public var beta1: Float = 0.5
  public var beta2: Float = 0.999
  /// One Adam object for G and D (shared step count, as the official code); false gives one each.
  public var sharedAdam = true

  public init() {}
}

/// What one discriminator step measured.
public struct DStepResult: Sendable {
  /// ½[BCE(D(x), 1) + BCE(D(G(z)), 0)].
  public var loss: Float
  public var lossReal: Float
  public var lossFake: Float
  /// ‖∇_D‖ / √dim(D).
  public var gradNorm: Float
  /// D's error on the equal real and fake batch: the fraction of real logits ≤ 0 and fake logits > 0.
  public var error: Float
}

/// What one generator step measured.
public struct GStepResult: Sendable {
  /// Non-saturating BCE(D(G(z)), 1).
  public var loss: Float
  /// ‖∇_G‖ / √dim(G).
  public var gradNorm: Float
}

/// A DCGAN generator and discriminator with their Adam state; `dStep` and `gStep` are the two
/// actions of the GAN task (each one optimizer step on one batch).
public final class GANTrainer {
  public let config: DCGANConfig
  public let generator: DCGANGenerator
  public let discriminator: DCGANDiscriminator
  let optimizerG: Adam
  let optimizerD: Adam

  public init(config: DCGANConfig, optimizer: GANOptimizerConfig = GANOptimizerConfig(), rng: inout SeededRandom) {
    self.config = config
    generator = DCGANGenerator(config: config, rng: &rng)
    discriminator = DCGANDiscriminator(config: config, rng: &rng)
    optimizerG = Adam(learningRate: optimizer.learningRate, beta1: optimizer.beta1, beta2: optimizer.beta2)
    optimizerD =
      optimizer.sharedAdam
      ? optimizerG : Adam(learningRate: optimizer.learningRate, beta1: optimizer.beta1, beta2: optimizer.beta2)
  }

  /// One Adam step of D on real images `real[N, C, H, W]` and fakes G(z), `z[N', zSize]`.
  @discardableResult
  public func dStep(real: Tensor, z: Tensor) -> DStepResult {
    let fake = GradMode.withoutRecording { generator(Variable(z)).value }
    discriminator.zeroGrad()
    let realLogits = discriminator(Variable(real))
    let fakeLogits = discriminator(Variable(fake))
    let lossReal = bceWithLogits(realLogits, target: 1)
    let lossFake = bceWithLogits(fakeLogits, target: 0)
    let loss = (lossReal + lossFake) * 0.5
    loss.backward()
    let norm = normalizedGradientNorm(discriminator.parameters)
    optimizerD.step(discriminator.parameters)
    var wrong = 0
    for v in realLogits.value.data where !(v > 0) { wrong += 1 }
    for v in fakeLogits.value.data where !(v <= 0) { wrong += 1 }
    return DStepResult(
      loss: loss.value.scalar, lossReal: lossReal.value.scalar, lossFake: lossFake.value.scalar, gradNorm: norm,
      error: Float(wrong) / Float(realLogits.value.count + fakeLogits.value.count))
  }

  /// One Adam step of G on the non-saturating loss BCE(D(G(z)), 1), `z[N, zSize]`.
  @discardableResult
  public func gStep(z: Tensor) -> GStepResult {
    generator.zeroGrad()
    // D is frozen: the loss back-propagates through D into G without D's weight gradients.
    let loss = discriminator.withFrozenParameters {
      let loss = bceWithLogits(discriminator(generator(Variable(z))), target: 1)
      loss.backward()
      return loss
    }
    let norm = normalizedGradientNorm(generator.parameters)
    optimizerG.step(generator.parameters)
    return GStepResult(loss: loss.value.scalar, gradNorm: norm)
  }

  /// Generated images `[N, C, H, W]` in (−1, 1) for `z[N, zSize]`, without the tape.
  public func sample(z: Tensor) -> Tensor {
    GradMode.withoutRecording { generator(Variable(z)).value }
  }
}
