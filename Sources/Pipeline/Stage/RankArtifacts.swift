import Foundation
import Store

/// The private artifact folder of a rank other than 0 in an MPI job.
///
/// Every rank runs the same stage code, and only rank 0 may write artifacts. The other ranks get a
/// mirror of the artifacts folder: its folders recreated and every committed file linked
/// (symbolic links), so reads see the real artifacts while writes (new versions, `latest`,
/// training snapshots) land in the mirror, which is deleted when the process exits. The results a
/// rank writes there equal rank 0's, because every rank gathers the same job results.
public enum RankArtifacts {
  private static let mirrors = LockedValue<[String: String]>([:])

  /// The mirror of `root` for `rank` (made once per process). When it cannot be made, prints why
  /// and exits with status 1 (writing into `root` from two ranks would duplicate artifacts).
  public static func mirror(of root: String, rank: Int) -> String {
    mirrors.withLock { table in
      if let existing = table[root] { return existing }
      removeStaleMirrors()
      let folder = (NSTemporaryDirectory() as NSString).appendingPathComponent(
        "\(prefix)\(rank)-\(getpid())-\(table.count)")
      do {
        try makeMirror(of: root, at: folder)
      } catch {
        log("error: rank \(rank) could not mirror the artifacts folder \(root) into \(folder): \(error)")
        exit(1)
      }
      if table.isEmpty { atexit { RankArtifacts.removeMirrors() } }
      table[root] = folder
      return folder
    }
  }

  /// Recreates `root`'s folders under `folder` and links every file but unfinished `.tmp-` ones.
  static func makeMirror(of root: String, at folder: String) throws {
    let fm = FileManager.default
    try fm.createDirectory(atPath: folder, withIntermediateDirectories: true)
    var isDirectory: ObjCBool = false
    guard fm.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else { return }
    let absoluteRoot = URL(fileURLWithPath: root).standardizedFileURL.path
    guard let walker = fm.enumerator(atPath: absoluteRoot) else { return }
    while let relative = walker.nextObject() as? String {
      let source = (absoluteRoot as NSString).appendingPathComponent(relative)
      let target = (folder as NSString).appendingPathComponent(relative)
      guard fm.fileExists(atPath: source, isDirectory: &isDirectory) else { continue }
      if isDirectory.boolValue {
        try fm.createDirectory(atPath: target, withIntermediateDirectories: true)
      } else if !(relative as NSString).lastPathComponent.hasPrefix(".tmp-") {
        try fm.createSymbolicLink(atPath: target, withDestinationPath: source)
      }
    }
  }

  private static let prefix = "autoloss-rank"

  /// Removes the mirrors of processes that no longer run (a rank killed by its launcher cannot
  /// remove its own).
  static func removeStaleMirrors() {
    let temp = NSTemporaryDirectory()
    let names: [String]
    do {
      names = try FileManagerShim.list(temp)
    } catch {
      // Cleanup only: the run does not need it, so warn and go on.
      FileHandle.standardError.write(Data("warning: stale rank mirrors not removed: \(error)\n".utf8))
      return
    }
    for name in names where name.hasPrefix(prefix) {
      let parts = name.dropFirst(prefix.count).split(separator: "-")
      guard parts.count == 3, let pid = Int32(parts[1]), kill(pid, 0) != 0, errno == ESRCH else { continue }
      FileManagerShim.remove((temp as NSString).appendingPathComponent(name))  // warns on failure
    }
  }

  static func removeMirrors() {
    for folder in mirrors.withLock({ Array($0.values) }) { FileManagerShim.remove(folder) }  // warns on failure
  }
}
