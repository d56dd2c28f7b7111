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

  func testStandardizationMapsRawFeaturesBeforeTheNetwork() throws {
    let standardization = try InputStandardization(means: [2, -1, 0.5], sds: [4, 0.5, 1])
    var r1 = SeededRandom(seed: 6)
    var r2 = SeededRandom(seed: 6)
    let standardized = Controller(
      featureCount: 3, actionCount: 2, hidden: 8, featureMask: [true, true, false], standardization: standardization,
      rng: &r1)
    let plain = Controller(featureCount: 3, actionCount: 2, hidden: 8, featureMask: [true, true, false], rng: &r2)
    let raw: [Float] = [6, 0, 9]
    // (6 − 2)/4 = 1, (0 + 1)/0.5 = 2; the masked third feature is zero either way.
    let expected = plain.probabilities([1, 2, 0])
    let p = standardized.probabilities(raw)
    for j in 0..<2 { XCTAssertEqual(p[j], expected[j], accuracy: 1e-6) }
    let logp = standardized.logProbabilities(Tensor(shape: [1, 3], data: raw)).value
    for j in 0..<2 { XCTAssertEqual(exp(logp.data[j]), expected[j], accuracy: 1e-5) }
    // The shape carries the map, so a controller rebuilt from weights reads features the same way.
    let rebuilt = try standardized.shape.make(weights: standardized.stateDict())
    XCTAssertEqual(rebuilt.probabilities(raw), p)
  }

  func testStandardizationRaisesTinySDsAndRejectsBadMoments() throws {
    let s = try InputStandardization(means: [0, 0], sds: [0, .nan])
    XCTAssertEqual(s.sds, [InputStandardization.minimumSD, InputStandardization.minimumSD])
    XCTAssertThrowsError(try InputStandardization(means: [0], sds: [1, 1]))
    XCTAssertThrowsError(try InputStandardization(means: [.infinity], sds: [1]))
  }

  func testConfigChoosesExplicitThenMeasuredMoments() throws {
    var config = ControllerTrainerConfig()
    let measured = try InputStandardization(means: [1, 2], sds: [3, 4])
    XCTAssertNil(try config.inputStandardization(featureCount: 2, measured: measured))
    config.standardizeInputs = true
    XCTAssertEqual(try config.inputStandardization(featureCount: 2, measured: measured), measured)
    XCTAssertThrowsError(try config.inputStandardization(featureCount: 2, measured: nil)) { error in
      XCTAssertTrue("\(error)".contains("controller.standardizeInputs"))
    }
    XCTAssertThrowsError(try config.inputStandardization(featureCount: 3, measured: measured))
    config.inputMeans = [0, 0]
    XCTAssertThrowsError(try config.validate())  // means without SDs
    config.inputSDs = [1, 1]
    try config.validate()
    XCTAssertEqual(try config.inputStandardization(featureCount: 2, measured: measured)?.means, [0, 0])
  }
}
