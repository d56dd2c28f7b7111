import XCTest

@testable import Engine

final class NormTests: XCTestCase {
  func testTrainingOutputIsNormalized() {
    var rng = SeededRandom(seed: 1)
    let bn = BatchNorm(3)
    let x = Variable(rng.normalTensor([8, 3, 4, 4]).map { 3 * $0 + 2 })
    let y = bn(x).value
    for c in 0..<3 {
      var values: [Float] = []
      for n in 0..<8 { for t in 0..<16 { values.append(y.data[(n * 3 + c) * 16 + t]) } }
      let mean = values.reduce(0, +) / Float(values.count)
      let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(values.count)
      XCTAssertEqual(mean, 0, accuracy: 1e-5)
      XCTAssertEqual(variance, 1, accuracy: 1e-3)
    }
  }

  func testRunningStatisticsFollowPyTorchMomentum() {
    let bn = BatchNorm(1, momentum: 0.1)
    let x = Variable(Tensor(shape: [4, 1], data: [1, 2, 3, 6]))  // mean 3, biased var 3.5, unbiased 14/3
    _ = bn(x)
    XCTAssertEqual(bn.runningMean.data[0], 0.3, accuracy: 1e-6)
    XCTAssertEqual(bn.runningVariance.data[0], 0.9 + 0.1 * 14 / 3, accuracy: 1e-6)
    bn.training = false
    let y = bn(x).value
    let k = 1 / (bn.runningVariance.data[0] + 1e-5).squareRoot()
    XCTAssertEqual(y.data[3], (6 - 0.3) * k, accuracy: 1e-5)
    XCTAssertEqual(bn.runningMean.data[0], 0.3, accuracy: 1e-6, "evaluation leaves the statistics alone")
    XCTAssertEqual(bn.namedParameters.map(\.0), ["gamma", "beta"])
  }

  func testTrainingGradients() {
    for shape in [[4, 3, 2, 3], [6, 4], [3, 2, 5]] {
      let c = shape[1]
      let x = randomVariable(shape, seed: 31, low: -2, high: 3)
      let gamma = randomVariable([c], seed: 32, low: 0.5, high: 1.5)
      let beta = randomVariable([c], seed: 33)
      gradientCheck([x, gamma, beta], eps: 1e-2) { v in batchNorm(v[0], gamma: v[1], beta: v[2]).output }
    }
  }

  func testEvaluationGradients() {
    var rng = SeededRandom(seed: 40)
    for shape in [[3, 2, 3, 3], [5, 4]] {
      let c = shape[1]
      let mean = rng.normalTensor([c])
      let variance = rng.uniformTensor([c], 0.5, 2)
      let x = randomVariable(shape, seed: 41)
      let gamma = randomVariable([c], seed: 42, low: 0.5, high: 1.5)
      let beta = randomVariable([c], seed: 43)
      gradientCheck([x, gamma, beta]) { v in batchNorm(v[0], gamma: v[1], beta: v[2], mean: mean, variance: variance) }
    }
  }

  func testMatchesPyTorch() throws {
    for name in ["bn_conv_train", "bn_conv_eval", "bn_linear_train"] {
      func load(_ key: String) throws -> Tensor { try loadConvFixture("conv_norm_fixtures", "\(name)/\(key)") }
      let x = Variable(try load("input"), requiresGrad: true)
      let c = x.shape[1]
      let bn = BatchNorm(c, momentum: 0.1, eps: 1e-5)
      bn.gamma.value = try load("gamma")
      bn.beta.value = try load("beta")
      if name.hasSuffix("eval") {
        bn.training = false
        bn.runningMean = try load("running_mean")
        bn.runningVariance = try load("running_var")
      }
      let y = bn(x)
      assertConvClose(y.value, try load("output"), "\(name) output")
      (y * Variable(try load("projection"))).sum().backward()
      assertConvClose(x.grad!, try load("grad_input"), "\(name) dx")
      assertConvClose(bn.gamma.grad!, try load("grad_gamma"), "\(name) dgamma")
      assertConvClose(bn.beta.grad!, try load("grad_beta"), "\(name) dbeta")
      assertConvClose(bn.runningMean, try load("running_mean"), "\(name) running mean")
      assertConvClose(bn.runningVariance, try load("running_var"), "\(name) running var")
    }
  }
}
