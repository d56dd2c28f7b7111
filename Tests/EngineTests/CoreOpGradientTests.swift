import XCTest

@testable import Engine

final class CoreOpGradientTests: XCTestCase {
  func testBroadcastingBinaryOps() {
    let a = randomVariable([3, 4], seed: 1)
    let bias = randomVariable([4], seed: 2)
    let col = randomVariable([3, 1], seed: 3)
    let positive = randomVariable([3, 4], seed: 4, low: 0.5, high: 2)
    gradientCheck([a, bias]) { v in v[0] + v[1] }
    gradientCheck([a, bias]) { v in v[0] - v[1] }
    gradientCheck([a, col]) { v in v[0] * v[1] }
    gradientCheck([a, positive]) { v in v[0] / v[1] }
    gradientCheck([bias, a]) { v in v[0] - v[1] }
  }

  func testScalarOps() {
    let a = randomVariable([2, 3], seed: 5)
    gradientCheck([a]) { v in v[0] * 3 + 1 }
    gradientCheck([a]) { v in 2 - v[0] / 4 }
    gradientCheck([a]) { v in -v[0] }
  }

  func testMatmulAllTransposes() {
    for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
      let a = randomVariable(ta ? [4, 3] : [3, 4], seed: 6)
      let b = randomVariable(tb ? [5, 4] : [4, 5], seed: 7)
      gradientCheck([a, b]) { v in matmul(v[0], v[1], transA: ta, transB: tb) }
    }
  }

  func testActivations() {
    // Keep inputs away from the kinks of relu/abs so finite differences are valid.
    var rng = SeededRandom(seed: 8)
    let kinkFree = Variable(
      rng.tensor([3, 5]) { r in
        let v = r.uniform(0.1, 1)
        return r.uniform() < 0.5 ? -v : v
      }, requiresGrad: true)
    gradientCheck([kinkFree]) { $0[0].relu() }
    gradientCheck([kinkFree]) { $0[0].leakyRelu(0.2) }
    gradientCheck([kinkFree]) { $0[0].abs() }
    let a = randomVariable([3, 5], seed: 9, low: -2, high: 2)
    gradientCheck([a]) { $0[0].tanh() }
    gradientCheck([a]) { $0[0].sigmoid() }
    gradientCheck([a]) { $0[0].exp() }
    gradientCheck([a]) { $0[0].square() }
    let positive = randomVariable([3, 5], seed: 10, low: 0.5, high: 3)
    gradientCheck([positive]) { $0[0].log() }
    gradientCheck([positive]) { $0[0].sqrt() }
  }

  func testReductions() {
    let a = randomVariable([2, 3, 4], seed: 11)
    gradientCheck([a]) { $0[0].sum() }
    gradientCheck([a]) { $0[0].mean() }
    for axis in 0..<3 {
      gradientCheck([a]) { $0[0].sum(axis: axis) }
      gradientCheck([a]) { $0[0].mean(axis: axis) }
    }
  }

  func testShapeOps() {
    let a = randomVariable([2, 3, 4], seed: 12)
    let b = randomVariable([2, 2, 4], seed: 13)
    gradientCheck([a]) { $0[0].reshaped([6, -1]) }
    gradientCheck([a]) { $0[0].permuted([2, 0, 1]) }
    gradientCheck([a]) { $0[0].reshaped([6, 4]).transposed() }
    gradientCheck([a, b]) { concat([$0[0], $0[1]], axis: 1) }
    gradientCheck([a]) { v in
      let parts = v[0].split(sizes: [1, 2], axis: 1)
      return parts[0] * 2 + parts[1].sum(axis: 1).reshaped([2, 1, 4])
    }
    gradientCheck([a]) { $0[0].slice(rows: 1..<2) }
    gradientCheck([a]) { $0[0].gather(rows: [1, 0, 1]) }
  }

  func testSoftmaxFamily() {
    let a = randomVariable([4, 5], seed: 14, low: -3, high: 3)
    gradientCheck([a]) { $0[0].softmax() }
    gradientCheck([a]) { $0[0].logSoftmax() }
  }

  func testLosses() {
    let p = randomVariable([5, 3], seed: 15)
    var rng = SeededRandom(seed: 16)
    let target = rng.uniformTensor([5, 3], -1, 1)
    gradientCheck([p]) { mseLoss($0[0], target) }
    gradientCheck([p]) { softmaxCrossEntropy($0[0], labels: [0, 2, 1, 1, 0]) }
    gradientCheck([p]) { softmaxCrossEntropy($0[0], labels: [0, 2, 1, 1, 0], mask: [1, 1, 0, 1, 0]) }
    let t01 = rng.tensor([5, 3]) { $0.uniform() < 0.5 ? 0 : 1 }
    gradientCheck([p]) { bceWithLogits($0[0], targets: t01) }
    var signs = SeededRandom(seed: 17)
    let w1 = Variable(
      signs.tensor([3, 2]) { r in r.uniform(0.1, 1) * (r.uniform() < 0.5 ? -1 : 1) }, requiresGrad: true)
    let w2 = Variable(signs.tensor([4]) { r in r.uniform(0.1, 1) * (r.uniform() < 0.5 ? -1 : 1) }, requiresGrad: true)
    gradientCheck([w1, w2]) { l1Penalty([$0[0], $0[1]]) }
  }

  func testLossValues() {
    let logits = Variable(Tensor(shape: [2, 2], data: [0, 0, 10, 0]))
    XCTAssertEqual(
      softmaxCrossEntropy(logits, labels: [0, 0]).value.scalar, (log(2) + log1p(exp(-10))) / 2, accuracy: 1e-5)
    XCTAssertEqual(softmaxCrossEntropy(logits, labels: [0, 1], mask: [1, 0]).value.scalar, log(2), accuracy: 1e-6)
    XCTAssertEqual(
      bceWithLogits(Variable(Tensor(shape: [1], data: [0])), target: 1).value.scalar, log(2), accuracy: 1e-6)
    XCTAssertEqual(l1Penalty([Variable(Tensor(shape: [3], data: [-1, 2, 0]))]).value.scalar, 3)
    XCTAssertEqual(
      mseLoss(Variable(Tensor(shape: [2], data: [1, 3])), Tensor(shape: [2], data: [0, 0])).value.scalar, 5)
  }

  /// Rows longer than the vector width, a mask, a seed of 2, and the same loss with recording off:
  /// the fused forward-written gradient against softmax − one-hot computed in Double.
  func testSoftmaxCrossEntropyOnLongRowsMatchesDirectFormula() {
    var rng = SeededRandom(seed: 18)
    let (n, c) = (6, 37)
    let x = rng.uniformTensor([n, c], -4, 4)
    let labels = (0..<n).map { _ in rng.int(below: c) }
    let mask: [Float] = [1, 0, 1, 1, 0.5, 1]
    let logits = Variable(x, requiresGrad: true)
    let loss = softmaxCrossEntropy(logits, labels: labels, mask: mask)
    loss.backward(seed: Tensor(scalar: 2))
    let unrecorded = GradMode.withoutRecording { softmaxCrossEntropy(logits, labels: labels, mask: mask) }
    XCTAssertEqual(unrecorded.value.scalar, loss.value.scalar)
    let maskSum = mask.reduce(0, +)
    var expectedLoss = 0.0
    for r in 0..<n {
      let row = (0..<c).map { Double(x.data[r * c + $0]) }
      let lse = log(row.map { exp($0) }.reduce(0, +))
      expectedLoss -= Double(mask[r]) * (row[labels[r]] - lse)
      for j in 0..<c {
        let expected = 2 * Double(mask[r]) / Double(maskSum) * (exp(row[j] - lse) - (j == labels[r] ? 1 : 0))
        XCTAssertEqual(Double(logits.grad!.data[r * c + j]), expected, accuracy: 1e-6, "row \(r) column \(j)")
      }
    }
    XCTAssertEqual(Double(loss.value.scalar), expectedLoss / Double(maskSum), accuracy: 1e-5)
  }

  func testGradientsAccumulateAcrossBackwardCalls() {
    let w = Variable(Tensor(shape: [2], data: [1, 2]), requiresGrad: true)
    (w * 3).sum().backward()
    (w * 3).sum().backward()
    XCTAssertEqual(w.grad?.data, [6, 6])
    w.zeroGrad()
    XCTAssertNil(w.grad)
  }

  func testNoRecordingGivesConstants() {
    let w = Variable(Tensor(shape: [2], data: [1, 2]), requiresGrad: true)
    let y = GradMode.withoutRecording { (w * 3).sum() }
    XCTAssertFalse(y.requiresGrad)
    XCTAssertTrue((w * 3).sum().requiresGrad)
  }
}
