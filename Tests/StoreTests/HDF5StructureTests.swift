import Foundation
import XCTest

@testable import Store

final class HDF5StructureTests: StoreTestCase {
  func testGroupsAndListing() throws {
    let h5 = try HDF5File.create(path("g.h5"))
    let episodes = try h5.root.createGroup("episodes")
    _ = try episodes.createGroup("0002")
    _ = try h5.root.createGroup("controller/weights")  // intermediates
    try episodes.write("0001/actions", [Int32(1), 2, 3], shape: [3])  // intermediate group by dataset
    try h5.root.write("zeta", [UInt8(1)], shape: [1])

    XCTAssertEqual(try h5.root.list(), ["controller", "episodes", "zeta"])
    XCTAssertEqual(try episodes.list(), ["0001", "0002"])
    XCTAssertEqual(try h5.root.group("controller").list(), ["weights"])
    XCTAssertEqual(try h5.root.group("episodes/0001").list(), ["actions"])
    XCTAssertEqual(episodes.path, "/episodes")
    XCTAssertEqual(try h5.root.group("episodes/0001").path, "/episodes/0001")

    XCTAssertTrue(h5.root.contains("episodes/0001/actions"))
    XCTAssertTrue(h5.root.contains("zeta"))
    XCTAssertFalse(h5.root.contains("nope"))
    XCTAssertFalse(h5.root.contains("nope/deeper"))
    XCTAssertFalse(h5.root.contains(""))
    XCTAssertTrue(h5.root.isGroup("episodes/0002"))
    XCTAssertFalse(h5.root.isGroup("zeta"))
    XCTAssertFalse(h5.root.isGroup("missing"))
    XCTAssertTrue(h5.root.isDataset("zeta"))
    XCTAssertEqual(try h5.root.requireGroup("episodes").path, "/episodes")
    XCTAssertEqual(try h5.root.requireGroup("fresh/one").path, "/fresh/one")
    XCTAssertTrue(try h5.root.group("fresh").list() == ["one"])
    XCTAssertEqual(try h5.root.group("fresh/one").list(), [])
  }

  func testStringsWithUTF8() throws {
    let file = path("s.h5")
    let words = ["hello", "Grüße", "日本語のテキスト", "", "emoji 🎉 mixed", "tab\tand \"quotes\""]
    do {
      let h5 = try HDF5File.create(file)
      try h5.root.writeStrings("vocab/words", words)
      try h5.root.writeStrings("empty", [])
    }
    let h5 = try HDF5File.open(file)
    XCTAssertEqual(try h5.root.readStrings("vocab/words"), words)
    XCTAssertEqual(try h5.root.dtypeName(of: "vocab/words"), "string")
    XCTAssertEqual(try h5.root.shape(of: "vocab/words"), [words.count])
    XCTAssertEqual(try h5.root.readStrings("empty"), [])
    assertStoreError(.typeMismatch, contains: ["s.h5", "/vocab/words", "string"]) {
      try h5.root.read("vocab/words", as: Float.self)
    }
  }

  func testAttributes() throws {
    let file = path("a.h5")
    do {
      let h5 = try HDF5File.create(file)
      let root = h5.root
      try root.setAttribute("config", "lr: 0.001\nname: Ünïcode ✓")
      try root.setAttribute("seed", Int64(42))
      try root.setAttribute("reward", Float(0.75))
      try root.setAttribute("count", 7)  // Int -> int64
      try root.setAttribute("ratios", [0.25, 0.5, 1.0])
      try root.setAttribute("bytes", [UInt8]())
      try root.setAttribute("seed", Int64(43))  // replaces
      let episode = try root.createGroup("episodes/0007")
      try episode.setAttribute("outcome", "converged")
      try episode.setAttribute("steps", Int32(1200))
      try episode.write("actions", [Int32(0), 1], shape: [2])
      let actions = try episode.dataset("actions")
      try actions.setAttribute("units", "action index")
      try actions.setAttribute("k", Int32(2))
      try actions.setAttribute("deleteme", 1.0)
      try actions.deleteAttribute("deleteme")
    }
    let h5 = try HDF5File.open(file)
    let root = h5.root
    XCTAssertEqual(try root.attributeString("config"), "lr: 0.001\nname: Ünïcode ✓")
    XCTAssertEqual(try root.attribute("seed", as: Int64.self), 43)
    XCTAssertEqual(try root.attribute("reward", as: Float.self), 0.75)
    XCTAssertEqual(try root.attribute("count", as: Int.self), 7)
    XCTAssertEqual(try root.attributeArray("ratios", as: Double.self), [0.25, 0.5, 1.0])
    XCTAssertEqual(try root.attributeArray("bytes", as: UInt8.self), [])
    XCTAssertEqual(try root.attributeDtypeName("config"), "string")
    XCTAssertEqual(try root.attributeNames(), ["bytes", "config", "count", "ratios", "reward", "seed"])
    XCTAssertTrue(root.hasAttribute("seed"))
    XCTAssertFalse(root.hasAttribute("missing"))
    let episode = try root.group("episodes/0007")
    XCTAssertEqual(try episode.attributeString("outcome"), "converged")
    XCTAssertEqual(try episode.attribute("steps", as: Int32.self), 1200)
    let actions = try episode.dataset("actions")
    XCTAssertEqual(try actions.attributeString("units"), "action index")
    XCTAssertEqual(try actions.attribute("k", as: Int32.self), 2)
    XCTAssertEqual(try actions.attributeNames(), ["k", "units"])

    assertStoreError(.typeMismatch, contains: ["a.h5", "@seed", "expected dtype float64", "found int64"]) {
      try root.attribute("seed", as: Double.self)
    }
    assertStoreError(.shapeMismatch, contains: ["@ratios", "scalar"]) { try root.attribute("ratios", as: Double.self) }
    assertStoreError(.typeMismatch, contains: ["@seed", "string"]) { try root.attributeString("seed") }
    assertStoreError(.objectNotFound, contains: ["a.h5", "@nope"]) { try root.attributeString("nope") }
  }

  func testClosedFileThrows() throws {
    let h5 = try HDF5File.create(path("c.h5"))
    let group = try h5.root.createGroup("g")
    try group.write("x", [Float(1)], shape: [1])
    let dataset = try group.dataset("x")
    h5.close()
    XCTAssertFalse(h5.isOpen)
    assertStoreError(.closed, contains: ["c.h5", "closed"]) { try group.list() }
    assertStoreError(.closed, contains: ["c.h5", "/g/x"]) { try dataset.read(as: Float.self) }
    XCTAssertFalse(group.contains("x"))
    h5.close()  // idempotent
    let reopened = try HDF5File.open(path("c.h5"))
    XCTAssertEqual(try reopened.root.read("g/x", as: Float.self).values, [1])
  }

  func testReadOnlyRejectsWrites() throws {
    do { _ = try HDF5File.create(path("ro.h5")) }
    let h5 = try HDF5File.open(path("ro.h5"))
    assertStoreError(.invalidArgument, contains: ["ro.h5", "read-only"]) {
      try h5.root.write("x", [Float(1)], shape: [1])
    }
    assertStoreError(.invalidArgument, contains: ["ro.h5", "read-only"]) { try h5.root.setAttribute("a", "b") }
  }
}
