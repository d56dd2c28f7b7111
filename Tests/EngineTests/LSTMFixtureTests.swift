import Store
import XCTest

@testable import Engine

/// Comparisons against PyTorch fixtures written by `scripts/torch_fixtures/sequence.py`.
final class LSTMFixtureTests: XCTestCase {
  private func open(_ name: String) throws -> HDF5File {
    let url = try XCTUnwrap(Bundle.module.url(forResource: name, withExtension: "h5", subdirectory: "Fixtures"))
    return try HDF5File.open(url.path)
  }

  private func tensor(_ f: HDF5File, _ name: String) throws -> Tensor {
    let a = try f.root.read(name, as: Float.self)
    return Tensor(shape: a.shape, data: a.values)
  }

  private func assertClose(
    _ a: Tensor, _ e: Tensor, _ what: String, tol: Float = 1e-4, file: StaticString = #filePath, line: UInt = #line
  ) {
    XCTAssertEqual(a.count, e.count, what, file: file, line: line)
    var worst: Float = 0
    for (x, y) in zip(a.data, e.data) { worst = max(worst, abs(x - y) / max(1, abs(y))) }
    XCTAssertLessThanOrEqual(worst, tol, "\(what): max relative difference \(worst)", file: file, line: line)
  }

  func testLSTMMatchesTorch() throws {
    let f = try open("seq_lstm")
    let x = Variable(try tensor(f, "lstm/input"), requiresGrad: true)
    let (b, i) = (x.shape[1], x.shape[2])
    let h0 = try tensor(f, "lstm/h0")
    let c0 = try tensor(f, "lstm/c0")
    let layers = h0.shape[0]
    let hid = h0.shape[2]
    let lengths = try f.root.read("lstm/lengths", as: Int64.self).values.map { Int($0) }
    var rng = SeededRandom(seed: 0)
    let lstm = LSTM(inputSize: i, hiddenSize: hid, numLayers: layers, rng: &rng)
    var state: [String: Tensor] = [:]
    for (name, _) in lstm.namedParameters { state[name] = try tensor(f, "lstm/\(name)") }
    try lstm.load(state)
    let initial = (0..<layers).map { l in
      LSTMState(
        h: Variable(h0.slice(rows: l..<(l + 1)).reshaped([b, hid]), requiresGrad: true),
        c: Variable(c0.slice(rows: l..<(l + 1)).reshaped([b, hid]), requiresGrad: true))
    }
    let r = lstm(x, initialStates: initial, lengths: lengths)
    assertClose(r.output.value, try tensor(f, "lstm/output"), "output")
    assertClose(Tensor.concat(r.states.map(\.h.value)), try tensor(f, "lstm/h_n").reshaped([layers * b, hid]), "h_n")
    assertClose(Tensor.concat(r.states.map(\.c.value)), try tensor(f, "lstm/c_n").reshaped([layers * b, hid]), "c_n")

    let rh = try tensor(f, "lstm/r_h").reshaped([layers * b, hid])
    let rc = try tensor(f, "lstm/r_c").reshaped([layers * b, hid])
    let loss =
      (r.output * Variable(try tensor(f, "lstm/r_out"))).sum()
      + (concat(r.states.map(\.h), axis: 0) * Variable(rh)).sum()
      + (concat(r.states.map(\.c), axis: 0) * Variable(rc)).sum()
    loss.backward()
    assertClose(try XCTUnwrap(x.grad), try tensor(f, "lstm/grad_input"), "grad input")
    for (name, p) in lstm.namedParameters {
      assertClose(try XCTUnwrap(p.grad), try tensor(f, "lstm/grad_\(name)"), "grad \(name)")
    }
    assertClose(
      Tensor.concat(try initial.map { try XCTUnwrap($0.h.grad) }),
      try tensor(f, "lstm/grad_h0").reshaped([layers * b, hid]), "grad h0")
    assertClose(
      Tensor.concat(try initial.map { try XCTUnwrap($0.c.grad) }),
      try tensor(f, "lstm/grad_c0").reshaped([layers * b, hid]), "grad c0")
  }

  func testAttentionMatchesTorch() throws {
    let f = try open("seq_attention")
    let q = Variable(try tensor(f, "attention/query"), requiresGrad: true)
    let m = Variable(try tensor(f, "attention/memory"), requiresGrad: true)
    var rng = SeededRandom(seed: 0)
    let att = LuongAttention(hiddenSize: q.shape[2], score: .general, rng: &rng)
    try att.load(["w_a": try tensor(f, "attention/w_a"), "w_c": try tensor(f, "attention/w_c")])
    let r = att(query: q, memory: m, sourceMask: try tensor(f, "attention/mask"))
    assertClose(r.output.value, try tensor(f, "attention/output"), "output")
    assertClose(r.weights, try tensor(f, "attention/weights"), "weights")
    (r.output * Variable(try tensor(f, "attention/r"))).sum().backward()
    assertClose(try XCTUnwrap(q.grad), try tensor(f, "attention/grad_query"), "grad query")
    assertClose(try XCTUnwrap(m.grad), try tensor(f, "attention/grad_memory"), "grad memory")
    assertClose(try XCTUnwrap(att.wA?.grad), try tensor(f, "attention/grad_w_a"), "grad w_a")
    assertClose(try XCTUnwrap(att.wC.grad), try tensor(f, "attention/grad_w_c"), "grad w_c")
  }

  func testMaskedSoftmaxCrossEntropyMatchesTorch() throws {
    let f = try open("seq_softmax_ce")
    let logits = Variable(try tensor(f, "ce/logits"), requiresGrad: true)
    let labels = try f.root.read("ce/labels", as: Int64.self).values.map { Int($0) }
    let mask = try tensor(f, "ce/mask").data
    let loss = softmaxCrossEntropy(logits, labels: labels, mask: mask)
    XCTAssertEqual(loss.value.scalar, try tensor(f, "ce/loss").scalar, accuracy: 1e-5)
    loss.backward()
    assertClose(try XCTUnwrap(logits.grad), try tensor(f, "ce/grad_logits"), "grad logits", tol: 1e-5)
  }
}
