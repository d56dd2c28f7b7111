import XCTest

@testable import Engine

final class LSTMTests: XCTestCase {
  /// The LSTM step written with core ops, as a reference for the fused kernel.
  private func naiveCell(
    _ x: Variable, _ h: Variable, _ c: Variable, _ wih: Variable, _ whh: Variable, _ b: Variable
  ) -> (Variable, Variable) {
    let hid = h.shape[1]
    let z = matmul(x, wih) + matmul(h, whh) + b
    let parts = z.split(sizes: [hid, hid, hid, hid], axis: 1)
    let (i, f, g, o) = (parts[0].sigmoid(), parts[1].sigmoid(), parts[2].tanh(), parts[3].sigmoid())
    let c2 = f * c + i * g
    return (o * c2.tanh(), c2)
  }

  func testCellMatchesNaiveComposition() {
    let (b, i, h) = (3, 4, 5)
    let x = randomVariable([b, i], seed: 1)
    let h0 = randomVariable([b, h], seed: 2)
    let c0 = randomVariable([b, h], seed: 3)
    let wih = randomVariable([i, 4 * h], seed: 4)
    let whh = randomVariable([h, 4 * h], seed: 5)
    let bias = randomVariable([4 * h], seed: 6)
    let fused = lstmCell(x, h: h0, c: c0, wIH: wih, wHH: whh, bias: bias)
    let naive = naiveCell(x, h0, c0, wih, whh, bias)
    for (a, e) in zip(fused.h.value.data + fused.c.value.data, naive.0.value.data + naive.1.value.data) {
      XCTAssertEqual(a, e, accuracy: 1e-5)
    }
  }

  func testCellGradients() {
    let (b, i, h) = (2, 3, 4)
    let inputs = [
      randomVariable([b, i], seed: 11), randomVariable([b, h], seed: 12), randomVariable([b, h], seed: 13),
      randomVariable([i, 4 * h], seed: 14), randomVariable([h, 4 * h], seed: 15), randomVariable([4 * h], seed: 16),
    ]
    // Both outputs at once: concatenated h' and c'.
    gradientCheck(inputs) { v in
      let r = lstmCell(v[0], h: v[1], c: v[2], wIH: v[3], wHH: v[4], bias: v[5])
      return concat([r.h, r.c], axis: 1)
    }
  }

  func testSequenceGradientsAllInputs() {
    // batch 3 (transposed recurrent products go element by element) and 5 (4×4 tiles plus an edge)
    for (b, partial) in [(3, [4, 2, 0]), (5, [4, 2, 0, 3, 1])] {
      sequenceGradients(batch: b, partialLengths: partial)
    }
  }

  private func sequenceGradients(batch b: Int, partialLengths: [Int]) {
    let (t, i, h) = (4, 3, 4)
    for reverse in [false, true] {
      for lengths in [nil, partialLengths] as [[Int]?] {
        let inputs = [
          randomVariable([t, b, i], seed: 21), randomVariable([b, h], seed: 22, low: -0.5, high: 0.5),
          randomVariable([b, h], seed: 23), randomVariable([i, 4 * h], seed: 24, low: -0.5, high: 0.5),
          randomVariable([h, 4 * h], seed: 25, low: -0.5, high: 0.5), randomVariable([4 * h], seed: 26),
        ]
        gradientCheck(inputs) { v in
          let r = lstmSequence(
            v[0], initial: LSTMState(h: v[1], c: v[2]), wIH: v[3], wHH: v[4], bias: v[5],
            lengths: lengths, reverse: reverse)
          return concat([r.output.reshaped([t * b, h]), r.state.h, r.state.c], axis: 0)
        }
      }
    }
  }

  func testSequenceEqualsRepeatedCells() {
    let (t, b, i, h) = (5, 2, 3, 4)
    let x = randomVariable([t, b, i], seed: 31)
    let wih = randomVariable([i, 4 * h], seed: 32)
    let whh = randomVariable([h, 4 * h], seed: 33)
    let bias = randomVariable([4 * h], seed: 34)
    let seq = lstmSequence(x, wIH: wih, wHH: whh, bias: bias)
    var hs = Variable(Tensor.zeros([b, h]))
    var cs = Variable(Tensor.zeros([b, h]))
    for s in 0..<t {
      let xs = x.slice(rows: s..<(s + 1)).reshaped([b, i])
      (hs, cs) = lstmCell(xs, h: hs, c: cs, wIH: wih, wHH: whh, bias: bias)
      let row = seq.output.value.slice(rows: s..<(s + 1)).data
      for (a, e) in zip(row, hs.value.data) { XCTAssertEqual(a, e, accuracy: 1e-6) }
    }
    XCTAssertEqual(seq.state.c.value.data, cs.value.data)
  }

