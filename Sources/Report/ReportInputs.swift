import Foundation
import Store

/// Finds and opens the artifacts a report reads, and remembers every one it used (for the
/// provenance section) and every one it could not use, with the reason (the "Skipped inputs"
/// section): nothing is dropped without a word.
public final class ReportInputs: @unchecked Sendable {
  /// An artifact (or artifact folder) the report could not use, and why.
  public struct Skipped: Sendable, Equatable {
    public var path: String
    public var reason: String
  }

  public let store: ArtifactStore
  /// Every artifact read, in first-use order.
  public private(set) var used: [ResolvedArtifact] = []
  /// Schema and creation facts of the used artifacts, by path.
  public private(set) var details: [String: Provenance] = [:]
  /// Every input the report skipped, in the order met (each path once).
  public private(set) var skipped: [Skipped] = []
  /// Used artifacts whose provenance attributes could not be read (their numbers are still shown).
  public private(set) var provenanceProblems: [Skipped] = []

  /// Records that `path` was not used, and why (a path is listed once, with its first reason).
  public func skip(_ path: String, because reason: String) {
    if !skipped.contains(where: { $0.path == path }) { skipped.append(Skipped(path: path, reason: reason)) }
  }

  public init(store: ArtifactStore) { self.store = store }

  /// "not run in this pipeline: no artifact at <root>/<stage>/<name>/".
  public func missing(stage: String, name: String, what: String = "") -> String {
    let folder = store.directory(stage: stage, name: name)
    return (what.isEmpty ? "" : what + ": ") + "not run in this pipeline: no artifact at \(folder)/"
  }

  /// The latest committed version of `stage/name`, or nil when there is none (not run) or it cannot
  /// be read (then it is listed in `skipped` with the error).
  public func latest(stage: String, name: String) -> ResolvedArtifact? {
    do {
      guard try store.latestCommittedVersion(stage: stage, name: name) != nil else { return nil }
      return try store.resolve(stage: stage, name: name)
    } catch {
      skip(store.directory(stage: stage, name: name), because: "\(error)")
      return nil
    }
  }

  /// Artifact names under `stage` whose name satisfies `filter`, sorted.
  public func names(stage: String, where filter: (String) -> Bool = { _ in true }) -> [String] {
    let folder = (store.root as NSString).appendingPathComponent(stage)
    let entries: [String]
    do {
      entries = try FileManagerShim.list(folder)
    } catch {
      skip(folder, because: "\(error)")
      return []
    }
    return entries.filter { !$0.hasPrefix(".") && filter($0) }
      .filter { hasVersion(stage: stage, name: $0) }
  }

  /// Whether `stage/name` has a committed version; an unreadable folder is listed in `skipped`.
  func hasVersion(stage: String, name: String) -> Bool {
    do {
      return try store.latestCommittedVersion(stage: stage, name: name) != nil
    } catch {
      skip(store.directory(stage: stage, name: name), because: "\(error)")
      return false
    }
  }

  /// Opens `artifact` with a schema check and records it as used; when it cannot be opened (wrong
  /// schema, unreadable file) it is listed in `skipped` with the reason and the error is rethrown.
  public func open(_ artifact: ResolvedArtifact, schema: String) throws -> HDF5File {
    let file: HDF5File
    do {
      file = try ArtifactReader.open(artifact, schema: schema, supportedVersions: 1...1)
    } catch {
      skip(artifact.path, because: "\(error)")
      throw error
    }
    do {
      record(artifact, provenance: try Provenance.read(from: file.root))
    } catch {
      record(artifact)
      provenanceProblems.append(Skipped(path: artifact.path, reason: "provenance attributes unreadable: \(error)"))
    }
    return file
  }

  /// Records an artifact read by other means.
  public func record(_ artifact: ResolvedArtifact, provenance: Provenance? = nil) {
    if !used.contains(where: { $0.path == artifact.path }) { used.append(artifact) }
    if let provenance { details[artifact.path] = provenance }
  }

  /// The upstream artifact of `stage/name` named in `provenance.inputs` if its file is still there
  /// with the same hash; otherwise the latest version (with a note saying so).
  public func upstream(of provenance: Provenance?, stage: String, name: String) -> (ResolvedArtifact?, String?) {
    let marker = "/\(stage)/\(name)/"
    if let input = provenance?.inputs.first(where: {
      $0.path.contains(marker) || $0.path.hasPrefix("\(stage)/\(name)/")
    }) {
      let problem: String
      do {
        let current = try ResolvedArtifact.file(input.path)
        if current.sha256 == input.sha256 { return (input, nil) }
        problem = "has changed (sha256 now \(current.sha256.prefix(12)))"
      } catch {
        problem = "cannot be read (\(error))"
      }
      let latest = self.latest(stage: stage, name: name)
      return (
        latest,
        "the exact input \(input.path) (sha256 \(input.sha256.prefix(12))) \(problem); showing the latest version instead"
      )
    }
    return (latest(stage: stage, name: name), nil)
  }
}

