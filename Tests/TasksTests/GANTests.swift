import AutoLoss
import Engine
import Tasks
import XCTest

final class GANInceptionScoreTests: XCTestCase {
  func testUniformPredictionsScoreOne() {
    let p = [Float](repeating: 0.1, count: 50 * 10)
    let s = inceptionScore(probabilities: p, classes: 10, splits: 5)
    XCTAssertEqual(s.mean, 1, accuracy: 1e-5)
    XCTAssertEqual(s.std, 0, accuracy: 1e-5)
  }

  func testConfidentBalancedPredictionsScoreClassCount() {
    var p = [Float](repeating: 0, count: 100 * 10)
    for i in 0..<100 { p[i * 10 + i % 10] = 1 }
    XCTAssertEqual(inceptionScore(probabilities: p, classes: 10, splits: 1).mean, 10, accuracy: 1e-4)
    XCTAssertEqual(inceptionScore(probabilities: p, classes: 10, splits: 10).mean, 10, accuracy: 1e-4)
  }

  func testConfidentSingleClassScoresOne() {
    var p = [Float](repeating: 0, count: 20 * 10)
    for i in 0..<20 { p[i * 10 + 3] = 1 }
    XCTAssertEqual(inceptionScore(probabilities: p, classes: 10).mean, 1, accuracy: 1e-5)
  }
}

final class GANModelTests: XCTestCase {
  func testMNISTShapesAndParameterCount() {
    var rng = SeededRandom(seed: 1)
    let c = DCGANConfig.mnist
    let g = DCGANGenerator(config: c, rng: &rng)
    let d = DCGANDiscriminator(config: c, rng: &rng)
    let x = GradMode.withoutRecording { g(Variable(rng.normalTensor([2, 128]))) }
    XCTAssertEqual(x.shape, [2, 1, 28, 28])
    XCTAssertTrue(x.value.data.allSatisfy { $0 > -1 && $0 < 1 })
    XCTAssertEqual(GradMode.withoutRecording { d(x) }.shape, [2, 1])
    // G: 128·6272 + 6272, deconv 128→64 5×5 + 64, deconv 64→1 + 1; D: conv 1→64, conv 64→128, fc 6272→1.
    XCTAssertEqual(g.parameterCount, 128 * 6272 + 6272 + 128 * 64 * 25 + 64 + 64 * 25 + 1)
    XCTAssertEqual(d.parameterCount, 64 * 25 + 64 + 64 * 128 * 25 + 128 + 6272 + 1)
  }

  func testCIFARShapesWithBatchNorm() {
    var rng = SeededRandom(seed: 2)
    var c = DCGANConfig.cifar10
    c.baseWidth = 8
    let g = DCGANGenerator(config: c, rng: &rng)
    let d = DCGANDiscriminator(config: c, rng: &rng)
    let x = GradMode.withoutRecording { g(Variable(rng.normalTensor([3, 128]))) }
    XCTAssertEqual(x.shape, [3, 3, 32, 32])
    XCTAssertEqual(GradMode.withoutRecording { d(x) }.shape, [3, 1])
    XCTAssertTrue(g.namedParameters.contains { $0.0 == "bn0.gamma" })
    XCTAssertTrue(d.namedParameters.contains { $0.0 == "bn1.gamma" })
    XCTAssertEqual(c.depth, 3)
  }

  func testScorerShapes() {
    var rng = SeededRandom(seed: 3)
    let s = ScorerCNN(rng: &rng)
    let p = s.probabilities(rng.uniformTensor([5, 1, 28, 28], 0, 1))
    XCTAssertEqual(p.shape, [5, 10])
    for r in 0..<5 { XCTAssertEqual(p.data[(r * 10)..<(r * 10 + 10)].reduce(0, +), 1, accuracy: 1e-4) }
    let cifar = ScorerCNN(channels: 3, imageSize: 32, rng: &rng)
    XCTAssertEqual(cifar.probabilities(rng.uniformTensor([2, 3, 32, 32], 0, 1)).shape, [2, 10])
  }

  func testSteps() throws {
    var rng = SeededRandom(seed: 4)
    let c = DCGANConfig(channels: 1, imageSize: 28, baseWidth: 4, zSize: 8, batchNorm: true)
    let t = GANTrainer(config: c, rng: &rng)
    let before = t.discriminator.stateDict()
    let d = t.dStep(real: rng.uniformTensor([4, 1, 28, 28], 0, 1), z: rng.normalTensor([4, 8]))
    XCTAssertTrue(d.loss.isFinite && d.gradNorm.isFinite && d.gradNorm > 0)
    XCTAssertTrue(d.error >= 0 && d.error <= 1)
    XCTAssertNotEqual(before["conv1.weight"], t.discriminator.stateDict()["conv1.weight"])
    let gBefore = t.generator.stateDict()
    let dBefore = t.discriminator.stateDict()
    let dGradsBefore = t.discriminator.parameters.map(\.grad)
    let g = t.gStep(z: rng.normalTensor([4, 8]))
    XCTAssertTrue(g.loss.isFinite && g.gradNorm > 0)
    XCTAssertNotEqual(gBefore["fc.weight"], t.generator.stateDict()["fc.weight"])
    XCTAssertEqual(dBefore["conv1.weight"], t.discriminator.stateDict()["conv1.weight"], "a G step must not move D")
    XCTAssertTrue(t.discriminator.parameters.allSatisfy(\.requiresGrad), "D left frozen")
    XCTAssertEqual(t.discriminator.parameters.map(\.grad), dGradsBefore, "a G step must not touch D's gradients")
  }