  func testPaddedStepsKeepFinalStates() {
    let (t, b, i, h) = (6, 3, 2, 4)
    var rng = SeededRandom(seed: 41)
    let lstm = LSTM(inputSize: i, hiddenSize: h, numLayers: 2, bidirectional: true, rng: &rng)
    let x = rng.uniformTensor([t, b, i], -1, 1)
    let lengths = [6, 3, 1]
    let full = lstm(Variable(x), lengths: lengths)
    for (bi, n) in lengths.enumerated() {
      // The same sequence alone, truncated to its length, gives the same final states.
      var xs = [Float]()
      for s in 0..<n { xs += Array(x.data[(s * b + bi) * i..<(s * b + bi + 1) * i]) }
      let alone = lstm(Variable(Tensor(shape: [n, 1, i], data: xs)))
      for (k, st) in alone.states.enumerated() {
        for j in 0..<h {
          XCTAssertEqual(full.states[k].h.value.data[bi * h + j], st.h.value.data[j], accuracy: 1e-5)
          XCTAssertEqual(full.states[k].c.value.data[bi * h + j], st.c.value.data[j], accuracy: 1e-5)
        }
      }
      // Outputs agree on real steps and are zero on padded ones.
      for s in 0..<t {
        for j in 0..<(2 * h) {
          let v = full.output.value.data[(s * b + bi) * 2 * h + j]
          if s < n {
            XCTAssertEqual(v, alone.output.value.data[s * 2 * h + j], accuracy: 1e-5)
          } else {
            XCTAssertEqual(v, 0)
          }
        }
      }
    }
  }

  func testModuleShapesNamesAndGradients() {
    var rng = SeededRandom(seed: 51)
    let lstm = LSTM(inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, dropout: 0.3, rng: &rng)
    XCTAssertEqual(
      lstm.namedParameters.map(\.0),
      [
        "layer0.w_ih", "layer0.w_hh", "layer0.bias", "layer0.reverse.w_ih", "layer0.reverse.w_hh",
        "layer0.reverse.bias", "layer1.w_ih", "layer1.w_hh", "layer1.bias", "layer1.reverse.w_ih",
        "layer1.reverse.w_hh", "layer1.reverse.bias",
      ])
    XCTAssertEqual(lstm.namedParameters[6].1.shape, [8, 16])
    let x = randomVariable([5, 2, 3], seed: 52)
    let r = lstm(x, lengths: [5, 3])
    XCTAssertEqual(r.output.shape, [5, 2, 8])
    XCTAssertEqual(r.states.count, 4)
    // Gradient check through the whole module with dropout (fixed mask per call via a fixed seed).
    let params = lstm.parameters
    gradientCheck([x] + params) { _ in
      var drng = SeededRandom(seed: 9)
      let out = lstm(x, lengths: [5, 3], training: true, rng: &drng)
      return concat([out.output.reshaped([20, 4]), concat(out.states.map(\.h), axis: 0)], axis: 0)
    }
  }

  func testDropoutOnlyInTraining() {
    var rng = SeededRandom(seed: 61)
    let lstm = LSTM(inputSize: 3, hiddenSize: 4, numLayers: 2, dropout: 0.5, rng: &rng)
    let x = Variable(rng.uniformTensor([3, 2, 3], -1, 1))
    let a = lstm(x).output.value
    let b = lstm(x).output.value
    XCTAssertEqual(a, b)
    var d1 = SeededRandom(seed: 1)
    var d2 = SeededRandom(seed: 1)
    let c = lstm(x, training: true, rng: &d1).output.value
    let d = lstm(x, training: true, rng: &d2).output.value
    XCTAssertEqual(c, d)
    XCTAssertNotEqual(a, c)
  }

  func testForgetBias() {
    var rng = SeededRandom(seed: 71)
    let lstm = LSTM(inputSize: 2, hiddenSize: 3, forgetBias: 1, rng: &rng)
    let b = lstm.cells[0][0].bias.value.data
    for j in 3..<6 { XCTAssertGreaterThan(b[j], 0.4) }
  }

  func testFastMathAccuracy() {
    var x: Float = -20
    while x < 20 {
      XCTAssertEqual(SeqMath.sigmoid(x), stableSigmoid(x), accuracy: 1e-6)
      XCTAssertEqual(SeqMath.tanh(x), Foundation.tanh(x), accuracy: 1e-6)
      XCTAssertEqual(SeqMath.exp(x) / Foundation.exp(x), 1, accuracy: 1e-6)
      x += 0.0137
    }
    XCTAssertEqual(SeqMath.exp(-200), 0, accuracy: 1e-37)
    XCTAssertTrue(SeqMath.exp(200).isFinite)
  }
}
