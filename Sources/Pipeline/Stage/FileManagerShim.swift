import Foundation

/// Small file-system helpers used by the stages.
enum FileManagerShim {
  static func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

  static func createDirectory(_ path: String) throws {
    do {
      try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    } catch {
      throw PipelineError("cannot create folder \(path): \(error.localizedDescription)")
    }
  }

  /// Best-effort removal of a temporary or work folder (cleanup after success or on an error path,
  /// where throwing would hide the real outcome). An absent path is fine; a failed removal is
  /// written to stderr (the leftover is removed as stale by the next run that takes the lock).
  static func remove(_ path: String) {
    guard exists(path) else { return }
    do {
      try FileManager.default.removeItem(atPath: path)
    } catch {
      FileHandle.standardError.write(
        Data("warning: cannot remove \(path): \(error.localizedDescription); it is left behind\n".utf8))
    }
  }

  /// The entries of folder `path`, sorted; empty when the folder does not exist. A folder that
  /// exists but cannot be listed (permissions, not a folder) is an error.
  static func list(_ path: String) throws -> [String] {
    guard exists(path) else { return [] }
    do {
      return try FileManager.default.contentsOfDirectory(atPath: path).sorted()
    } catch {
      throw PipelineError("cannot list folder \(path): \(error.localizedDescription)")
    }
  }
}
