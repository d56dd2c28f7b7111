import AutoLoss
import Foundation
import Tasks

/// Loads a Codable config from defaults, a profile file and `key.path=value` overrides.
///
/// The defaults are encoded to JSON, the profile file (`configs/<profile>/<task>.json`) is merged
/// over them key by key, then each override replaces one value. Unknown keys are errors, so a typo
/// in a profile or an override is reported instead of silently ignored.
public enum ConfigLoader {
  public static func load<C: Codable>(
    _ type: C.Type, defaults: C, profileFile: String?, overrides: [String]
  ) throws -> C {
    let defaultsTree = try jsonObject(JSONEncoder().encode(defaults), source: "built-in defaults")
    var tree = defaultsTree
    if let profileFile {
      guard let data = FileManager.default.contents(atPath: profileFile) else {
        throw PipelineError("config file \(profileFile): not found (expected a JSON profile)")
      }
      let overlay = try jsonObject(data, source: profileFile)
      tree = try merge(tree, overlay, path: "", source: profileFile)
    }
    for override in overrides {
      guard let eq = override.firstIndex(of: "=") else {
        throw PipelineError("override '\(override)': expected key.path=value")
      }
      let key = String(override[..<eq])
      let raw = String(override[override.index(after: eq)...])
      let value: Any
      // Documented fallback: a value that is not JSON (`--set task.name=abc`) is taken as a string;
      // a wrong type is then reported by the decoder with the key, the expected type and the value.
      if let parsed = try? JSONSerialization.jsonObject(with: Data(raw.utf8), options: [.fragmentsAllowed]) {
        value = parsed
      } else {
        value = raw
      }
      tree = try set(tree, path: key.split(separator: ".").map(String.init), value: value, full: key)
    }
    do {
      return try decode(C.self, tree)
    } catch let error as DecodingError {
      throw PipelineError(describe(error, C.self, tree: tree, defaults: defaultsTree))
    }
  }

  /// A config recorded in an artifact's provenance, read by this version: the recorded values over
  /// today's defaults, so keys added since (absent from the record) take their defaults and keys
  /// removed since are ignored. `source` names the artifact in errors.
  public static func recorded<C: Codable>(_ type: C.Type, defaults: C, text: String, source: String) throws -> C {
    let defaultsTree = try jsonObject(JSONEncoder().encode(defaults), source: "built-in defaults")
    let recordedTree = try jsonObject(Data(text.utf8), source: "\(source): provenance config")
    func overlay(_ base: [String: Any], _ top: [String: Any]) -> [String: Any] {
      var result = base
      for (key, value) in top where base[key] != nil {
        if let a = base[key] as? [String: Any], let b = value as? [String: Any] {
          result[key] = overlay(a, b)
        } else {
          result[key] = value
        }
      }
      return result
    }
    let tree = overlay(defaultsTree, recordedTree)
    do {
      return try decode(C.self, tree)
    } catch let error as DecodingError {
      throw PipelineError(
        "\(source): provenance config: \(describe(error, C.self, tree: tree, defaults: defaultsTree))")
    }
  }

  static func decode<C: Decodable>(_ type: C.Type, _ tree: [String: Any]) throws -> C {
    let data = try JSONSerialization.data(withJSONObject: tree, options: [.sortedKeys])
    return try JSONDecoder().decode(C.self, from: data)
  }

