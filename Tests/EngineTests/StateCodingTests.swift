import Foundation
import XCTest

@testable import Engine

/// The Codable forms of Adam's state and of the random stream are bit-exact: a run restored from
/// JSON continues exactly as the uninterrupted one.
final class StateCodingTests: XCTestCase {
  func roundTrip<T: Codable>(_ value: T) throws -> T {
    try JSONDecoder().decode(T.self, from: try JSONEncoder().encode(value))
  }

  /// Two parameters, a few Adam steps with awkward gradients.
  func train(_ adam: Adam, _ params: [Variable], steps: Range<Int>) {
    for t in steps {
      for (i, p) in params.enumerated() {
        p.grad = Tensor(
          shape: p.value.shape, data: p.value.data.indices.map { Float(t + 1) * 0.37 / Float($0 + i + 1) - 0.11 })
      }
      adam.step(params)
    }
  }

  func testAdamResumedFromJSONContinuesBitExactly() throws {
    func params() -> [Variable] {
      [
        Variable(Tensor(shape: [3], data: [0.1, -0.2, 0.3]), requiresGrad: true),
        Variable(Tensor(shape: [2, 5], data: (0..<10).map { Float($0) / 7 }), requiresGrad: true),
      ]
    }
    let a = params()
    let adamA = Adam(learningRate: 0.01)
    train(adamA, a, steps: 0..<4)
    // Interrupt: save the weights and the optimizer state, restore them into fresh objects.
    let saved = try roundTrip(adamA.exportState(parameters: a))
    XCTAssertEqual(saved, adamA.exportState(parameters: a))
    XCTAssertEqual(saved.stepCount, 4)
    let b = params()
    for (x, y) in zip(b, a) { x.value = Tensor(shape: y.value.shape, data: y.value.data) }
    let adamB = Adam(learningRate: 0.01)
    adamB.importState(saved, parameters: b)
    train(adamA, a, steps: 4..<9)
    train(adamB, b, steps: 4..<9)
    for (x, y) in zip(a, b) { XCTAssertEqual(x.value.data.map(\.bitPattern), y.value.data.map(\.bitPattern)) }
    XCTAssertEqual(adamA.exportState(parameters: a), adamB.exportState(parameters: b))
    // Not vacuous: without the imported state the continuation differs.
    let c = params()
    for (x, y) in zip(c, b) { x.value = Tensor(shape: y.value.shape, data: y.value.data) }
    let fresh = Adam(learningRate: 0.01)
    train(fresh, c, steps: 0..<1)
    XCTAssertNotEqual(fresh.exportState(parameters: c), adamB.exportState(parameters: b))
  }

  func testAdamStateKeepsNaNAndInfinityBits() throws {
    let state = AdamState(
      stepCount: 3, m: [[.nan, -.infinity, Float(bitPattern: 1)], []], v: [[.infinity, 0, -0.0], []])
    let back = try roundTrip(state)
    XCTAssertEqual(back.m.map { $0.map(\.bitPattern) }, state.m.map { $0.map(\.bitPattern) })
    XCTAssertEqual(back.v.map { $0.map(\.bitPattern) }, state.v.map { $0.map(\.bitPattern) })
    XCTAssertEqual(back, state)
  }

  func testMismatchedMomentsAreADecodingError() throws {
    let json = #"{"stepCount": 1, "m": [[1065353216]], "v": [[1065353216, 0]]}"#
    XCTAssertThrowsError(try JSONDecoder().decode(AdamState.self, from: Data(json.utf8)))
  }

  func testRandomStreamResumesFromJSON() throws {
    var a = SeededRandom(seed: 0xDEAD_BEEF_1234_5678)
    for _ in 0..<17 { _ = a.next() }
    var b = try roundTrip(a)
    XCTAssertEqual(a, b)
    XCTAssertEqual((0..<50).map { _ in a.next() }, (0..<50).map { _ in b.next() })
    var c = SeededRandom(seed: 0xDEAD_BEEF_1234_5678)
    XCTAssertNotEqual(a, c)
    _ = c.next()
    XCTAssertThrowsError(try JSONDecoder().decode(SeededRandom.self, from: Data("[1, 2, 3]".utf8)))
  }
}
