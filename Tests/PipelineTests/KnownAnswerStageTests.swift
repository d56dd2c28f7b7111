import AutoLoss
import Foundation
import Report
import Store
import XCTest

@testable import Pipeline

/// The `known-answer` stage on a temp artifacts folder: the artifact it writes reads back to the
/// rows it returned, and the report shows them.
final class KnownAnswerStageTests: SmokeStageTestCase {
  func testStageWritesTheSuiteArtifactAndTheReportShowsIt() throws {
    let ctx = context()
    let (artifact, rows) = try KnownAnswerStage(context: ctx, evaluationEpisodes: 10).run()
    XCTAssertEqual(artifact.path, ctx.artifactRoot + "/known-answer/suite/v0001.h5")
    XCTAssertEqual(rows.map(\.algorithm), ["reinforce", "antithetic"])
    let file = try ArtifactReader.open(artifact, schema: KnownAnswerStage.schema, supportedVersions: 1...1)
    defer { file.close() }
    // The report's reader gives back every field the stage wrote.
    let stored = try StoredKnownAnswerRow.readRows(file.root)
    XCTAssertEqual(stored.count, rows.count)
    for (s, r) in zip(stored, rows) {
      XCTAssertEqual(s.algorithm, r.algorithm)
      XCTAssertEqual(
        [s.correctFraction, s.bestConstantRatio, s.margin, s.standardError, s.targetRatio, s.realizedRatio],
        [r.correctFraction, r.bestConstantRatio, r.margin, r.standardError, r.targetRatio, r.realizedRatio])
      XCTAssertEqual([s.meanProbability, s.seconds], [r.meanProbability, r.seconds])
      XCTAssertEqual([s.stateEpisodes, s.ratioEpisodes], [r.stateEpisodes, r.ratioEpisodes])
      XCTAssertEqual([s.statePassed, s.ratioPassed], [r.statePassed, r.ratioPassed])
    }
    XCTAssertEqual(try file.root.attributeString("verdict"), KnownAnswerStage.verdict(rows))
    XCTAssertEqual(try file.root.attribute("evaluation_episodes", as: Int64.self), 10)
    let rewards = try file.root.group("trainers/reinforce/state_dependent").read("controller_reward", as: Float.self)
    XCTAssertEqual(rewards.values.count, 10)
    for r in rows {
      XCTAssertEqual(r.statePassed, r.correctFraction >= 0.9 && r.margin > 3 * r.standardError, r.algorithm)
      XCTAssertEqual(r.ratioPassed, abs(r.realizedRatio - r.targetRatio) <= 0.05, r.algorithm)
      XCTAssertGreaterThan(r.stateEpisodes, 0)
      XCTAssertEqual(r.targetRatio, 0.7, accuracy: 1e-6)
    }

    // The online PPO check: one group per ratio reference, the configured one passing.
    XCTAssertEqual(try file.root.readStrings("online_ppo_references"), ["behaviour", "previousPolicy", "decoupled"])
    let ppo = try file.root.group("online_ppo/behaviour")
    XCTAssertEqual(try ppo.attribute("passed", as: Int64.self), 1)
    let frozen = try ppo.read("controller_perplexity", as: Float.self).values
    XCTAssertEqual(frozen.count, 2)
    for p in frozen {
      XCTAssertLessThan(Double(p), try ppo.attribute("main_only_perplexity", as: Double.self))
      XCTAssertLessThan(Double(p), try ppo.attribute("untrained_perplexity", as: Double.self))
    }

    let folder = try ReportStage(context: ctx).run()
    let html = try String(contentsOfFile: folder + "/index.html", encoding: .utf8)
    XCTAssertTrue(html.contains("Known-answer check"))
    XCTAssertTrue(html.contains("Online PPO known-answer check"))
    XCTAssertTrue(html.contains("Known-answer check: \(KnownAnswerStage.verdict(rows))"))
    XCTAssertTrue(html.contains(artifact.path))
  }

  func testVerdictNamesEveryFailedCheck() {
    var good = KnownAnswerRow(
      algorithm: "reinforce", correctFraction: 0.95, bestConstantRatio: 0.5, margin: 0.2, standardError: 0.01,
      targetRatio: 0.7, realizedRatio: 0.71, meanProbability: 0.7, stateEpisodes: 300, ratioEpisodes: 400,
      seconds: 1, statePassed: true, ratioPassed: true)
    XCTAssertEqual(KnownAnswerStage.verdict([good]), KnownAnswerStage.passSentence)
    var bad = good
    bad.algorithm = "antithetic"
    bad.correctFraction = 0.6
    bad.statePassed = false
    good.realizedRatio = 0.8
    good.ratioPassed = false
    let verdict = KnownAnswerStage.verdict([good, bad])
    XCTAssertTrue(verdict.hasPrefix("failed: "), verdict)
    XCTAssertTrue(verdict.contains("reinforce ratio task (ratio 0.800 vs p* 0.70)"), verdict)
    XCTAssertTrue(verdict.contains("antithetic state-dependent task (60.0 % correct"), verdict)
    XCTAssertFalse(verdict.contains("reinforce state-dependent"), verdict)

    // Online PPO: only the configured (first) ratio reference must beat main only.
    var ppo = KnownAnswer.OnlinePPOResult(
      controllerPerplexity: [10.5, 9.7], controllerMainShare: [1, 0.5], mainOnlyPerplexity: 10.47, bestMixShare: 0.5,
      bestMixPerplexity: 9.6, untrainedPerplexity: 10.3, switchPerplexity: 9.6, metaEpisodes: 5)
    XCTAssertFalse(ppo.passed)
    let failed = KnownAnswerStage.onlinePPOVerdict([(.behaviour, ppo)])
    XCTAssertEqual(
      failed,
      "online PPO (behaviour ratio) on the multi-task stand-in (frozen 10.50, 9.70 vs main only 10.47, untrained 10.30)"
    )
    XCTAssertNil(KnownAnswerStage.onlinePPOVerdict([]))
    var learned = ppo
    learned.controllerPerplexity = [9.8, 9.7]
    XCTAssertNil(KnownAnswerStage.onlinePPOVerdict([(.behaviour, learned), (.previousPolicy, ppo)]))
    learned.controllerPerplexity = [9.8, 10.4]
    XCTAssertFalse(learned.passed, "level with main only but worse than untrained")
    ppo.controllerPerplexity = []
    XCTAssertFalse(ppo.passed, "no controller is no pass")
  }
}