  /// A one-line message for a value of the wrong type: the key, what was expected and what was found.
  static func describe<C: Decodable>(
    _ error: DecodingError, _ type: C.Type, tree: [String: Any], defaults: [String: Any]
  ) -> String {
    let context: DecodingError.Context
    var expected = ""
    switch error {
    case .typeMismatch(let type, let c), .valueNotFound(let type, let c):
      context = c
      expected = typeName(type)
    case .dataCorrupted(let c):
      context = c
      if let names = enumNames(in: c.debugDescription) { expected = "one of " + names.joined(separator: ", ") }
    case .keyNotFound(_, let c):
      context = c
    @unknown default:
      return "config: values do not fit the expected types: \(error)"
    }
    var path = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }
    if path.isEmpty || expected.isEmpty {
      // The decoder did not say which key: find the first changed value that fails on its own.
      guard let culprit = culprit(type, tree: tree, defaults: defaults) else {
        return "config: values do not fit the expected types (\(context.debugDescription))"
      }
      path = culprit
      if let value = node(defaults, path) { expected = "a value of the type of its default \(describeValue(value))" }
    }
    let found = node(tree, path).map(describeValue) ?? "nothing"
    let key = path.map { Int($0) == nil ? ".\($0)" : "[\($0)]" }.joined().dropFirst()
    return "config key '\(key)': expected \(expected), found \(found)"
  }

  /// The names every string-valued enum of the configs accepts, by type name.
  static let enumCases: [String: [String]] = Dictionary(
    uniqueKeysWithValues: [
      names(ControllerAlgorithm.self), names(EvaluatedControllerChoice.self),
      names(SegmentRewardNormalization.self), names(PPORatioReference.self), names(GANActivation.self),
      names(ImageRange.self),
      names(RegularizedTaskKind.self), names(ScorerConfig.LearningRateSchedule.self),
    ])

  static func names<E: CaseIterable & RawRepresentable>(_ type: E.Type) -> (String, [String])
  where E.RawValue == String {
    ("\(E.self)", E.allCases.map(\.rawValue))
  }

  /// The accepted names when `description` is the decoder's "Cannot initialize <Type> from invalid
  /// String value …" of a config enum.
  static func enumNames(in description: String) -> [String]? {
    let prefix = "Cannot initialize "
    guard description.hasPrefix(prefix), let end = description.range(of: " from invalid") else { return nil }
    return enumCases[String(description[..<end.lowerBound].dropFirst(prefix.count))]
  }

  /// The value at `path` (keys, or decimal indices into lists).
  static func node(_ tree: Any, _ path: [String]) -> Any? {
    var current: Any? = tree
    for key in path {
      if let array = current as? [Any], let index = Int(key) {
        current = index < array.count ? array[index] : nil
      } else {
        current = (current as? [String: Any])?[key]
      }
    }
    return current
  }

  /// The path of the first leaf of `tree` that differs from `defaults` and cannot be decoded when
  /// it alone replaces its default.
  static func culprit<C: Decodable>(_ type: C.Type, tree: [String: Any], defaults: [String: Any]) -> [String]? {
    func leaves(_ node: Any, _ path: [String]) -> [[String]] {
      guard let group = node as? [String: Any] else { return [path] }
      return group.keys.sorted().flatMap { leaves(group[$0] as Any, path + [$0]) }
    }
    for path in leaves(tree, []) {
      guard let value = node(tree, path) else { continue }
      if let old = node(defaults, path), describeValue(old) == describeValue(value) { continue }
      // Probing only (to name the culprit in an error message): a leaf that cannot be placed or
      // decoded alone is exactly what is searched for, so the failures are the answer, not lost.
      guard let single = try? set(defaults, path: path, value: value, full: path.joined(separator: ".")) else {
        continue
      }
      if (try? decode(type, single)) == nil { return path }
    }
    return nil
  }

  /// A config value as a message shows it.
  static func describeValue(_ value: Any) -> String {
    switch value {
    case let text as String: return "the string \"\(text)\""
    case is [String: Any]: return "a group of settings"
    case is NSNull: return "null"
    default:
      // Message text only: a value JSON cannot show (it came from JSON, so this is rare) is shown
      // with Swift's own description instead.
      guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed]) else {
        return "\(value)"
      }
      return String(decoding: data, as: UTF8.self)
    }
  }

  /// A reader's name for a Swift type in a type-mismatch message.
  static func typeName(_ type: Any.Type) -> String {
    switch type {
    case is Int.Type, is Int64.Type, is UInt64.Type, is Int32.Type: return "an integer"
    case is Float.Type, is Double.Type: return "a number"
    case is Bool.Type: return "true or false"
    case is String.Type: return "a string"
    default:
      let name = "\(type)"
      if name.hasPrefix("Array<") { return "a list" }
      if name.hasPrefix("Dictionary<") { return "a group of settings" }
      return "a \(name) value"
    }
  }

  /// The config as pretty JSON (recorded in every artifact).
  public static func text<C: Encodable>(_ config: C) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    // Non-finite numbers are written as strings, so encoding a config of plain values cannot fail.
    encoder.nonConformingFloatEncodingStrategy = .convertToString(
      positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    do {
      return String(decoding: try encoder.encode(config), as: UTF8.self)
    } catch {
      preconditionFailure("encoding a config of plain values failed (programming error): \(error)")
    }
  }

  static func jsonObject(_ data: Data, source: String) throws -> [String: Any] {
    do {
      guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
        throw PipelineError("\(source): expected a JSON object at the top level")
      }
      return object
    } catch let error as PipelineError {
      throw error
    } catch {
      throw PipelineError("\(source): not valid JSON (\(error.localizedDescription))")
    }
  }

  static func merge(_ base: [String: Any], _ overlay: [String: Any], path: String, source: String) throws -> [String:
    Any]
  {
    var result = base
    for (key, value) in overlay {
      let here = path.isEmpty ? key : "\(path).\(key)"
      guard let existing = base[key] else {
        throw PipelineError(
          "\(source): unknown setting '\(here)'; known: \(base.keys.sorted().joined(separator: ", "))")
      }
      if let a = existing as? [String: Any], let b = value as? [String: Any] {
        result[key] = try merge(a, b, path: here, source: source)
      } else {
        result[key] = value
      }
    }
    return result
  }

  static func set(_ tree: [String: Any], path: [String], value: Any, full: String) throws -> [String: Any] {
    guard let head = path.first else { return tree }
    guard let existing = tree[head] else {
      throw PipelineError(
        "override '\(full)': unknown setting '\(head)'; known: \(tree.keys.sorted().joined(separator: ", "))")
    }
    var result = tree
    if path.count == 1 {
      if existing is [String: Any] && !(value is [String: Any]) {
        throw PipelineError(
          "override '\(full)': '\(head)' is a group of settings; set one of its keys, e.g. \(head).\(((existing as? [String: Any])?.keys.sorted().first) ?? "key")=value"
        )
      }
      result[head] = value
    } else {
      guard let child = existing as? [String: Any] else {
        throw PipelineError("override '\(full)': '\(head)' is a value, not a group of settings")
      }
      result[head] = try set(child, path: Array(path.dropFirst()), value: value, full: full)
    }
    return result
  }
}
