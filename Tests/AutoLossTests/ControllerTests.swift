import Engine
import XCTest

@testable import AutoLoss

final class ControllerTests: XCTestCase {
  func testProbabilitiesMatchTapeComputation() {
    var rng = SeededRandom(seed: 3)
    let controller = Controller(featureCount: 4, actionCount: 3, hidden: 16, temperature: 2, rng: &rng)
    let x: [Float] = [0.5, -1, 2, 0.1]
    let p = controller.probabilities(x)
    let logp = controller.logProbabilities(Tensor(shape: [1, 4], data: x)).value
    for j in 0..<3 { XCTAssertEqual(p[j], exp(logp.data[j]), accuracy: 1e-5) }
    XCTAssertEqual(p.reduce(0, +), 1, accuracy: 1e-5)
  }

  func testTemperatureFlattensPolicy() {
    var r1 = SeededRandom(seed: 4)
    var r2 = SeededRandom(seed: 4)
    let sharp = Controller(featureCount: 2, actionCount: 2, hidden: 0, temperature: 0.1, rng: &r1)
    let flat = Controller(featureCount: 2, actionCount: 2, hidden: 0, temperature: 10, rng: &r2)
    let x: [Float] = [3, -3]
    XCTAssertGreaterThan(abs(sharp.probabilities(x)[0] - 0.5), abs(flat.probabilities(x)[0] - 0.5))
  }

  func testFeatureMaskZeroesDroppedFeatures() {
    var rng = SeededRandom(seed: 5)
    let c = Controller(featureCount: 2, actionCount: 2, hidden: 4, featureMask: [true, false], rng: &rng)
    XCTAssertEqual(c.probabilities([1, 5]), c.probabilities([1, -7]))
  }
}
