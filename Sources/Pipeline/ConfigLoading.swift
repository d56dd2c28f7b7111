import Foundation

/// Loads a Codable config from defaults, a profile file and `key.path=value` overrides.
///
/// The defaults are encoded to JSON, the profile file (`configs/<profile>/<task>.json`) is merged
/// over them key by key, then each override replaces one value. Unknown keys are errors, so a typo
/// in a profile or an override is reported instead of silently ignored.
public enum ConfigLoader {
  public static func load<C: Codable>(
    _ type: C.Type, defaults: C, profileFile: String?, overrides: [String]
  ) throws -> C {
    var tree = try jsonObject(JSONEncoder().encode(defaults), source: "built-in defaults")
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
      if let parsed = try? JSONSerialization.jsonObject(with: Data(raw.utf8), options: [.fragmentsAllowed]) {
        value = parsed
      } else {
        value = raw
      }
      tree = try set(tree, path: key.split(separator: ".").map(String.init), value: value, full: key)
    }
    let data = try JSONSerialization.data(withJSONObject: tree, options: [.sortedKeys])
    do {
      return try JSONDecoder().decode(C.self, from: data)
    } catch {
      throw PipelineError("config: values do not fit the expected types: \(error)")
    }
  }

  /// The config as pretty JSON (recorded in every artifact).
  public static func text<C: Encodable>(_ config: C) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    guard let data = try? encoder.encode(config) else { return "{}" }
    return String(decoding: data, as: UTF8.self)
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
