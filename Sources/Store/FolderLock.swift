import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// An exclusive advisory lock (`flock`) on a lock file, so that two processes never write into the
/// same artifact folder at once.
///
/// The lock file (`<folder>/.lock` for an artifact folder) holds the holder's pid, command line and
/// start time while the lock is held; a process that finds the lock taken waits, polling, for up to
/// `timeout` seconds (default `AUTOLOSS_LOCK_TIMEOUT`, else 30 s) and then fails with a message naming
/// that holder. The kernel releases the lock when the holder exits, even after `kill -9`, so a stale
/// lock file never blocks anyone. Within one process the lock is re-entrant: writers on different
/// threads share it (and `reserveVersion` keeps their version numbers apart).
public final class FolderLock: @unchecked Sendable {
  /// The lock file.
  public let path: String
  /// Whether no other holder in this process held the lock when this one took it: temporary files
  /// found in the folder at that moment belong to a dead writer and may be removed.
  public let isFirstHolder: Bool
  private var isReleased = false
  private let stateLock = NSLock()

  /// The lock file of an artifact folder.
  public static let fileName = ".lock"

  /// The environment variable holding the wait limit in seconds.
  public static let timeoutVariable = "AUTOLOSS_LOCK_TIMEOUT"

  /// The wait limit: `AUTOLOSS_LOCK_TIMEOUT` seconds if set to a non-negative number, else 30 s.
  public static func defaultTimeout() throws -> TimeInterval {
    guard let text = ProcessInfo.processInfo.environment[timeoutVariable] else { return 30 }
    guard let value = TimeInterval(text.trimmingCharacters(in: .whitespaces)), value >= 0, value.isFinite else {
      throw StoreError(
        .invalidArgument, path: timeoutVariable,
        "expected a number of seconds >= 0 in the environment variable, found '\(text)'")
    }
    return value
  }

  private init(path: String, isFirstHolder: Bool) {
    self.path = path
    self.isFirstHolder = isFirstHolder
  }

  deinit { release() }

  /// Takes the lock file `path` (creating it and its folder), waiting up to `timeout` seconds.
  /// Throws `StoreError.Kind.locked` naming the holder when the wait runs out.
  public static func acquire(_ path: String, timeout: TimeInterval? = nil) throws -> FolderLock {
    let limit = try timeout ?? defaultTimeout()
    let deadline = Date().addingTimeInterval(limit)
    // Another thread of this process may be taking the same lock: wait for it to finish.
    while true {
      switch Registry.shared.join(path) {
      case .joined: return FolderLock(path: path, isFirstHolder: false)
      case .busy:
        guard Date() < deadline else {
          throw StoreError(
            .locked, path: path, "another thread of this process is still waiting for this lock after \(limit) s")
        }
        usleep(20_000)
      case .claimed: return try take(path, deadline: deadline, limit: limit)
      }
    }
  }

  /// The lock on the artifact folder `directory` (its `.lock` file).
  public static func acquire(folder directory: String, timeout: TimeInterval? = nil) throws -> FolderLock {
    try acquire((directory as NSString).appendingPathComponent(fileName), timeout: timeout)
  }

