import Foundation

/// Aligns two language trees of the LibreOffice help (e.g. `data/raw/lohelp/en-us` and
/// `data/raw/lohelp/de`): every html page present in both trees (same relative path) is scanned
/// with ``HTMLParagraphs``, paragraphs are paired by id, and pairs whose two sides are identical
/// (untranslated) are skipped. Mirrors `scripts/data/align_lohelp.py`.
public enum LibreOfficeHelp {
  /// The aligned paragraphs: `source` from `sourceTree`, `target` from `targetTree`. Pages are
  /// visited like Python's `os.walk` with sorted names (a folder's files, then its subfolders);
  /// within a page, pairs follow the source page's paragraph order.
  public static func align(sourceTree: String, targetTree: String) throws -> ParallelCorpus {
    var isDir: ObjCBool = false
    for tree in [sourceTree, targetTree] {
      guard FileManager.default.fileExists(atPath: tree, isDirectory: &isDir), isDir.boolValue else {
        throw DatasetError(path: tree, message: "expected a LibreOffice help language folder, found none")
      }
    }
    var source: [String] = []
    var target: [String] = []
    for relative in try htmlPages(under: sourceTree) {
      let targetPath = targetTree + "/" + relative
      guard FileManager.default.fileExists(atPath: targetPath) else { continue }
      let a = HTMLParagraphs.extract(bytes: try RawFile.readMaybeGzip(sourceTree + "/" + relative))
      let b = Dictionary(
        HTMLParagraphs.extract(bytes: try RawFile.readMaybeGzip(targetPath)).map { ($0.id, $0.text) },
        uniquingKeysWith: { first, _ in first })
      for (id, text) in a {
        if let other = b[id], other != text {
          source.append(text)
          target.append(other)
        }
      }
    }
    return ParallelCorpus(source: source, target: target)
  }

  /// Relative paths of the `.html` files under `root`, in `os.walk` order with sorted names.
  public static func htmlPages(under root: String) throws -> [String] {
    var out: [String] = []
    func walk(_ relative: String) throws {
      let dir = relative.isEmpty ? root : root + "/" + relative
      let names: [String]
      do {
        names = try FileManager.default.contentsOfDirectory(atPath: dir)
      } catch {
        throw DatasetError(path: dir, message: "cannot list folder: \(error.localizedDescription)")
      }
      let sorted = names.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
      var subdirs: [String] = []
      for name in sorted {
        let rel = relative.isEmpty ? name : relative + "/" + name
        var isDir: ObjCBool = false
        _ = FileManager.default.fileExists(atPath: root + "/" + rel, isDirectory: &isDir)
        if isDir.boolValue {
          subdirs.append(rel)
        } else if name.hasSuffix(".html") {
          out.append(rel)
        }
      }
      for sub in subdirs { try walk(sub) }
    }
    try walk("")
    return out
  }
}