  /// G's gradient through the frozen D equals its gradient through a trainable D.
  func testFrozenDiscriminatorGivesTheSameGeneratorGradient() {
    var rng = SeededRandom(seed: 6)
    let c = DCGANConfig(channels: 1, imageSize: 28, baseWidth: 4, zSize: 8, batchNorm: false)
    let t = GANTrainer(config: c, rng: &rng)
    let z = Variable(rng.normalTensor([3, 8]))
    func generatorGradient(frozen: Bool) -> [Tensor] {
      t.generator.zeroGrad()
      t.discriminator.zeroGrad()
      let run = { bceWithLogits(t.discriminator(t.generator(z)), target: 1).backward() }
      if frozen { t.discriminator.withFrozenParameters(run) } else { run() }
      XCTAssertEqual(t.discriminator.parameters.contains { $0.grad != nil }, !frozen)
      return t.generator.parameters.map { $0.grad! }
    }
    let free = generatorGradient(frozen: false)
    let frozen = generatorGradient(frozen: true)
    for (a, b) in zip(free, frozen) {
      for (x, y) in zip(a.data, b.data) { XCTAssertEqual(x, y, accuracy: 1e-6 + 1e-5 * abs(x)) }
    }
  }
}

final class GANTaskTests: XCTestCase {
  static func makeTask(range: ImageRange = .zeroToOne) throws -> GANTask {
    var rng = SeededRandom(seed: 5)
    let n = 32
    var pixels = [UInt8](repeating: 0, count: n * 784)
    for i in 0..<pixels.count { pixels[i] = UInt8(rng.int(below: 256)) }
    let data = try ImageSet(pixels: pixels, labels: (0..<n).map { $0 % 10 }, channels: 1, height: 28, width: 28)
    var config = GANTaskConfig()
    config.batchSize = 4
    config.checkEvery = 5
    config.isSamples = 20
    config.isSplits = 1
    config.finalISSamples = 20
    config.finalISSplits = 1
    config.maxSteps = 12
    config.gridSamples = 4
    config.realRange = range
    let model = DCGANConfig(channels: 1, imageSize: 28, baseWidth: 4, zSize: 8, batchNorm: false)
    return GANTask(model: model, config: config, data: data, scorer: ScorerCNN(rng: &rng), realInceptionScore: 9)
  }

  func testEpisodeFeaturesAndChecksAreFinite() throws {
    for range in ImageRange.allCases {
      let task = try Self.makeTask(range: range)
      var schedule = FixedPattern.ratio(1, 1)
      let trace = runEpisode(task: task, schedule: &schedule, seed: 7)
      XCTAssertEqual(trace.steps, 12)
      XCTAssertEqual(trace.outcome, "step cap")
      XCTAssertEqual(trace.checks.map(\.step), [5, 10])
      XCTAssertEqual(trace.features.count, 12 * task.featureNames.count)
      XCTAssertTrue(trace.features.allSatisfy { $0.isFinite && abs($0) <= 5 }, "\(trace.features)")
      XCTAssertTrue(trace.losses.allSatisfy(\.isFinite))
      XCTAssertTrue(trace.checks.allSatisfy { $0.extra >= 1 && $0.extra <= 10 })
      XCTAssertEqual(task.checkSamples.count, 2)
      XCTAssertTrue(task.checkSamples[0].data.allSatisfy { $0 >= 0 && $0 <= 1 })
      let final = task.finalInceptionScore()
      XCTAssertTrue(final >= 1 && final <= 10)
      XCTAssertEqual(task.reward(bestValidationError: 0.5), 40, accuracy: 1e-3)
    }
  }

  func testControllerTrainerRunsEpisodesSideBySide() throws {
    var config = ControllerTrainerConfig.gan
    config.episodes = 2
    config.episodesPerUpdate = 2
    config.collapseLength = 4
    let probe = try Self.makeTask()
    let trainer = try ControllerTrainer(
      config: config, featureCount: probe.featureNames.count, actionCount: 2, featureGroups: probe.featureGroups,
      seed: 3, executor: LocalExecutor(slots: 2),
      episode: taskEpisodeFunction(collapseLength: config.collapseLength) { try GANTaskTests.makeTask() })
    let update = try trainer.runNextUpdate()
    XCTAssertEqual(update.episodes.count, 2)
    XCTAssertEqual(trainer.episodesDone, 2)
    XCTAssertTrue(trainer.isFinished)
    for (e, advantage) in zip(update.episodes, update.advantages) {
      XCTAssertTrue(advantage.isFinite && abs(advantage) >= 1 && abs(advantage) <= 20)
      if e.trace.outcome == "collapse" { XCTAssertEqual(advantage, -20) }
    }
  }
}
