import AutoLoss
import Engine
import XCTest

@testable import Tasks

/// The shared controller trainer keeps one task per executor slot and reuses it: an episode must
/// not depend on what the task instance ran before.
final class TaskReuseTests: XCTestCase {
  func testReusedRegularizedTaskRepeatsAFreshOne() {
    let (data, _) = TaskFixtures.regression(n: 60)
    var config = RegularizedTaskConfig.regression
    config.maxSteps = 200
    let reused = RegularizedTask(kind: .regression, data: data, config: config)
    var coin = WeightedRandom([0.5, 0.5])
    _ = runEpisode(task: reused, schedule: &coin, seed: 1)
    let again = runEpisode(task: reused, schedule: &coin, seed: 2)
    let fresh = runEpisode(
      task: RegularizedTask(kind: .regression, data: data, config: config), schedule: &coin, seed: 2)
    XCTAssertEqual(again.actions, fresh.actions)
    let differing = zip(again.features, fresh.features).enumerated().filter { $0.1.0.bitPattern != $0.1.1.bitPattern }
    XCTAssertTrue(differing.isEmpty, "features (index, reused, fresh): \(differing.prefix(5))")
    XCTAssertTrue(again == fresh, "the traces differ")
  }
}
