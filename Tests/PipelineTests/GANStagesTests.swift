import Foundation
import Pipeline
import Store
import Tasks
import XCTest

/// Writes a fake image dataset (random 28×28 gray pixels, labels 0-9) in the layout `prep mnist` writes.
func makeFakeImageDataset(_ name: String, dataDir: String, seed: UInt64, trainCount: Int = 48) throws {
  var state = seed
  func byte() -> UInt8 {
    state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
    return UInt8(truncatingIfNeeded: state >> 56)
  }
  let writer = try ArtifactWriter(
    path: "\(dataDir)/\(name).h5", provenance: Provenance(schema: "autoloss/dataset", schemaVersion: 1))
  for (split, n) in [("train", trainCount), ("validation", 8), ("test", 16)] {
    let g = try writer.root.createGroup(split)
    try g.write("images", (0..<(n * 784)).map { _ in byte() }, shape: [n, 1, 28, 28])
    try g.write("labels", (0..<n).map { Int32($0 % 10) }, shape: [n])
  }
  try writer.commit()
}

/// The GAN stages end to end on a tiny fake MNIST and Fashion-MNIST (random pixels), in a temp folder.
final class GANStagesTests: XCTestCase {
  func testSmokeStagesWriteArtifacts() throws {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("gan-stages-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: root) }
    let dataDir = root + "/data"
    try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true)
    try makeFakeImageDataset("mnist", dataDir: dataDir, seed: 1)
    try makeFakeImageDataset("fashion-mnist", dataDir: dataDir, seed: 2)
    try FileManager.default.createDirectory(atPath: root + "/configs/none", withIntermediateDirectories: true)
    try Data("{}".utf8).write(to: URL(fileURLWithPath: root + "/configs/none/gan.json"))  // the defaults
    let context = StageContext(
      artifactRoot: root + "/artifacts", dataRoot: dataDir, profile: "none", configRoot: root + "/configs", workers: 2,
      showProgress: false)

    var scorer = ScorerConfig()
    scorer.steps = 2
    scorer.batchSize = 8
    scorer.isSplits = 1
    for d in ["mnist", "fashion-mnist"] {
      let r = try ScorerStage(dataset: d, config: scorer, context: context).run()
      XCTAssertTrue(r.accuracy >= 0 && r.accuracy <= 1)
      XCTAssertTrue(r.realIS >= 1 && r.realIS <= 10)
    }

    var config = try GANExperimentConfig.load(
      context: context,
      overrides: tinyGANOverrides + [
        "controller.episodes=2", "controller.episodesPerUpdate=2", "controller.collapseLength=8",
        "randomGrid=[0.5]", "runs=1", "transferArchitectures=1", "architectureWidthScale=0.0625",
      ])
    config.fixedRatios = [[1, 1], [2, 1]]
    let controller = try GANControllerStage(config: config, context: context).run()
    XCTAssertTrue(FileManager.default.fileExists(atPath: controller.path))
    let grids =
      (try? FileManager.default.contentsOfDirectory(atPath: root + "/artifacts/controllers/gan-mnist/v0001-grids"))
      ?? []
    XCTAssertFalse(grids.isEmpty, "a PNG grid per IS check")
    let file = try ArtifactReader.open(controller.path, schema: GANControllerStage.schema, supportedVersions: 1...1)
    XCTAssertEqual(try file.root.attributeString("real_range"), "zero-one")
    XCTAssertEqual(try file.root.group("episodes").list().count, 2)
    file.close()

    try GANBaselinesStage(config: config, context: context).run()
    let (baselines, _, _) = try GANBaselinesStage.load(name: config.name, context: context)
    XCTAssertEqual(Set(baselines.map(\.0)), ["1:1", "2:1", "random P(G)=0.50"])
    let evaluation = try GANEvaluationStage(config: config, context: context).run()
    XCTAssertTrue(evaluation.report.contains("AutoLoss"))
    let transfer = try GANTransferStage(config: config, context: context).run()
    XCTAssertTrue(transfer.report.contains("wins"))
    XCTAssertTrue(transfer.report.contains("fashion-mnist"))
  }
}
