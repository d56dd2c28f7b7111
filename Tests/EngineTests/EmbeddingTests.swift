import XCTest

@testable import Engine

final class EmbeddingTests: XCTestCase {
  func testLookupValues() {
    let table = Variable(Tensor(shape: [3, 2], data: [0, 1, 10, 11, 20, 21]), requiresGrad: true)
    let out = embeddingLookup(table, ids: [2, 0, 2])
    XCTAssertEqual(out.value, Tensor(shape: [3, 2], data: [20, 21, 0, 1, 20, 21]))
    out.backward(seed: Tensor(shape: [3, 2], data: [1, 2, 3, 4, 5, 6]))
    // Repeated ids accumulate; unused rows get zero.
    XCTAssertEqual(table.grad, Tensor(shape: [3, 2], data: [3, 4, 0, 0, 6, 8]))
  }

  func testGradientCheck() {
    let table = randomVariable([5, 3], seed: 1)
    gradientCheck([table]) { v in embeddingLookup(v[0], ids: [4, 1, 1, 0, 4, 4]) }
  }

  func testModuleShape() {
    var rng = SeededRandom(seed: 2)
    let emb = Embedding(vocabularySize: 7, embeddingSize: 4, rng: &rng)
    XCTAssertEqual(emb.namedParameters.map(\.0), ["weight"])
    XCTAssertEqual(emb([1, 2, 3, 4, 5, 6], shape: [3, 2]).shape, [3, 2, 4])
    XCTAssertEqual(emb([1, 2]).shape, [2, 4])
  }
}
