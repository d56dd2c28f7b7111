import Foundation
import XCTest

@testable import Store

final class HDF5ErrorTests: StoreTestCase {
  func testMissingFile() {
    let missing = path("missing.h5")
    assertStoreError(.fileNotFound, contains: [missing, "no such file"]) { try HDF5File.open(missing) }
  }

  func testNotHDF5() throws {
    let text = path("notes.txt")
    try "just text, not HDF5".write(toFile: text, atomically: true, encoding: .utf8)
    assertStoreError(.notHDF5, contains: [text, "not an HDF5 file"]) { try HDF5File.open(text) }
    XCTAssertFalse(HDF5File.isHDF5(text))
    assertStoreError(.notHDF5, contains: [tmp, "directory"]) { try HDF5File.open(tmp) }
  }

  func testCreateInMissingFolder() {
    let bad = path("no/such/folder/x.h5")
    assertStoreError(.io, contains: [bad, "cannot create"]) { try HDF5File.create(bad) }
  }

  func testWrongDtypeAndMissingObjects() throws {
    let h5 = try HDF5File.create(path("e.h5"))
    try h5.root.write("losses", [Float(1), 2], shape: [2])
    _ = try h5.root.createGroup("group")
    assertStoreError(.typeMismatch, contains: ["e.h5", "/losses", "expected dtype int32", "found float32"]) {
      try h5.root.read("losses", as: Int32.self)
    }
    assertStoreError(.objectNotFound, contains: ["e.h5", "/nothing/here", "no such object"]) {
      try h5.root.read("nothing/here", as: Float.self)
    }
    assertStoreError(.typeMismatch, contains: ["/group", "expected a dataset, found a group"]) {
      try h5.root.read("group", as: Float.self)
    }
    assertStoreError(.typeMismatch, contains: ["/losses", "expected a group, found a dataset"]) {
      try h5.root.group("losses")
    }
    assertStoreError(.objectNotFound, contains: ["/absent"]) { try h5.root.shape(of: "absent") }
  }

  func testBadWrites() throws {
    let h5 = try HDF5File.create(path("w.h5"))
    assertStoreError(.shapeMismatch, contains: ["w.h5", "/x", "needs 6 values, found 5"]) {
      try h5.root.write("x", [Float](repeating: 0, count: 5), shape: [2, 3])
    }
    assertStoreError(.invalidArgument, contains: ["/x", "dimensions must be >= 0"]) {
      try h5.root.write("x", [Float](), shape: [-1])
    }
    assertStoreError(.invalidArgument, contains: ["gzip level"]) {
      try h5.root.write("x", [Float](repeating: 0, count: 4), shape: [4], compression: 12)
    }
    assertStoreError(.invalidArgument, contains: ["rank"]) {
      try h5.root.write("x", [Float](repeating: 0, count: 4), shape: [4], chunks: [2, 2])
    }
    try h5.root.write("x", [Float](repeating: 0, count: 4), shape: [4])
    assertStoreError(.alreadyExists, contains: ["/x", "exists"]) {
      try h5.root.write("x", [Float](repeating: 0, count: 4), shape: [4])
    }
    assertStoreError(.alreadyExists, contains: ["/x"]) { try h5.root.createGroup("x") }
    assertStoreError(.invalidArgument, contains: ["invalid object name"]) { try h5.root.createGroup("a/../b") }
    assertStoreError(.invalidArgument, contains: ["invalid object name"]) { try h5.root.writeStrings("", ["a"]) }
  }

  func testErrorDescriptionFormat() {
    let error = StoreError(.typeMismatch, path: "/tmp/f.h5", object: "/a/b", "expected dtype float32, found int32")
    XCTAssertEqual(error.description, "/tmp/f.h5 [/a/b]: expected dtype float32, found int32")
    XCTAssertEqual(error.localizedDescription, error.description)
  }
}
