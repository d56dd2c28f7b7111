import XCTest

@testable import Engine

final class TensorTests: XCTestCase {
  func testReshapeInfersOneExtent() {
    let t = Tensor(shape: [2, 6], repeating: 1)
    XCTAssertEqual(t.reshaped([3, -1]).shape, [3, 4])
  }

  func testSliceGatherConcat() {
    let t = Tensor(shape: [3, 2], data: [0, 1, 2, 3, 4, 5])
    XCTAssertEqual(t.slice(rows: 1..<3).data, [2, 3, 4, 5])
    XCTAssertEqual(t.gather(rows: [2, 0]).data, [4, 5, 0, 1])
    XCTAssertEqual(Tensor.concat([t, t], axis: 1).shape, [3, 4])
    XCTAssertEqual(Tensor.concat([t, t], axis: 1).data.prefix(4), [0, 1, 0, 1])
    XCTAssertEqual(Tensor.concat([t, t.slice(rows: 0..<1)], axis: 0).shape, [4, 2])
  }

  func testReductionsAndArgmax() {
    let t = Tensor(shape: [2, 3], data: [1, 5, 2, 7, 0, 3])
    XCTAssertEqual(t.sum(axis: 0).data, [8, 5, 5])
    XCTAssertEqual(t.sum(axis: 1).data, [8, 10])
    XCTAssertEqual(t.mean(axis: 1).data[0], 8.0 / 3, accuracy: 1e-6)
    XCTAssertEqual(t.argmax(), [1, 0])
  }

  /// Long rows (the vectorized path plus a tail): the first index of the maximum, ties included.
  func testArgmaxOfLongRowsTakesTheFirstMaximum() {
    var rng = SeededRandom(seed: 3)
    let t = rng.normalTensor([5, 37])
    var data = t.data
    data[1 * 37 + 36] = 9  // in the tail
    data[2 * 37 + 3] = 9  // a tie: the first wins
    data[2 * 37 + 20] = 9
    data[3 * 37 + 0] = 9
    let expected = (0..<5).map { r in (0..<37).max { data[r * 37 + $0] < data[r * 37 + $1] }! }
    let got = Tensor(shape: [5, 37], data: data).argmax()
    XCTAssertEqual(Array(got[1...3]), [36, 3, 0])
    for r in [0, 4] { XCTAssertEqual(got[r], expected[r]) }
    XCTAssertEqual(Tensor(shape: [2, 1], data: [4, -1]).argmax(), [0, 0])
  }

  func testPermute() {
    let t = Tensor(shape: [2, 3, 4], data: (0..<24).map(Float.init))
    let p = t.permuted([2, 0, 1])
    XCTAssertEqual(p.shape, [4, 2, 3])
    // p[k, i, j] == t[i, j, k]
    XCTAssertEqual(p.data[1 * 6 + 1 * 3 + 2], t.data[1 * 12 + 2 * 4 + 1])
    XCTAssertEqual(p.permuted([1, 2, 0]), t)
  }

  func testBroadcastShapes() {
    XCTAssertEqual(Broadcast.shape([3, 1], [1, 4]), [3, 4])
    XCTAssertEqual(Broadcast.shape([4], [2, 3, 4]), [2, 3, 4])
    let a = Tensor(shape: [2, 1], data: [1, 2])
    let b = Tensor(shape: [1, 3], data: [10, 20, 30])
    XCTAssertEqual(Broadcast.apply(a, b, +).data, [11, 21, 31, 12, 22, 32])
    XCTAssertEqual(Broadcast.reduce(Tensor.ones([2, 3]), to: [2, 1]).data, [3, 3])
  }

  func testMatmulMatchesNaive() {
    var rng = SeededRandom(seed: 3)
    let a = rng.normalTensor([5, 7])
    let b = rng.normalTensor([7, 3])
    let c = BLAS.matmul(a, b)
    for i in 0..<5 {
      for j in 0..<3 {
        var s: Float = 0
        for k in 0..<7 { s += a.data[i * 7 + k] * b.data[k * 3 + j] }
        XCTAssertEqual(c.data[i * 3 + j], s, accuracy: 1e-4)
      }
    }
  }
}
