import Datasets
import Engine
import XCTest

final class SyntheticClassificationTests: XCTestCase {
  func testPaperSplitShapes() throws {
    let splits = try SyntheticClassification.paperSplits(seed: 1)
    XCTAssertEqual(splits.all.map(\.split.count), [200, 1000, 200, 1000, 1000])
    for (_, s) in splits.all {
      XCTAssertEqual(s.features.shape, [s.count, 32])
      XCTAssertTrue(s.labels.allSatisfy { $0 == 0 || $0 == 1 })
    }
  }

  func testClassBalanceAndColumnRoles() throws {
    var rng = SeededRandom(seed: 11)
    let out = try SyntheticClassification.makeClassification(.paper(samples: 3400), rng: &rng)
    XCTAssertEqual(out.data.features.shape, [3400, 32])
    XCTAssertEqual(out.informativeColumns.count, 2)
    XCTAssertEqual(out.redundantColumns.count, 2)
    XCTAssertEqual(out.noiseColumns.count, 28)
    XCTAssertEqual(Set(out.informativeColumns + out.redundantColumns + out.noiseColumns), Set(0..<32))
    // 850 samples per cluster, 1700 per class, about 1% of labels redrawn (half of them flip).
    let ones = out.data.labels.filter { $0 == 1 }.count
    XCTAssertEqual(Double(ones), 1700, accuracy: 30)
  }

  /// Accuracy of 1-nearest-neighbour on `cols`: train on rows 0..<800, test on 800..<1200.
  func knnAccuracy(_ d: ClassificationSplit, _ cols: [Int]) -> Double {
    let f = d.features.shape[1]
    var correct = 0
    for i in 800..<1200 {
      var best = (dist: Float.infinity, label: 0)
      for j in 0..<800 {
        var dist: Float = 0
        for c in cols {
          let e = d.features.data[i * f + c] - d.features.data[j * f + c]
          dist += e * e
        }
        if dist < best.dist { best = (dist, d.labels[j]) }
      }
      if best.label == d.labels[i] { correct += 1 }
    }
    return Double(correct) / 400
  }

  func testInformativeColumnsSeparateClassesBetterThanNoise() throws {
    // The two classes are each two clusters on square vertices (possibly XOR-like), so use a
    // nearest-neighbour fit, which sees the 2-d structure, rather than per-column means.
    for seed in UInt64(1)...3 {
      var rng = SeededRandom(seed: seed)
      let out = try SyntheticClassification.makeClassification(.paper(samples: 1200), rng: &rng)
      let informative = knnAccuracy(out.data, out.informativeColumns)
      let noise = knnAccuracy(out.data, Array(out.noiseColumns.prefix(2)))
      XCTAssertGreaterThan(informative, 0.75, "seed \(seed)")
      XCTAssertLessThan(noise, 0.6, "seed \(seed)")
      XCTAssertGreaterThan(informative, noise + 0.2, "seed \(seed)")
    }
  }

  func testDeterministicBySeedAndSeedsDiffer() throws {
    XCTAssertEqual(try SyntheticClassification.paperSplits(seed: 4), try SyntheticClassification.paperSplits(seed: 4))
    XCTAssertNotEqual(
      try SyntheticClassification.paperSplits(seed: 4).test, try SyntheticClassification.paperSplits(seed: 5).test)
  }

  func testDefaultsShiftScaleAndErrors() throws {
    var p = MakeClassification()
    p.samples = 101
    p.shift = nil
    p.scale = nil
    p.shuffle = false
    var rng = SeededRandom(seed: 1)
    let out = try SyntheticClassification.makeClassification(p, rng: &rng)
    XCTAssertEqual(out.data.features.shape, [101, 20])
    XCTAssertEqual(out.informativeColumns, [0, 1])
    XCTAssertEqual(out.redundantColumns, [2, 3])
    var bad = MakeClassification()
    bad.informative = 1
    assertDatasetError(["make_classification", "2^informative"]) {
      try SyntheticClassification.makeClassification(bad, rng: &rng)
    }
  }
}
