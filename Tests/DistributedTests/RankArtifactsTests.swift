import Foundation
import XCTest

@testable import Pipeline

final class RankArtifactsTests: XCTestCase {
  func testMirrorLinksCommittedFilesAndKeepsWritesPrivate() throws {
    let fm = FileManager.default
    let base = (NSTemporaryDirectory() as NSString).appendingPathComponent("rank-artifacts-\(UUID().uuidString)")
    defer { try? fm.removeItem(atPath: base) }
    let root = base + "/artifacts"
    try fm.createDirectory(atPath: root + "/baselines/regression/.work", withIntermediateDirectories: true)
    try Data("v1".utf8).write(to: URL(fileURLWithPath: root + "/baselines/regression/v0001.h5"))
    try Data("v0001.h5\n".utf8).write(to: URL(fileURLWithPath: root + "/baselines/regression/latest"))
    try Data("half".utf8).write(to: URL(fileURLWithPath: root + "/baselines/regression/.tmp-x-1.h5"))
    try Data("snap".utf8).write(to: URL(fileURLWithPath: root + "/baselines/regression/.work/snapshot.h5"))

    let mirror = base + "/mirror"
    try RankArtifacts.makeMirror(of: root, at: mirror)
    XCTAssertEqual(
      try String(contentsOfFile: mirror + "/baselines/regression/v0001.h5", encoding: .utf8), "v1")
    XCTAssertEqual(
      try String(contentsOfFile: mirror + "/baselines/regression/.work/snapshot.h5", encoding: .utf8), "snap")
    XCTAssertFalse(fm.fileExists(atPath: mirror + "/baselines/regression/.tmp-x-1.h5"))

    // A new version written in the mirror does not appear in the real folder.
    try Data("v2".utf8).write(to: URL(fileURLWithPath: mirror + "/baselines/regression/v0002.h5"))
    XCTAssertFalse(fm.fileExists(atPath: root + "/baselines/regression/v0002.h5"))
  }
}