  private static func take(_ path: String, deadline: Date, limit: TimeInterval) throws -> FolderLock {
    var descriptor: Int32 = -1
    do {
      try FileSystem.createDirectory((path as NSString).deletingLastPathComponent)
      descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
      guard descriptor >= 0 else {
        throw StoreError(.io, path: path, "cannot create the lock file: \(FileSystem.errnoText())")
      }
      var announced = false
      while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
        let code = errno
        guard code == EWOULDBLOCK || code == EINTR else {
          throw StoreError(.io, path: path, "cannot lock: \(FileSystem.errnoText(code))")
        }
        let holder = describeHolder(descriptor)
        guard Date() < deadline else {
          throw StoreError(
            .locked, path: path,
            "locked by another process (\(holder)); gave up after waiting \(Int(limit)) s (set "
              + "\(timeoutVariable)=<seconds> to wait longer, or wait for that process to finish)")
        }
        if !announced {
          announced = true
          FileHandle.standardError.write(
            Data("autoloss: \(path) is locked by \(holder); waiting up to \(Int(limit)) s\n".utf8))
        }
        usleep(100_000)
      }
      try writeHolder(descriptor, path: path)
      Registry.shared.finish(path, descriptor: descriptor)
      return FolderLock(path: path, isFirstHolder: true)
    } catch {
      if descriptor >= 0 { close(descriptor) }
      Registry.shared.finish(path, descriptor: nil)
      throw error
    }
  }

  /// Releases this hold; the file lock itself is released when the last holder in the process
  /// releases. Safe to call more than once.
  public func release() {
    stateLock.lock()
    let wasReleased = isReleased
    isReleased = true
    stateLock.unlock()
    if !wasReleased { Registry.shared.leave(path) }
  }

  /// Removes the temporaries (`.tmp-<prefix>…` files or folders) a killed writer left in `folder`,
  /// if this is the first holder in the process (else they may be a sibling's, and nothing is
  /// removed). Only for folders whose every writer takes this lock. Returns the removed names.
  @discardableResult
  public func removeStaleTemporaries(in folder: String, prefix: String = "") throws -> [String] {
    guard isFirstHolder else { return [] }
    return try FileSystem.removeStaleTemporaries(in: folder, prefix: prefix)
  }

  /// A version number for a new artifact in the locked folder: at least `minimum` and above every
  /// version another holder in this process has reserved and not yet released.
  public func reserveVersion(minimum: Int) -> Int { Registry.shared.reserve(path, minimum: minimum) }

  /// Gives back a version from `reserveVersion` (after a commit or discard).
  public func releaseVersion(_ version: Int) { Registry.shared.unreserve(path, version) }

  /// "pid 123 (autoloss train-controller ...), since 2026-12-01T11:00:00Z" from the lock file.
  static func describeHolder(_ descriptor: Int32) -> String {
    var buffer = [UInt8](repeating: 0, count: 1024)
    let count = pread(descriptor, &buffer, buffer.count, 0)
    guard count > 0 else { return "holder not yet recorded in the lock file" }
    let text = String(decoding: buffer[0..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    return text.isEmpty ? "holder not yet recorded in the lock file" : text
  }

  /// The text naming this process in a lock file.
  static func holderText() -> String {
    var command = ProcessInfo.processInfo.arguments.joined(separator: " ")
    if command.count > 300 { command = String(command.prefix(300)) + "…" }
    return "pid \(getpid()) (\(command)), since \(Provenance.iso8601(Date()))\n"
  }

  private static func writeHolder(_ descriptor: Int32, path: String) throws {
    let bytes = Array(holderText().utf8)
    guard ftruncate(descriptor, 0) == 0, pwrite(descriptor, bytes, bytes.count, 0) == bytes.count else {
      throw StoreError(.io, path: path, "cannot record the lock holder in the lock file: \(FileSystem.errnoText())")
    }
  }

  /// The locks this process holds, by lock-file path.
  final class Registry: @unchecked Sendable {
    static let shared = Registry()
    enum Join { case joined, busy, claimed }
    struct Entry {
      var descriptor: Int32?
      var holders: Int
      var reserved: Set<Int> = []
    }
    private let mutex = NSLock()
    private var entries: [String: Entry] = [:]

    /// Joins a held lock, reports one being taken, or claims the right to take it.
    func join(_ path: String) -> Join {
      mutex.lock()
      defer { mutex.unlock() }
      guard var entry = entries[path] else {
        entries[path] = Entry(descriptor: nil, holders: 0)
        return .claimed
      }
      guard entry.descriptor != nil else { return .busy }
      entry.holders += 1
      entries[path] = entry
      return .joined
    }

    /// Records the result of a claim: the locked descriptor, or nil when taking the lock failed.
    func finish(_ path: String, descriptor: Int32?) {
      mutex.lock()
      defer { mutex.unlock() }
      if let descriptor {
        entries[path] = Entry(descriptor: descriptor, holders: 1)
      } else if entries[path]?.descriptor == nil {
        entries[path] = nil
      }
    }

    func leave(_ path: String) {
      mutex.lock()
      defer { mutex.unlock() }
      guard var entry = entries[path], let descriptor = entry.descriptor else { return }
      entry.holders -= 1
      if entry.holders > 0 {
        entries[path] = entry
        return
      }
      entries[path] = nil
      // The holder text is cleared before unlocking so that it never names a finished process.
      _ = ftruncate(descriptor, 0)
      _ = flock(descriptor, LOCK_UN)
      close(descriptor)
    }

    func reserve(_ path: String, minimum: Int) -> Int {
      mutex.lock()
      defer { mutex.unlock() }
      let version = max(minimum, (entries[path]?.reserved.max() ?? 0) + 1)
      entries[path]?.reserved.insert(version)
      return version
    }

    func unreserve(_ path: String, _ version: Int) {
      mutex.lock()
      defer { mutex.unlock() }
      entries[path]?.reserved.remove(version)
    }
  }
}
