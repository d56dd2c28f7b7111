import Foundation

/// Small file-system helpers of the stages and the report (errors name the folder).
public enum FileManagerShim {
  public static func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

  public static func createDirectory(_ path: String) throws {
    do {
      try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    } catch {
      throw StoreError(.io, path: path, "cannot create folder: \(error.localizedDescription)")
    }
  }

  /// Best-effort removal of a temporary or work folder (cleanup after success or on an error path,
  /// where throwing would hide the real outcome). An absent path is fine; a failed removal is
  /// written to stderr (the leftover is removed as stale by the next run that takes the lock).
  public static func remove(_ path: String) {
    guard exists(path) else { return }
    do {
      try FileManager.default.removeItem(atPath: path)
    } catch {
      FileHandle.standardError.write(
        Data("warning: cannot remove \(path): \(error.localizedDescription); it is left behind\n".utf8))
    }
  }

  /// Removes the temporary files (`.tmp-…-<pid>-…`, as the artifact and PNG writers name them) that
  /// writers killed before they could clean up left in `folder`; files of live processes stay.
  /// Returns the removed names. For work folders whose files are moved elsewhere later.
  @discardableResult
  public static func removeOrphanedTemporaries(in folder: String) throws -> [String] {
    guard exists(folder) else { return [] }
    return try FileSystem.removeOrphanedTemporaries(in: folder)
  }

  /// The entries of folder `path`, sorted; empty when the folder does not exist. A folder that
  /// exists but cannot be listed (permissions, not a folder) is an error.
  public static func list(_ path: String) throws -> [String] {
    guard exists(path) else { return [] }
    do {
      return try FileManager.default.contentsOfDirectory(atPath: path).sorted()
    } catch {
      throw StoreError(.io, path: path, "cannot list folder: \(error.localizedDescription)")
    }
  }
}
