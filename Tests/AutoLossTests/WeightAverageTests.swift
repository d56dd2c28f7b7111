import Engine
import XCTest

@testable import AutoLoss

final class WeightAverageTests: XCTestCase {
  func testMeanIsElementwiseOverEveryParameter() throws {
    let a = ["w": Tensor(shape: [2], data: [1, 2]), "b": Tensor(shape: [1], data: [4])]
    let b = ["w": Tensor(shape: [2], data: [3, -2]), "b": Tensor(shape: [1], data: [0])]
    let c = ["w": Tensor(shape: [2], data: [2, 3]), "b": Tensor(shape: [1], data: [-1])]
    let mean = try XCTUnwrap(WeightAverage.mean([a, b, c]))
    XCTAssertEqual(mean["w"], Tensor(shape: [2], data: [2, 1]))
    XCTAssertEqual(mean["b"], Tensor(shape: [1], data: [1]))
    XCTAssertEqual(WeightAverage.mean([a]), a)
  }

  func testMismatchedOrEmptySetsHaveNoMean() {
    let a = ["w": Tensor(shape: [2], data: [1, 2])]
    XCTAssertNil(WeightAverage.mean([]))
    XCTAssertNil(WeightAverage.mean([a, ["w": Tensor(shape: [1, 2], data: [1, 2])]]))
    XCTAssertNil(WeightAverage.mean([a, ["v": Tensor(shape: [2], data: [1, 2])]]))
    XCTAssertNil(
      WeightAverage.mean([a, ["w": Tensor(shape: [2], data: [1, 2]), "v": Tensor(shape: [1], data: [0])]]))
  }
}
