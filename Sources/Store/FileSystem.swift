import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Small POSIX helpers for durable, atomic file updates.
enum FileSystem {
  static func errnoText(_ code: Int32 = errno) -> String { String(cString: strerror(code)) }

  /// Flushes a file's data to disk.
  static func fsyncFile(_ path: String) throws {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { throw StoreError(.io, path: path, "cannot open for fsync: \(errnoText())") }
    defer { close(fd) }
    guard fsync(fd) == 0 else { throw StoreError(.io, path: path, "fsync failed: \(errnoText())") }
  }

  /// Flushes a directory entry table (after a rename) to disk.
  static func fsyncDirectory(_ path: String) throws {
    let fd = open(path, O_RDONLY | O_DIRECTORY)
    guard fd >= 0 else { throw StoreError(.io, path: path, "cannot open directory for fsync: \(errnoText())") }
    defer { close(fd) }
    // Some file systems refuse fsync on directories; that is not worth failing a commit for.
    let status = fsync(fd)
    if status != 0 && errno != EINVAL && errno != EBADF {
      throw StoreError(.io, path: path, "directory fsync failed: \(errnoText())")
    }
  }

  static func createDirectory(_ path: String) throws {
    do {
      try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    } catch {
      throw StoreError(.io, path: path, "cannot create directory: \(error.localizedDescription)")
    }
  }

  static func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

  /// Moves `source` to `destination` only if `destination` does not exist (hard link, then unlink).
  /// Returns false if `destination` exists. Falls back to rename where hard links are unsupported.
  static func moveNoReplace(_ source: String, to destination: String) throws -> Bool {
    if link(source, destination) == 0 {
      unlink(source)
      return true
    }
    let code = errno
    if code == EEXIST { return false }
    if code == EPERM || code == ENOTSUP || code == EOPNOTSUPP || code == EMLINK {
      if exists(destination) { return false }
      guard rename(source, destination) == 0 else {
        throw StoreError(.io, path: destination, "cannot rename \(source) into place: \(errnoText())")
      }
      return true
    }
    throw StoreError(.io, path: destination, "cannot move \(source) into place: \(errnoText(code))")
  }

  /// Atomically replaces `destination` with `source`.
  static func replace(_ source: String, with destination: String) throws {
    guard rename(source, destination) == 0 else {
      throw StoreError(.io, path: destination, "cannot rename \(source) into place: \(errnoText())")
    }
  }

  /// Writes `text` to `path` atomically: temp file in the same folder, fsync, rename, fsync folder.
  static func writeAtomically(_ text: String, to path: String) throws {
    let directory = (path as NSString).deletingLastPathComponent
    let base = (path as NSString).lastPathComponent
    let temp = (directory as NSString).appendingPathComponent(".tmp-\(base)-\(uniqueSuffix())")
    guard FileManager.default.createFile(atPath: temp, contents: Data(text.utf8)) else {
      throw StoreError(.io, path: temp, "cannot write temporary file: \(errnoText())")
    }
    do {
      try fsyncFile(temp)
      try replace(temp, with: path)
      try fsyncDirectory(directory.isEmpty ? "." : directory)
    } catch {
      unlink(temp)
      throw error
    }
  }

  /// A short suffix unique within and across processes.
  static func uniqueSuffix() -> String {
    "\(getpid())-\(UUID().uuidString.prefix(8).lowercased())"
  }

  static func remove(_ path: String) { unlink(path) }

  /// Removes `path` and everything below it; a missing path is not an error.
  static func removeTree(_ path: String) throws {
    guard exists(path) else { return }
    do {
      try FileManager.default.removeItem(atPath: path)
    } catch {
      throw StoreError(.io, path: path, "cannot remove stale output: \(error.localizedDescription)")
    }
  }

  /// The names in `folder` (none if it does not exist); throws if it exists but cannot be listed.
  static func list(_ folder: String) throws -> [String] {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
      return []
    }
    do {
      return try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
    } catch {
      throw StoreError(.io, path: folder, "cannot list the folder: \(error.localizedDescription)")
    }
  }

  /// The pid of the writer of temporary `name` (`.tmp-<base>-<pid>-<8 hex>[.ext]`, any `base`), or
  /// nil when the name does not have that form.
  static func writerPID(ofTemporary name: String) -> Int32? {
    guard name.hasPrefix(".tmp-") else { return nil }
    let parts = name.dropFirst(5).split(separator: "-", omittingEmptySubsequences: false)
    guard parts.count >= 3 else { return nil }
    for i in stride(from: parts.count - 2, through: 1, by: -1) {
      let tag = parts[i + 1].prefix(8)
      guard tag.count == 8, tag.allSatisfy(\.isHexDigit), !parts[i].isEmpty, parts[i].allSatisfy(\.isNumber) else {
        continue
      }
      if let pid = Int32(parts[i]), pid > 0 { return pid }
    }
    return nil
  }

  /// Removes the temporaries in `folder` (of `base` only, or of any base name when nil) whose
  /// writing process no longer exists (a writer killed before it could clean up); returns their
  /// names. A live pid, even a reused one, keeps its file: only files of certainly dead writers go.
  @discardableResult
  static func removeOrphanedTemporaries(in folder: String, base: String? = nil) throws -> [String] {
    var removed: [String] = []
    for name in try list(folder) where base.map({ name.hasPrefix(".tmp-\($0)-") }) ?? true {
      guard let pid = writerPID(ofTemporary: name), kill(pid, 0) != 0, errno == ESRCH else { continue }
      try removeTree((folder as NSString).appendingPathComponent(name))
      removed.append(name)
    }
    return removed
  }

  /// Removes the temporary files (`.tmp-<prefix>…`) a killed writer left in `folder`. Call it only
  /// while holding the lock that every writer of those files takes (see `FolderLock`).
  @discardableResult
  static func removeStaleTemporaries(in folder: String, prefix: String = "") throws -> [String] {
    let stale = try list(folder).filter { $0.hasPrefix(".tmp-" + prefix) }
    for name in stale { try removeTree((folder as NSString).appendingPathComponent(name)) }
    return stale
  }
}
