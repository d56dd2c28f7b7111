import Foundation
import XCTest

@testable import Store

final class ArtifactTests: StoreTestCase {
  func provenance(_ schema: String = "autoloss/test-run", version: Int = 1, inputs: [ResolvedArtifact] = [])
    -> Provenance
  {
    Provenance(
      schema: schema, schemaVersion: version, toolVersion: "autoloss-swift 0.1.0", gitCommit: "abc1234",
      config: "{\"lr\": 0.001}", seed: 1234, inputs: inputs)
  }

  func hiddenTemps(_ folder: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasPrefix(".tmp-") }
  }

  func testPathsAndFileNames() {
    let store = ArtifactStore(root: URL(fileURLWithPath: "/data/artifacts"))
    XCTAssertEqual(
      store.path(stage: "controllers", name: "gan-mnist", version: 3), "/data/artifacts/controllers/gan-mnist/v0003.h5")
    XCTAssertEqual(ArtifactStore.fileName(version: 12345), "v12345.h5")
    XCTAssertEqual(ArtifactStore.version(fromFileName: "v0042.h5"), 42)
    XCTAssertNil(ArtifactStore.version(fromFileName: ".tmp-v0001.h5"))
    XCTAssertNil(ArtifactStore.version(fromFileName: "v00x1.h5"))
    XCTAssertNil(ArtifactStore.version(fromFileName: "latest"))
  }

  func testTwoWritesMakeTwoVersionsAndLatest() throws {
    let store = ArtifactStore(root: path("artifacts"))
    XCTAssertNil(store.latestVersion(stage: "scorers", name: "mnist"))
    XCTAssertEqual(try store.nextVersion(stage: "scorers", name: "mnist"), 1)
    assertStoreError(.fileNotFound, contains: ["scorers/mnist", "no committed versions"]) {
      try store.resolve(stage: "scorers", name: "mnist")
    }

    let first = try store.writer(stage: "scorers", name: "mnist", provenance: provenance())
    XCTAssertTrue(first.temporaryPath.contains("/.tmp-"))
    XCTAssertEqual(first.version, 1)
    try first.root.write("accuracy", scalar: Float(0.98))
    let v1 = try first.commit()
    XCTAssertEqual(v1.version, 1)
    XCTAssertTrue(v1.path.hasSuffix("artifacts/scorers/mnist/v0001.h5"))
    XCTAssertFalse(FileManager.default.fileExists(atPath: first.temporaryPath))

    let second = try ArtifactWriter(store: store, stage: "scorers", name: "mnist", provenance: provenance(inputs: [v1]))
    try second.root.write("accuracy", scalar: Float(0.99))
    let v2 = try second.commit()
    XCTAssertEqual(v2.version, 2)

    let folder = store.directory(stage: "scorers", name: "mnist")
    XCTAssertEqual(
      try FileManager.default.contentsOfDirectory(atPath: folder).sorted(), [".lock", "latest", "v0001.h5", "v0002.h5"])
    XCTAssertEqual(
      try String(contentsOfFile: folder + "/latest", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines),
      "v0002.h5")
    XCTAssertEqual(store.latestVersion(stage: "scorers", name: "mnist"), 2)
    XCTAssertEqual(try store.versions(stage: "scorers", name: "mnist"), [1, 2])
    XCTAssertEqual(try store.nextVersion(stage: "scorers", name: "mnist"), 3)

    let latest = try store.resolve(stage: "scorers", name: "mnist")
    XCTAssertEqual(latest, v2)
    XCTAssertEqual(latest.sha256, try SHA256.hex(ofFile: v2.path))
    XCTAssertEqual(try store.resolve(stage: "scorers", name: "mnist", version: 1), v1)
    assertStoreError(.fileNotFound, contains: ["v0007.h5", "v0001.h5, v0002.h5"]) {
      try store.resolve(stage: "scorers", name: "mnist", version: 7)
    }
    XCTAssertThrowsError(try first.commit(), "a writer commits once")

    // Provenance round trip, including the upstream input.
    let file = try ArtifactReader.open(v2.path, schema: "autoloss/test-run", supportedVersions: 1...1)
    let read = try Provenance.read(from: file.root)
    XCTAssertEqual(read, second.provenance)
    XCTAssertEqual(read.inputs, [v1])
    XCTAssertEqual(try file.root.attribute("schema_version", as: Int64.self), 1)
    XCTAssertEqual(try file.root.attribute("seed", as: Int64.self), 1234)
    XCTAssertEqual(try file.root.attributeString("git_commit"), "abc1234")
    XCTAssertTrue(try file.root.attributeString("inputs").contains("\"sha256\":\"\(v1.sha256)\""))
    let created = try file.root.attributeString("created_at")
    XCTAssertNotNil(ISO8601DateFormatter().date(from: created), created)
    XCTAssertTrue(created.hasSuffix("Z"))
    XCTAssertEqual(try file.root.read("accuracy", as: Float.self).values, [0.99])
  }

  func testUncommittedWriterLeavesNothing() throws {
    let store = ArtifactStore(root: path("artifacts"))
    let folder = store.directory(stage: "prep", name: "toy")
    do {
      let writer = try store.writer(stage: "prep", name: "toy", provenance: provenance())
      try writer.root.write("x", [Float(1)], shape: [1])
      XCTAssertEqual(hiddenTemps(folder).count, 1)
    }  // deinit without commit
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder), [".lock"])
    let discarded = try store.writer(stage: "prep", name: "toy", provenance: provenance())
    discarded.discard()
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder), [".lock"])
    XCTAssertNil(store.latestVersion(stage: "prep", name: "toy"))
    XCTAssertThrowsError(try discarded.commit())
  }

  func testNeverOverwritesAnExistingVersion() throws {
    let store = ArtifactStore(root: path("artifacts"))
    let a = try store.writer(stage: "s", name: "n", provenance: provenance())
    let b = try store.writer(stage: "s", name: "n", provenance: provenance())
    XCTAssertEqual(a.version, 1)
    XCTAssertEqual(b.version, 2, "two open writers in one process reserve different versions")
    try a.root.setAttribute("who", "a")
    try b.root.setAttribute("who", "b")
    XCTAssertEqual(try b.commit().version, 2)
    XCTAssertEqual(try a.commit().version, 1, "a writer commits the version it planned")
    XCTAssertEqual(try HDF5File.open(store.path(stage: "s", name: "n", version: 1)).root.attributeString("who"), "a")
    XCTAssertEqual(try HDF5File.open(store.path(stage: "s", name: "n", version: 2)).root.attributeString("who"), "b")
    XCTAssertEqual(store.latestVersion(stage: "s", name: "n"), 2)
    assertStoreError(.invalidArgument, contains: ["invalid artifact name"]) {
      try store.writer(stage: "s", name: "../escape", provenance: provenance())
    }
  }

  func testPlainWriter() throws {
    let target = path("data/mnist.h5")
    let writer = try ArtifactWriter(path: target, provenance: provenance("autoloss/dataset"))
    try writer.root.write("train/labels", [UInt8(3), 1, 4], shape: [3])
    let result = try writer.commit()
    XCTAssertEqual(result.path, target)
    XCTAssertEqual(result.version, 0)
    XCTAssertEqual(try ResolvedArtifact.file(target), result)
    let again = try ArtifactWriter(path: target, provenance: provenance("autoloss/dataset"))
    assertStoreError(.alreadyExists, contains: [target]) { try again.commit() }
    XCTAssertEqual(hiddenTemps(path("data")), [])
    let replace = try ArtifactWriter(path: target, provenance: provenance("autoloss/dataset"), overwrite: true)
    try replace.root.write("train/labels", [UInt8(9)], shape: [1])
    try replace.commit()
    XCTAssertEqual(try HDF5File.open(target).root.read("train/labels", as: UInt8.self).values, [9])
  }

  func testReaderMismatchMessages() throws {
    let store = ArtifactStore(root: path("artifacts"))
    let writer = try store.writer(
      stage: "controllers", name: "reg", provenance: provenance("autoloss/controller-run", version: 3))
    let artifact = try writer.commit()

    XCTAssertNoThrow(try ArtifactReader.open(artifact, schema: "autoloss/controller-run", supportedVersions: 2...3))
    assertStoreError(
      .schemaMismatch,
      contains: [
        artifact.path, "expected schema 'autoloss/scorer' version 1",
        "found schema 'autoloss/controller-run' version 3",
      ]
    ) { try ArtifactReader.open(artifact.path, schema: "autoloss/scorer", supportedVersions: 1...1) }
    assertStoreError(
      .schemaMismatch, contains: [artifact.path, "version 1...2", "found schema 'autoloss/controller-run' version 3"]
    ) { try ArtifactReader.open(artifact.path, schema: "autoloss/controller-run", supportedVersions: 1...2) }

    let plain = path("plain.h5")
    do { _ = try HDF5File.create(plain) }
    assertStoreError(.schemaMismatch, contains: [plain, "found no 'schema' attribute"]) {
      try ArtifactReader.open(plain, schema: "autoloss/controller-run", supportedVersions: 1...1)
    }
    let text = path("readme.txt")
    try "hello".write(toFile: text, atomically: true, encoding: .utf8)
    assertStoreError(.notHDF5, contains: [text, "not an HDF5 file", "expected schema 'autoloss/controller-run'"]) {
      try ArtifactReader.open(text, schema: "autoloss/controller-run", supportedVersions: 1...1)
    }
    assertStoreError(.fileNotFound, contains: [path("gone.h5"), "no such file"]) {
      try ArtifactReader.open(path("gone.h5"), schema: "x", supportedVersions: 1...1)
    }
    let provenance = try ArtifactReader.provenance(of: artifact.path)
    XCTAssertEqual(provenance.schemaVersion, 3)
  }
}
