import Foundation
import XCTest

@testable import Store

#if canImport(Glibc)
  import Glibc
#endif

/// Faults around artifact writes: a folder locked by another process, temporaries left by a killed
/// writer, and a full disk (a file-size limit) in the middle of a write.
final class FaultTests: StoreTestCase {
  func provenance() -> Provenance {
    Provenance(
      schema: "autoloss/test-run", schemaVersion: 1, toolVersion: "autoloss-swift 0.1.0", gitCommit: "abc1234",
      config: "{}", seed: 1, inputs: [])
  }

  func entries(_ folder: String) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
  }

  /// Starts `flock -o -x <lockFile> sleep <seconds>` and returns once it holds the lock (`-o`: only
  /// the flock process holds it, so terminating that process releases it).
  func holdLock(_ lockFile: String, seconds: Int) throws -> Process? {
    let tool = "/usr/bin/flock"
    guard FileManager.default.isExecutableFile(atPath: tool) else { return nil }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: tool)
    process.arguments = ["-o", "-x", lockFile, "-c", "echo locked; exec sleep \(seconds)"]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let line = String(decoding: pipe.fileHandleForReading.availableData, as: UTF8.self)
    XCTAssertTrue(line.hasPrefix("locked"), "flock did not take the lock: '\(line)'")
    return process
  }

  func testWriterFailsNamingTheProcessThatHoldsTheFolder() throws {
    let store = ArtifactStore(root: path("artifacts"), lockTimeout: 0.3)
    let first = try store.writer(stage: "s", name: "n", provenance: provenance())
    try first.commit()
    let folder = store.directory(stage: "s", name: "n")
    let lockFile = folder + "/" + FolderLock.fileName
    try "pid 4242 (autoloss train-controller --task regression), since 2026-12-01T10:00:00Z\n".write(
      toFile: lockFile, atomically: false, encoding: .utf8)
    guard let holder = try holdLock(lockFile, seconds: 5) else {
      throw XCTSkip("/usr/bin/flock is not installed: cannot hold a lock from a second process")
    }
    defer {
      holder.terminate()
      holder.waitUntilExit()
    }
    assertStoreError(.locked, contains: [lockFile, "pid 4242 (autoloss train-controller", "AUTOLOSS_LOCK_TIMEOUT"]) {
      try store.writer(stage: "s", name: "n", provenance: provenance())
    }
    XCTAssertEqual(try entries(folder), [".lock", "latest", "v0001.h5"], "the failed writer left nothing behind")
    XCTAssertEqual(store.latestVersion(stage: "s", name: "n"), 1)
  }

  func testWriterWaitsForTheHolderThenTakesTheNextVersion() throws {
    let store = ArtifactStore(root: path("artifacts"), lockTimeout: 60)
    let folder = store.directory(stage: "s", name: "n")
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    guard let holder = try holdLock(folder + "/" + FolderLock.fileName, seconds: 1) else {
      throw XCTSkip("/usr/bin/flock is not installed: cannot hold a lock from a second process")
    }
    defer { holder.waitUntilExit() }
    // The writer waits (up to lockTimeout) until the holder exits, then writes.
    let writer = try store.writer(stage: "s", name: "n", provenance: provenance())
    XCTAssertEqual(try writer.commit().version, 1)
  }

  func testLockIsSharedByTheThreadsOfOneProcess() throws {
    let lockFile = path("folder/.lock")
    let a = try FolderLock.acquire(lockFile, timeout: 0)
    let b = try FolderLock.acquire(lockFile, timeout: 0)
    XCTAssertTrue(a.isFirstHolder)
    XCTAssertFalse(b.isFirstHolder)
    XCTAssertTrue(try String(contentsOfFile: lockFile, encoding: .utf8).hasPrefix("pid \(getpid()) ("))
    XCTAssertEqual(a.reserveVersion(minimum: 3), 3)
    XCTAssertEqual(b.reserveVersion(minimum: 3), 4)
    a.release()
    b.release()
    b.release()
    XCTAssertEqual(try String(contentsOfFile: lockFile, encoding: .utf8), "", "a released lock names no holder")
    XCTAssertTrue(try FolderLock.acquire(lockFile, timeout: 0).isFirstHolder)
  }

  func testBadTimeoutVariableIsAnError() throws {
    setenv(FolderLock.timeoutVariable, "soon", 1)
    defer { unsetenv(FolderLock.timeoutVariable) }
    assertStoreError(.invalidArgument, contains: ["AUTOLOSS_LOCK_TIMEOUT", "'soon'"]) {
      try FolderLock.defaultTimeout()
    }
  }

  func testNextWriterRemovesWhatAKilledWriterLeft() throws {
    let store = ArtifactStore(root: path("artifacts"))
    try store.writer(stage: "s", name: "n", provenance: provenance()).commit()
    let folder = store.directory(stage: "s", name: "n")
    // A writer killed while writing v0002: its temporary, its half-written side folder, a `latest` temp.
    for file in [".tmp-n-999-deadbeef.h5", ".tmp-latest-999-deadbeef", "v0002-grids/ep0000.png"] {
      try FileManager.default.createDirectory(
        atPath: (folder + "/" + file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
      try Data([1, 2, 3]).write(to: URL(fileURLWithPath: folder + "/" + file))
    }
    try FileManager.default.createDirectory(atPath: folder + "/v0001-grids", withIntermediateDirectories: true)
    try Data([1]).write(to: URL(fileURLWithPath: folder + "/v0001-grids/.tmp-ep0000.png-999-deadbeef.png"))
    try Data([1]).write(to: URL(fileURLWithPath: folder + "/v0001-grids/ep0000.png"))
    let writer = try store.writer(stage: "s", name: "n", provenance: provenance())
    XCTAssertEqual(writer.version, 2)
    XCTAssertEqual(try entries(folder + "/v0001-grids"), ["ep0000.png"], "a committed version's side folder stays")
    XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/v0002-grids"))
    XCTAssertEqual(
      try entries(folder).filter { $0.hasPrefix(".tmp-") }, [(writer.temporaryPath as NSString).lastPathComponent])
    try writer.commit()
    XCTAssertEqual(try entries(folder), [".lock", "latest", "v0001-grids", "v0001.h5", "v0002.h5"])

    // A plain file: the next writer of the same file removes a dead writer's temporary (pid
    // 2147483646 does not exist), keeps a live one's (this process) and other files' temporaries.
    let data = path("data")
    try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
    let live = ".tmp-mnist.h5-\(getpid())-deadbeef.h5"
    for name in [".tmp-mnist.h5-2147483646-deadbeef.h5", live, ".tmp-other.h5-2147483646-deadbeef.h5"] {
      try Data([1]).write(to: URL(fileURLWithPath: data + "/" + name))
    }
    try ArtifactWriter(path: data + "/mnist.h5", provenance: provenance()).commit()
    XCTAssertEqual(try entries(data), [".tmp-other.h5-2147483646-deadbeef.h5", live, "mnist.h5"].sorted())
  }

  /// A file-size limit (RLIMIT_FSIZE, what `ulimit -f` sets) stands in for a full disk: it works
  /// for root too, where permission bits would not stop a write.
  func testFullDiskKeepsThePreviousVersionAndLatest() throws {
    let store = ArtifactStore(root: path("artifacts"))
    let v1 = try store.writer(stage: "s", name: "n", provenance: provenance())
    try v1.root.write("x", [Float](repeating: 1, count: 16), shape: [16])
    let first = try v1.commit()
    let folder = store.directory(stage: "s", name: "n")

    var saved = rlimit()
    XCTAssertEqual(getrlimit(Int32(RLIMIT_FSIZE.rawValue), &saved), 0)
    let previousHandler = signal(SIGXFSZ, SIG_IGN)
    var limited = saved
    limited.rlim_cur = 64 * 1024
    XCTAssertEqual(setrlimit(Int32(RLIMIT_FSIZE.rawValue), &limited), 0)
    var thrown: Error?
    do {
      let writer = try store.writer(stage: "s", name: "n", provenance: provenance())
      try writer.root.write("x", [Float](repeating: 2, count: 256 * 1024), shape: [256 * 1024])
      try writer.commit()
    } catch {
      thrown = error
    }
    XCTAssertEqual(setrlimit(Int32(RLIMIT_FSIZE.rawValue), &saved), 0)
    signal(SIGXFSZ, previousHandler)

    let error = try XCTUnwrap(
      thrown as? StoreError, "a write past the size limit must fail, got \(String(describing: thrown))")
    XCTAssertTrue(error.path.contains(folder), "\(error)")
    XCTAssertEqual(try entries(folder), [".lock", "latest", "v0001.h5"], "no temporary left, no new version")
    XCTAssertEqual(try store.resolve(stage: "s", name: "n"), first, "the previous version and latest are intact")
  }

  func testReadOnlyFolderGivesAClearError() throws {
    guard getuid() != 0 else {
      // Root ignores permission bits; the full-disk test covers an unwritable folder for root.
      throw XCTSkip(
        "running as root: permission bits do not stop writes (see testFullDiskKeepsThePreviousVersionAndLatest)")
    }
    let store = ArtifactStore(root: path("artifacts"))
    try store.writer(stage: "s", name: "n", provenance: provenance()).commit()
    let folder = store.directory(stage: "s", name: "n")
    try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: folder)
    defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder) }
    XCTAssertThrowsError(try store.writer(stage: "s", name: "n", provenance: provenance())) { error in
      XCTAssertTrue("\(error)".contains(folder), "\(error)")
    }
    XCTAssertEqual(store.latestVersion(stage: "s", name: "n"), 1)
  }

  /// A work folder's temporaries of dead writers go, whatever their base name; a live writer's stay,
  /// and names that are not writer temporaries are left alone.
  func testOrphanedTemporariesOfDeadWritersAreRemoved() throws {
    let folder = path("grids")
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let dead = ".tmp-ep0000-step000075.png-\(Int32.max)-d5d4e5df.png"
    let live = ".tmp-ep0001-step000150.png-\(getpid())-0a1b2c3d.png"
    let other = [".tmp-notes", "ep0000-step000075.png", ".tmp-a-12-xyz.png"]
    for name in [dead, live] + other {
      XCTAssertTrue(FileManager.default.createFile(atPath: folder + "/" + name, contents: Data()))
    }
    XCTAssertEqual(FileSystem.writerPID(ofTemporary: dead), Int32.max)
    XCTAssertEqual(FileSystem.writerPID(ofTemporary: ".tmp-run-v0001-42-0a1b2c3d.h5"), 42)
    XCTAssertNil(FileSystem.writerPID(ofTemporary: "ep0000-step000075.png"))
    XCTAssertEqual(try FileManagerShim.removeOrphanedTemporaries(in: folder), [dead])
    XCTAssertEqual(try entries(folder), ([live] + other).sorted())
    XCTAssertEqual(try FileManagerShim.removeOrphanedTemporaries(in: path("absent")), [])
  }
}
