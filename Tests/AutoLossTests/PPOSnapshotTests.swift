import Engine
import Foundation
import XCTest

@testable import AutoLoss

/// A PPO trainer restored from a JSON snapshot continues bit-exactly as the uninterrupted one.
final class PPOSnapshotTests: XCTestCase {
  func config() -> PPOConfig {
    var c = PPOConfig()
    c.minibatchSize = 8
    c.minibatchUpdates = 3
    c.bufferSize = 40
    c.syncEvery = 2  // the reference policy lags the actor between refreshes
    return c
  }

  /// `updates` rounds of: act on 12 states, store them with a reward, update.
  func train(_ trainer: PPOTrainer, rounds: Range<Int>) {
    for r in rounds {
      var rng = SeededRandom(seed: UInt64(100 + r))
      var transitions: [PPOTransition] = []
      for i in 0..<12 {
        let s = (0..<4).map { Float(($0 + i + r) % 5) / 5 - 0.3 }
        let (a, _, _) = trainer.act(s, exploration: 0.2, rng: &rng)
        transitions.append(PPOTransition(state: s, action: a, reward: Float(a) - 0.5 + Float(r) * 0.1, nextState: s))
      }
      trainer.store(transitions)
      trainer.update()
    }
  }

  func testRestoredTrainerContinuesBitExactly() throws {
    let a = PPOTrainer(featureCount: 4, actionCount: 3, config: config(), seed: 11)
    train(a, rounds: 0..<5)
    let data = try JSONEncoder().encode(a.snapshot())
    let saved = try JSONDecoder().decode(PPOTrainerSnapshot.self, from: data)
    XCTAssertEqual(saved, a.snapshot())
    XCTAssertEqual(saved.updates, 5)
    XCTAssertEqual(saved.buffer.count, 40)
    XCTAssertNotEqual(saved.reference, saved.actor, "syncEvery 2 after 5 updates: the reference lags")

    let b = PPOTrainer(featureCount: 4, actionCount: 3, config: config(), seed: 11)
    try b.restore(saved)
    XCTAssertEqual(b.snapshot(), saved)
    train(a, rounds: 5..<9)
    train(b, rounds: 5..<9)
    XCTAssertEqual(a.snapshot(), b.snapshot())
    XCTAssertNotEqual(a.snapshot(), saved)

    // Not vacuous: a trainer that only gets the weights (no optimizer, buffer or random stream) drifts.
    let c = PPOTrainer(featureCount: 4, actionCount: 3, config: config(), seed: 11)
    try c.load(
      saved.actor.tensors.reduce(into: [:]) { $0["actor." + $1.key] = $1.value }
        .merging(saved.critic.tensors.reduce(into: [:]) { $0["critic." + $1.key] = $1.value }) { x, _ in x })
    train(c, rounds: 5..<9)
    XCTAssertNotEqual(c.snapshot().actor, a.snapshot().actor)
  }

  func testSnapshotOfAnotherShapeOrConfigIsRefused() throws {
    let a = PPOTrainer(featureCount: 4, actionCount: 3, config: config(), seed: 1)
    let other = PPOTrainer(featureCount: 5, actionCount: 3, config: config(), seed: 1)
    XCTAssertThrowsError(try other.restore(a.snapshot())) { error in
      XCTAssertTrue("\(error)".contains("4 features"), "\(error)")
    }
    var c = config()
    c.hidden = 16
    XCTAssertThrowsError(try PPOTrainer(featureCount: 4, actionCount: 3, config: c, seed: 1).restore(a.snapshot()))
  }
}
