import Foundation
import Store

/// `autoloss inspect`: a readable report of any HDF5 artifact: schema, provenance, the tree of
/// groups and datasets with their attributes, and for training traces an episode table or the
/// steps of one episode.
public enum ArtifactInspector {
  /// What to print.
  public struct Options: Sendable {
    /// Print the steps of this episode (its number, e.g. 7 for `/episodes/0007`).
    public var episode: Int?
    /// At most this many step rows; longer episodes are sampled at evenly spaced steps (first and
    /// last included).
    public var maxRows = 50
    /// Lines of the `config` attribute to show.
    public var configLines = 12

    public init(episode: Int? = nil, maxRows: Int = 50) {
      self.episode = episode
      self.maxRows = maxRows
    }
  }

  /// Renders the report of the file at `path`. Throws a `PrepError` naming the file when it is
  /// missing or not HDF5.
  public static func render(_ given: String, options: Options = Options()) throws -> String {
    // An artifact folder or its `latest` pointer stands for the latest version in it.
    guard let path = ArtifactStore.versionFile(for: given) else {
      throw PrepError("\(given): no artifact versions (expected vNNNN.h5 files beside a `latest` pointer)")
    }
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
      throw PrepError("\(path): file not found (expected an HDF5 artifact)")
    }
    guard !isDir.boolValue else { throw PrepError("\(path): expected an HDF5 file, found a folder") }
    guard HDF5File.isHDF5(path) else {
      throw PrepError("\(path): not an HDF5 file (expected the HDF5 signature at its start)")
    }
    guard options.maxRows >= 1 else { throw PrepError("--max-rows must be >= 1, found \(options.maxRows)") }
    let file = try HDF5File.open(path)
    defer { file.close() }
    let root = file.root
    var out = "file: \(path)\n"
    out += try provenanceSection(root, configLines: options.configLines)
    if let episode = options.episode {
      out += try TraceInspector.episodeSteps(root, episode: episode, maxRows: options.maxRows)
      return out
    }
    out += "\ntree:\n"
    out += try tree(root, depth: 1)
    if TraceInspector.isTrace(root) {
      out += try TraceInspector.episodeTable(root)
    }
    return out
  }

  /// Schema and provenance attributes, when present.
  static func provenanceSection(_ root: HDF5Group, configLines: Int) throws -> String {
    var out = ""
    if root.hasAttribute("schema") {
      let version = shown { try attributeText(root, "schema_version") }
      out += "schema: \(try attributeText(root, "schema")) (version \(version))\n"
    } else {
      out += "schema: none (not an autoloss artifact; showing the plain HDF5 structure)\n"
    }
    for key in ["dataset", "created_at", "tool_version", "git_commit", "seed"] where root.hasAttribute(key) {
      out += "\(key): \(try attributeText(root, key))\n"
    }
    if root.hasAttribute("inputs") {
      let json = try attributeText(root, "inputs")
      do {
        let inputs = try JSONDecoder().decode([ResolvedArtifact].self, from: Data(json.utf8))
        out += inputs.isEmpty ? "inputs: none\n" : "inputs:\n"
        for input in inputs {
          let version = input.version > 0 ? " v\(input.version)" : ""
          out += "  \(input.path)\(version) sha256 \(input.sha256.prefix(16))…\n"
        }
      } catch {
        // Shown raw, with the reason, when it is not the JSON list the Store writes.
        out += "inputs (not a JSON list of artifacts: \(clip("\(error)", 80))): \(json.prefix(200))\n"
      }
    }
    if root.hasAttribute("config") {
      let config = shown { try root.attributeString("config") }
      let lines = config.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        .filter { !$0.isEmpty }
      out += "config (\(lines.count) lines\(lines.count > configLines ? ", first \(configLines)" : "")):\n"
      for line in lines.prefix(configLines) { out += "  \(line)\n" }
    }
    return out
  }

  static let provenanceKeys: Set<String> = [
    "schema", "schema_version", "created_at", "tool_version", "git_commit", "config", "seed", "inputs", "dataset",
  ]

  /// The tree below `group`: groups with their attributes, datasets with shape, dtype and chunks.
  /// Groups with many numbered children (episodes) list only the first few.
  static func tree(_ group: HDF5Group, depth: Int) throws -> String {
    let indent = String(repeating: "  ", count: depth)
    var out = ""
    if group.path == "/" {
      out += "/\n"
      out += try attributeLines(group, indent: indent, skip: provenanceKeys)
    }
    let children = try group.list()
    let numbered = children.filter { Int($0) != nil }
    let elided = numbered.count > 6 ? Set(numbered.dropFirst(3)) : []
    for name in children {
      if elided.contains(name) {
        if name == numbered[3] { out += "\(indent)… \(elided.count) more numbered groups like \(name)\n" }
        continue
      }
      if group.isGroup(name) {
        let child = try group.group(name)
        out += "\(indent)\(name)/\n"
        out += try attributeLines(child, indent: indent + "  ", skip: [])
        out += try tree(child, depth: depth + 1)
      } else if group.isDataset(name) {
        let dataset = try group.dataset(name)
        out += "\(indent)\(name)  \(try describe(dataset))\n"
        out += try attributeLines(dataset, indent: indent + "  ")
      } else {
        out += "\(indent)\(name)  (link or other object)\n"
      }
    }
    return out
  }

  /// "int32 [55000, 1, 28, 28] chunks [1024, 1, 28, 28]"; small string datasets show a preview.
  static func describe(_ dataset: HDF5Dataset) throws -> String {
    let dtype = try dataset.dtypeName
    let shape = try dataset.shape
    var text = "\(dtype) [\(shape.map(String.init).joined(separator: ", "))]"
    if let chunks = try dataset.chunks {
      text += " chunked [\(chunks.map(String.init).joined(separator: ", "))]"
      if try dataset.maxShape.contains(where: { $0 == nil }) { text += " extendable" }
    } else {
      text += " contiguous"
    }
    if dtype == "string" {
      let strings = try dataset.readStrings()
      let preview = strings.prefix(6).map { "\"\(clip($0, 24))\"" }.joined(separator: ", ")
      text += ": \(preview)\(strings.count > 6 ? ", …" : "")"
    }
    return text
  }

  static func attributeLines(_ group: HDF5Group, indent: String, skip: Set<String>) throws -> String {
    var out = ""
    for name in try group.attributeNames() where !skip.contains(name) {
      out += "\(indent)@\(name) = \(clip(shown { try attributeText(group, name) }, 100))\n"
    }
    return out
  }

  static func attributeLines(_ dataset: HDF5Dataset, indent: String) throws -> String {
    var out = ""
    for name in try dataset.attributeNames() {
      let text: String
      switch try dataset.attributeDtypeName(name) {
      case "string": text = shown { try dataset.attributeString(name) }
      case "float32": text = shown { format(try dataset.attributeArray(name, as: Float.self).map(Double.init)) }
      case "float64": text = shown { format(try dataset.attributeArray(name, as: Double.self)) }
      case "int32": text = shown { format(try dataset.attributeArray(name, as: Int32.self).map(Double.init)) }
      case "int64": text = shown { format(try dataset.attributeArray(name, as: Int64.self).map(Double.init)) }
      case "uint8": text = shown { format(try dataset.attributeArray(name, as: UInt8.self).map(Double.init)) }
      case let other: text = "<\(other)>"
      }
      out += "\(indent)@\(name) = \(clip(text, 100))\n"
    }
    return out
  }

  /// An attribute of a group as text (strings as they are, numbers formatted, arrays in brackets).
  static func attributeText(_ group: HDF5Group, _ name: String) throws -> String {
    switch try group.attributeDtypeName(name) {
    case "string": return try group.attributeString(name)
    case "float32": return format(try group.attributeArray(name, as: Float.self).map(Double.init))
    case "float64": return format(try group.attributeArray(name, as: Double.self))
    case "int32": return format(try group.attributeArray(name, as: Int32.self).map(Double.init))
    case "int64": return format(try group.attributeArray(name, as: Int64.self).map(Double.init))
    case "uint8": return format(try group.attributeArray(name, as: UInt8.self).map(Double.init))
    case let other: return "<\(other)>"
    }
  }

  /// A numeric attribute of a group as a Double; nil when it is absent or not a number (a string);
  /// throws when it cannot be read (e.g. an array where one number belongs).
  static func number(_ group: HDF5Group, _ name: String) throws -> Double? {
    guard group.hasAttribute(name) else { return nil }
    switch try group.attributeDtypeName(name) {
    case "float32": return Double(try group.attribute(name, as: Float.self))
    case "float64": return try group.attribute(name, as: Double.self)
    case "int32": return Double(try group.attribute(name, as: Int32.self))
    case "int64": return Double(try group.attribute(name, as: Int64.self))
    case "uint8": return Double(try group.attribute(name, as: UInt8.self))
    default: return nil
    }
  }

  /// The text `body` makes, or `<unreadable: reason>`: the inspector shows everything it can and
  /// marks, in place, what it could not read instead of failing on one broken attribute.
  static func shown(_ body: () throws -> String) -> String {
    do {
      return try body()
    } catch let error as StoreError {
      return "<unreadable: \(error.message)>"
    } catch {
      return "<unreadable: \(error)>"
    }
  }

  static func format(_ values: [Double]) -> String {
    let parts = values.prefix(8).map(formatNumber)
    if values.count == 1 { return parts[0] }
    return "[" + parts.joined(separator: ", ") + (values.count > 8 ? ", … (\(values.count))" : "") + "]"
  }

  static func formatNumber(_ v: Double) -> String {
    if v == v.rounded() && abs(v) < 1e15 { return String(Int64(v)) }
    if abs(v) >= 1e5 || abs(v) < 1e-3 { return String(format: "%.4g", v) }
    return String(format: "%.4f", v)
  }

  static func clip(_ s: String, _ n: Int) -> String {
    let oneLine = s.replacingOccurrences(of: "\n", with: "⏎")
    return oneLine.count > n ? String(oneLine.prefix(n)) + "…" : oneLine
  }
}
