import Engine

/// The random streams of one GAN training run, all derived from the episode seed (common random numbers).
///
/// Each stream advances only when its own consumer uses it: the k-th D step always gets the k-th real
/// batch and the k-th D noise batch, the k-th G step the k-th G noise batch, and every IS check and the
/// final IS draw their z from the evaluation stream at a position fixed by the step (not by the history).
/// Two schedules run on the same seed therefore see the same data and noise and differ only by their
/// actions.
public struct GANStreams: Sendable {
  /// The seed of the network initialization (G's and D's weights).
  public let initializationSeed: UInt64
  /// Real-batch indices, one batch per D step.
  public private(set) var real: SeededRandom
  /// z for D's fakes, one batch per D step.
  public private(set) var discriminatorNoise: SeededRandom
  /// z for G's steps, one batch per G step.
  public private(set) var generatorNoise: SeededRandom
  /// Base seed of the evaluation samples (IS checks and the final IS).
  public let evaluationSeed: UInt64
  /// The batch and noise draws made so far (D steps and G steps, plus the initial loss batch, which
  /// has a stream of its own and is not counted).
  public private(set) var realBatches = 0
  public private(set) var discriminatorNoiseBatches = 0
  public private(set) var generatorNoiseBatches = 0
  /// The real-batch indices of the latest D step (for tests and traces).
  public private(set) var lastRealIndices: [Int] = []

  /// The streams of the episode with `seed`.
  public init(seed: UInt64) {
    initializationSeed = seed
    real = SeededRandom(seed: Self.derive(seed, 0x7EA1))
    discriminatorNoise = SeededRandom(seed: Self.derive(seed, 0xD0_15E))
    generatorNoise = SeededRandom(seed: Self.derive(seed, 0x60_15E))
    evaluationSeed = Self.derive(seed, 0xE7A1)
  }

  /// A sub-seed of `seed` for the purpose `tag` (SplitMix64 of the mix, so nearby seeds and tags differ).
  public static func derive(_ seed: UInt64, _ tag: UInt64) -> UInt64 {
    var r = SeededRandom(seed: seed &+ tag &* 0x9E37_79B9_7F4A_7C15)
    return r.next()
  }

  /// The indices of the next real batch (advances only the real stream).
  public mutating func nextRealIndices(batchSize: Int, count: Int) -> [Int] {
    let indices = (0..<batchSize).map { _ in real.int(below: count) }
    realBatches += 1
    lastRealIndices = indices
    return indices
  }

  /// The next z batch for D's fakes.
  public mutating func nextDiscriminatorNoise(_ shape: [Int]) -> Tensor {
    discriminatorNoiseBatches += 1
    return discriminatorNoise.normalTensor(shape)
  }

  /// The next z batch for a G step.
  public mutating func nextGeneratorNoise(_ shape: [Int]) -> Tensor {
    generatorNoiseBatches += 1
    return generatorNoise.normalTensor(shape)
  }

  /// The seed of the evaluation samples of the IS check at `step` (the same for every schedule).
  public func checkSeed(step: Int) -> UInt64 { Self.derive(evaluationSeed, UInt64(step)) }

  /// The seed of the final IS samples.
  public var finalSeed: UInt64 { Self.derive(evaluationSeed, 0xF1A1_F1A1) }

  /// The stream of the losses of the untrained nets at reset (used nowhere else).
  public var initialBatchSeed: UInt64 { Self.derive(initializationSeed, 0x1817) }
}
