import AutoLoss
import Engine
import Pipeline
import Statistics
import XCTest

final class AnalysisTests: XCTestCase {
  func testShufflesKeepTheActionsAndBlocksKeepTheirOwn() {
    let actions = (0..<100).map { $0 < 30 ? 1 : ($0 % 3 == 0 ? 1 : 0) }
    var rng = SeededRandom(seed: 3)
    let full = ActionShuffle.full(actions, rng: &rng)
    XCTAssertEqual(full.sorted(), actions.sorted())
    XCTAssertNotEqual(full, actions)
    let blocks = ActionShuffle.withinBlocks(actions, fraction: 0.1, rng: &rng)
    XCTAssertEqual(blocks.count, actions.count)
    for start in stride(from: 0, to: 100, by: 10) {
      XCTAssertEqual(blocks[start..<start + 10].sorted(), actions[start..<start + 10].sorted())
    }
    XCTAssertNotEqual(blocks, actions)
  }

  /// Traces whose P(L1) is `policy(progress, feature)` with feature 1 an independent signal.
  func traces(_ policy: (Double, Double) -> Double) -> [EpisodeTrace] {
    var rng = SeededRandom(seed: 7)
    return (0..<5).map { run in
      var t = EpisodeTrace()
      let steps = 200 + 20 * run
      for s in 0..<steps {
        let progress = Double(s) / Double(steps)
        let signal = Double(rng.uniform(-1, 1))
        let p = policy(progress, signal)
        t.actions.append(p > 0.5 ? 1 : 0)
        t.probabilities += [Float(1 - p), Float(p)]
        t.features += [Float(progress), Float(signal)]
      }
      t.steps = steps
      return t
    }
  }

  func testPolicyDescriptionSeparatesTimeFromState() {
    let groups: [(name: String, indices: [Int])] = [("progress", [0]), ("signal", [1])]
    let overTime = PolicyDescription.of(
      traces { progress, _ in 0.2 + 0.6 * progress }, action: 1, actionCount: 2, featureCount: 2, groups: groups,
      bins: 5)
    XCTAssertGreaterThan(overTime.r2Progress, 0.99)
    XCTAssertEqual(overTime.binMean.count, 5)
    XCTAssertEqual(overTime.binMean[0], 0.26, accuracy: 0.01)
    XCTAssertEqual(overTime.binMean[4], 0.74, accuracy: 0.01)
    XCTAssertLessThan(overTime.binSD[2], 0.05)

    let onState = PolicyDescription.of(
      traces { _, signal in 0.5 + 0.3 * signal }, action: 1, actionCount: 2, featureCount: 2, groups: groups, bins: 5)
    XCTAssertLessThan(onState.r2Progress, 0.05)
    XCTAssertGreaterThan(onState.r2All, 0.99)
    XCTAssertGreaterThan(onState.r2Group[1], 0.99)
    XCTAssertLessThan(onState.r2Group[0], 0.05)
    XCTAssertGreaterThan(onState.withinRunSD, 0.1)
    XCTAssertGreaterThan(onState.binP95[0] - onState.binP05[0], 0.4)

    let constant = PolicyDescription.of(
      traces { _, _ in 0.7 }, action: 1, actionCount: 2, featureCount: 2, groups: groups, bins: 5)
    XCTAssertEqual(constant.r2All, 0)
    XCTAssertEqual(constant.withinRunSD, 0, accuracy: 1e-6)
  }

  func paired(_ shift: Double) -> Stats.Paired? {
    let base = [0.01, -0.02, 0.015, -0.005, 0.02, -0.01, 0.0, 0.012]
    return Stats.paired(base.map { $0 + shift }, [Double](repeating: 0, count: base.count))
  }

  func testLearnedVerdictRules() {
    typealias E = LearnedVerdict.Evidence
    let none = paired(0)
    let hurts = paired(0.1)
    func evidence(
      block: Stats.Paired? = nil, fullVsBlock: Stats.Paired? = nil,
      clamps: [(group: String, comparison: Stats.Paired?)] = [],
      untrained: Stats.Paired? = nil, ratio: Double = 0.5
    ) -> E {
      E(
        blockShuffled: block ?? none, fullVersusBlock: fullVsBlock ?? none, clamps: clamps,
        untrained: untrained ?? none, ratio: ratio, untrainedRatio: 0.5)
    }
    XCTAssertEqual(LearnedVerdict.decide(evidence()), .nothing)
    XCTAssertEqual(LearnedVerdict.decide(evidence(ratio: 0.8)), .ratio)
    XCTAssertEqual(LearnedVerdict.decide(evidence(untrained: hurts)), .ratio)
    XCTAssertEqual(LearnedVerdict.decide(evidence(fullVsBlock: hurts)), .schedule)
    XCTAssertEqual(LearnedVerdict.decide(evidence(clamps: [("progress", hurts), ("loss", none)])), .schedule)
    XCTAssertEqual(LearnedVerdict.decide(evidence(clamps: [("progress", none), ("loss", hurts)])), .stateDependent)
    XCTAssertEqual(LearnedVerdict.decide(evidence(block: hurts)), .stateDependent)
    // A replay that is *better* than the controller is no evidence of state dependence.
    XCTAssertEqual(LearnedVerdict.decide(evidence(block: paired(-0.1))), .nothing)
    XCTAssertEqual([LearnedVerdict.stateDependent, .ratio, .schedule].min(), .ratio)
    XCTAssertEqual(LearnedVerdict.ratio.sentence, "learns a ratio")
  }

  func testRSquaredOfAnExactLinearFit() {
    let x: [[Double]] = (0..<50).map { [Double($0), Double($0 % 7)] }
    let y = x.map { 3 * $0[0] - 2 * $0[1] + 1 }
    XCTAssertEqual(PolicyDescription.rSquared(y, x), 1, accuracy: 1e-9)
    XCTAssertEqual(
      PolicyDescription.rSquared(y, x.map { [$0[1]] }), PolicyDescription.rSquared(y, x.map { [$0[1] * 10] }),
      accuracy: 1e-9)
  }
}