/// One method's results as stored by `writeResults` (evaluation and experiment artifacts).
public struct StoredMethodResult: Sendable {
  public var method: String
  public var mean: Double
  public var std: Double
  public var n: Int
  public var note: String
  public var testErrors: [Float]
  public var validationErrors: [Float]
  public var steps: [Int32]
  public var actionFractions: [Float]
  /// The first trial's per-step trace, when it was recorded.
  public var example: StoredTrace?

  /// The combined standard error of the difference of means with `other`.
  public func standardError(with other: StoredMethodResult) -> Double {
    let a = n > 0 ? std * std / Double(n) : 0
    let b = other.n > 0 ? other.std * other.std / Double(other.n) : 0
    return (a + b).squareRoot()
  }
}

/// The per-step records of one training run, in the stages' trace layout (`TraceIO` in Pipeline).
public struct StoredTrace: Sendable {
  public var actions: [Int32]
  public var probabilities: [Float]
  public var checkSteps: [Int32]
  public var checkErrors: [Float]
  public var checkExtras: [Float]
  public var steps: Int
  public var outcome: String

  /// Reads the trace fields present in `group` (missing per-step records read as empty).
  public static func read(_ group: HDF5Group) throws -> StoredTrace {
    func floats(_ name: String) throws -> [Float] {
      group.isDataset(name) ? try group.read(name, as: Float.self).values : []
    }
    var checkSteps: [Int32] = []
    var errors: [Float] = []
    var extras: [Float] = []
    if group.isGroup("checks") {
      let c = try group.group("checks")
      if c.isDataset("step") { checkSteps = try c.read("step", as: Int32.self).values }
      if c.isDataset("error") { errors = try c.read("error", as: Float.self).values }
      if c.isDataset("extra") { extras = try c.read("extra", as: Float.self).values }
    }
    // Traces written before `steps` and `outcome` were stored read as 0 steps and an empty outcome.
    let steps = group.hasAttribute("steps") ? Int(try group.attribute("steps", as: Int64.self)) : 0
    return StoredTrace(
      actions: group.isDataset("actions") ? try group.read("actions", as: Int32.self).values : [],
      probabilities: try floats("probabilities"), checkSteps: checkSteps, checkErrors: errors, checkExtras: extras,
      steps: steps, outcome: group.hasAttribute("outcome") ? try group.attributeString("outcome") : "")
  }
}

enum StoredResults {
  /// Reads `/table` and `/methods/<method>` below `group` (the `writeResults` layout).
  static func read(_ group: HDF5Group) throws -> [StoredMethodResult] {
    let table = try group.group("table")
    let methods = try table.readStrings("method")
    let means = try table.read("mean", as: Float.self).values
    let stds = try table.read("std", as: Float.self).values
    let ns = try table.read("n", as: Int32.self).values
    let notes = table.isDataset("note") ? try table.readStrings("note") : []
    guard means.count == methods.count, stds.count == methods.count, ns.count == methods.count else {
      throw ReportError(
        "\(group.file.path) \(table.path): expected method, mean, std, n of equal length, found \(methods.count), \(means.count), \(stds.count), \(ns.count)"
      )
    }
    var rows: [StoredMethodResult] = []
    for (i, m) in methods.enumerated() {
      var row = StoredMethodResult(
        method: m, mean: Double(means[i]), std: Double(stds[i]), n: Int(ns[i]), note: i < notes.count ? notes[i] : "",
        testErrors: [], validationErrors: [], steps: [], actionFractions: [], example: nil)
      let path = "methods/\(m)"
      if group.isGroup(path) {
        let g = try group.group(path)
        if g.isDataset("test_error") { row.testErrors = try g.read("test_error", as: Float.self).values }
        if g.isDataset("validation_error") {
          row.validationErrors = try g.read("validation_error", as: Float.self).values
        }
        if g.isDataset("steps") { row.steps = try g.read("steps", as: Int32.self).values }
        if g.isDataset("action_fractions") {
          row.actionFractions = try g.read("action_fractions", as: Float.self).values
        }
        if g.isGroup("example_trace") { row.example = try StoredTrace.read(try g.group("example_trace")) }
      }
      rows.append(row)
    }
    return rows
  }
}
