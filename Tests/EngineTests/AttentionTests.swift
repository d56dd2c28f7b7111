import XCTest

@testable import Engine

final class AttentionTests: XCTestCase {
  private let mask = Tensor(shape: [3, 4], data: [1, 1, 1, 1, 1, 1, 0, 0, 1, 0, 0, 0])

  func testGradientsGeneral() {
    let (td, te, b, h) = (3, 4, 3, 5)
    for m in [nil, mask] {
      let inputs = [
        randomVariable([td, b, h], seed: 1), randomVariable([te, b, h], seed: 2),
        randomVariable([2 * h, h], seed: 3, low: -0.5, high: 0.5),
        randomVariable([h, h], seed: 4, low: -0.5, high: 0.5),
      ]
      gradientCheck(inputs) { v in luongAttention(query: v[0], memory: v[1], wA: v[3], wC: v[2], sourceMask: m).output }
    }
  }

  func testGradientsDot() {
    let (td, te, b, h) = (2, 4, 3, 3)
    let inputs = [
      randomVariable([td, b, h], seed: 5), randomVariable([te, b, h], seed: 6),
      randomVariable([2 * h, h], seed: 7, low: -0.5, high: 0.5),
    ]
    gradientCheck(inputs) { v in
      luongAttention(query: v[0], memory: v[1], wA: nil, wC: v[2], sourceMask: self.mask).output
    }
  }

  func testMaskedPositionsGetZeroWeight() {
    var rng = SeededRandom(seed: 8)
    let att = LuongAttention(hiddenSize: 5, score: .general, rng: &rng)
    let q = Variable(rng.uniformTensor([2, 3, 5], -1, 1))
    let mem = rng.uniformTensor([4, 3, 5], -1, 1)
    let r = att(query: q, memory: Variable(mem), sourceMask: mask)
    XCTAssertEqual(r.weights.shape, [3, 2, 4])
    for b in 0..<3 {
      for t in 0..<2 {
        var sum: Float = 0
        for s in 0..<4 {
          let w = r.weights.data[(b * 2 + t) * 4 + s]
          if mask.data[b * 4 + s] == 0 { XCTAssertEqual(w, 0) } else { XCTAssertGreaterThan(w, 0) }
          sum += w
        }
        XCTAssertEqual(sum, 1, accuracy: 1e-5)
      }
    }
    // Changing padded memory positions does not change the output.
    var mem2 = mem
    for s in 1..<4 { for j in 0..<5 { mem2.data[(s * 3 + 2) * 5 + j] = 100 } }
    let r2 = att(query: q, memory: Variable(mem2), sourceMask: mask)
    for (a, e) in zip(r.output.value.data[10..<15], r2.output.value.data[10..<15]) {
      XCTAssertEqual(a, e, accuracy: 1e-6)
    }
  }

  func testMatchesNaiveComposition() {
    // Dot attention for one batch element written with core ops.
    let (td, te, h) = (3, 4, 2)
    let q = randomVariable([td, 1, h], seed: 9)
    let mem = randomVariable([te, 1, h], seed: 10)
    let wc = randomVariable([2 * h, h], seed: 11)
    let fused = luongAttention(query: q, memory: mem, wA: nil, wC: wc).output
    let q2 = q.reshaped([td, h])
    let m2 = mem.reshaped([te, h])
    let w = matmul(q2, m2, transB: true).softmax()
    let naive = matmul(concat([matmul(w, m2), q2], axis: 1), wc).tanh()
    for (a, e) in zip(fused.value.data, naive.value.data) { XCTAssertEqual(a, e, accuracy: 1e-5) }
  }

  func testModuleParameters() {
    var rng = SeededRandom(seed: 12)
    XCTAssertEqual(LuongAttention(hiddenSize: 4, score: .general, rng: &rng).namedParameters.map(\.0), ["w_a", "w_c"])
    XCTAssertEqual(LuongAttention(hiddenSize: 4, score: .dot, rng: &rng).namedParameters.map(\.0), ["w_c"])
    XCTAssertEqual(LuongAttention.mask(lengths: [2, 0], maxLength: 3).data, [1, 1, 0, 0, 0, 0])
  }
}
