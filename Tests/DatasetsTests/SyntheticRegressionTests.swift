import Datasets
import Engine
import XCTest

final class SyntheticRegressionTests: XCTestCase {
  func testShapesAndRanges() {
    let data = SyntheticRegression.generate(seed: 1)
    XCTAssertEqual(data.trueWeights.shape, [16])
    XCTAssertTrue(data.trueWeights.data.allSatisfy { $0 >= -0.5 && $0 < 0.5 })
    for (_, split) in data.splits.all {
      XCTAssertEqual(split.inputs.shape, [200, 16])
      XCTAssertEqual(split.targets.shape, [200, 1])
      XCTAssertTrue(split.inputs.data.allSatisfy { $0 >= -5 && $0 < 5 })
    }
    XCTAssertEqual(FiveWaySplit<RegressionSplit>.names.count, 5)
    XCTAssertNotEqual(data.splits.controllerTrain, data.splits.test)
  }

  func testDeterministicBySeed() {
    XCTAssertEqual(SyntheticRegression.generate(seed: 7), SyntheticRegression.generate(seed: 7))
    XCTAssertNotEqual(
      SyntheticRegression.generate(seed: 7).trueWeights, SyntheticRegression.generate(seed: 8).trueWeights)
  }

  func testNoiseFloorIsAboutFour() {
    let data = SyntheticRegression.generate(seed: 3, splitSize: 20_000)
    let mse = SyntheticRegression.mse(of: data.trueWeights, on: data.splits.test)
    XCTAssertEqual(mse, 4, accuracy: 0.2)
    // A zero predictor is far worse: Var(w·u) = |w|² * 100/12.
    XCTAssertGreaterThan(SyntheticRegression.mse(of: Tensor.zeros([16]), on: data.splits.test), 8)
  }
}
