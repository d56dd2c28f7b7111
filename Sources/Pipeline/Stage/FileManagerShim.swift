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

  static func remove(_ path: String) {
    try? FileManager.default.removeItem(atPath: path)
  }

  static func list(_ path: String) -> [String] {
    (try? FileManager.default.contentsOfDirectory(atPath: path))?.sorted() ?? []
  }
}
