import AutoLoss
import Engine
import Tasks
import XCTest

/// Common random numbers in the GAN task: the data and noise a step sees depend only on the seed and
/// on how many steps of its own kind came before, not on the rest of the schedule.
final class GANStreamsTests: XCTestCase {
  /// What one step drew: its kind, its count among steps of that kind, and fingerprints of the draws.
  struct Draw: Equatable {
    var action: Int
    var ordinal: Int
    var realIndices: [Int]
    /// The next value of the step's noise stream after the step (equal positions give equal values).
    var noisePosition: UInt64
  }

  func run(_ actions: [Int], seed: UInt64) throws -> (draws: [Draw], generator: [String: Tensor], losses: [[Float]]) {
    let task = try GANTaskTests.makeTask()
    task.reset(seed: seed)
    var draws: [Draw] = []
    var losses: [[Float]] = []
    for a in actions {
      task.step(a)
      losses.append(task.latestLosses)
      var s = task.streams
      if a == 0 {
        var noise = s.discriminatorNoise
        draws.append(
          Draw(action: 0, ordinal: s.realBatches, realIndices: s.lastRealIndices, noisePosition: noise.next()))
        XCTAssertEqual(s.realBatches, s.discriminatorNoiseBatches)
      } else {
        var noise = s.generatorNoise
        draws.append(Draw(action: 1, ordinal: s.generatorNoiseBatches, realIndices: [], noisePosition: noise.next()))
      }
      _ = s.nextGeneratorNoise([1, 1])  // a copy: must not move the task's own stream
    }
    return (draws, task.trainer.generator.stateDict(), losses)
  }

  func testSameActionsAreBitIdentical() throws {
    let actions = [0, 1, 0, 0, 1, 1, 0, 1, 0, 1, 1]
    let a = try run(actions, seed: 11)
    let b = try run(actions, seed: 11)
    XCTAssertEqual(a.draws, b.draws)
    XCTAssertEqual(a.losses, b.losses)
    XCTAssertEqual(a.generator, b.generator)
    let other = try run(actions, seed: 12)
    XCTAssertNotEqual(a.draws.first?.realIndices, other.draws.first?.realIndices, "another seed, other batches")
  }

  func testOneDifferentActionSharesEveryBatch() throws {
    let actions = [0, 1, 0, 0, 1, 1, 0, 1, 0, 1, 1]
    var flipped = actions
    flipped[2] = 1  // one D step becomes a G step
    let a = try run(actions, seed: 11)
    let b = try run(flipped, seed: 11)
    XCTAssertNotEqual(a.losses, b.losses, "the flipped action changes the training")
    for kind in [0, 1] {
      let da = a.draws.filter { $0.action == kind }
      let db = b.draws.filter { $0.action == kind }
      XCTAssertEqual(da.map(\.ordinal), Array(1...da.count))
      XCTAssertEqual(db.map(\.ordinal), Array(1...db.count))
      // The k-th step of each kind saw the same real batch and noise in both runs.
      for (x, y) in zip(da, db) { XCTAssertEqual(x, y, "step \(x.ordinal) of action \(kind)") }
    }
    XCTAssertEqual(a.draws.filter { $0.action == 0 }.count, b.draws.filter { $0.action == 0 }.count + 1)
  }

  func testChecksUseTheSameEvaluationSamplesAtTheSameStep() {
    let s = GANStreams(seed: 3)
    XCTAssertEqual(s.checkSeed(step: 500), GANStreams(seed: 3).checkSeed(step: 500))
    XCTAssertNotEqual(s.checkSeed(step: 500), s.checkSeed(step: 1000))
    XCTAssertNotEqual(s.checkSeed(step: 500), GANStreams(seed: 4).checkSeed(step: 500))
    XCTAssertNotEqual(s.finalSeed, s.checkSeed(step: 0))
  }
}
