import Foundation
import Store

/// The `report` stage: reads every artifact under the artifacts folder and writes a new version
/// folder `artifacts/report/vNNNN/` with `index.html` (self-contained) and `report.md` (with the
/// charts as `.svg` and the sample grids as `.png` files beside it). The folder is built under a
/// temporary name and renamed into place; existing versions are never overwritten. The folder lock
/// (`report/.lock`, see `FolderLock`) is held while a version is written, so two report runs never
/// claim the same version, and temporaries of a killed run are removed by the next one.
///
/// The report reads artifacts only (their HDF5 layouts and schema names); it runs no stage.
public struct ReportStage {
  /// The folder of versioned artifacts (`artifacts/`).
  public var artifactRoot: String
  /// The profile the artifacts were made with (quoted in the report).
  public var profile: String
  /// The tool version and git commit quoted in the report's header.
  public var toolVersion: String
  public var gitCommit: String

  public init(artifactRoot: String, profile: String, toolVersion: String, gitCommit: String) {
    self.artifactRoot = artifactRoot
    self.profile = profile
    self.toolVersion = toolVersion
    self.gitCommit = gitCommit
  }

  /// The report folder: `<artifacts>/report`.
  public var reportRoot: String { (artifactRoot as NSString).appendingPathComponent("report") }

  /// Existing report versions, ascending.
  public func versions() throws -> [Int] {
    try FileManagerShim.list(reportRoot).compactMap { name -> Int? in
      guard name.hasPrefix("v"), name.count >= 5, let v = Int(name.dropFirst()), v > 0 else { return nil }
      return v
    }.sorted()
  }

  /// Builds the document and writes the next version; returns the version folder.
  @discardableResult
  public func run() throws -> String {
    let builder = ReportBuilder(
      store: ArtifactStore(root: artifactRoot), profile: profile, generator: "\(toolVersion) at git \(gitCommit)")
    let document = builder.build()
    let folder = try write(document)
    reportLog(
      "report: wrote \(folder)/index.html and report.md (\(builder.inputs.used.count) artifacts read, \(builder.verdicts.count) verdicts, \(builder.inputs.skipped.count) inputs skipped)"
    )
    for skipped in builder.inputs.skipped { reportLog("report: skipped \(skipped.path): \(skipped.reason)") }
    return folder
  }

  /// Writes `document` as a new version folder.
  public func write(_ document: ReportDocument) throws -> String {
    try FileManagerShim.createDirectory(reportRoot)
    let lock = try FolderLock.acquire(folder: reportRoot)
    defer { lock.release() }
    try lock.removeStaleTemporaries(in: reportRoot)
    let temp = (reportRoot as NSString).appendingPathComponent(
      ".tmp-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))")
    try FileManagerShim.createDirectory(temp)
    do {
      try save(ReportHTML.render(document), to: "\(temp)/index.html")
      try save(ReportMarkdown.render(document), to: "\(temp)/report.md")
      for figure in document.figures {
        try save(ReportSVG.standalone(figure.svg) + "\n", to: "\(temp)/\(figure.fileName)")
      }
      for image in document.images { try save(image.png, to: "\(temp)/\(image.fileName)") }
    } catch {
      FileManagerShim.remove(temp)
      throw error
    }
    // Under the lock the next version is free (the loop guards against writers without the lock).
    var version = (try versions().last ?? 0) + 1
    while FileManagerShim.exists((reportRoot as NSString).appendingPathComponent(String(format: "v%04d", version))) {
      version += 1
    }
    let final = (reportRoot as NSString).appendingPathComponent(String(format: "v%04d", version))
    do {
      try FileManager.default.moveItem(atPath: temp, toPath: final)
      return final
    } catch {
      FileManagerShim.remove(temp)
      throw ReportError("cannot move the report \(temp) to \(final): \(error.localizedDescription)")
    }
  }

  func save(_ text: String, to path: String) throws { try save(Data(text.utf8), to: path) }

  func save(_ data: Data, to path: String) throws {
    do {
      try data.write(to: URL(fileURLWithPath: path))
    } catch {
      throw ReportError("cannot write \(path): \(error.localizedDescription)")
    }
  }
}

/// An error of the report stage (a file it cannot write).
public struct ReportError: Error, CustomStringConvertible, Sendable {
  public let description: String
  public init(_ description: String) { self.description = description }
}

/// Writes a line to standard error.
func reportLog(_ message: String) { FileHandle.standardError.write(Data((message + "\n").utf8)) }
