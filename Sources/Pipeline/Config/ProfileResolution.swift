import Foundation
import Store

/// A config that can check its own values: every out-of-range setting is an error naming the key,
/// the value found and the allowed range.
public protocol CheckedConfig {
  /// Throws a ``PipelineError`` for the first setting outside its allowed range.
  func check() throws
}

/// The profiles under a config folder (`configs/<profile>/<config>.json`).
public enum Profiles {
  /// Profile names under `configRoot`: its sub-folders that hold at least one `.json` file, sorted.
  /// A missing `configRoot` has no profiles; a folder that exists but cannot be listed is an error.
  public static func available(configRoot: String) throws -> [String] {
    var isFolder: ObjCBool = false
    return try FileManagerShim.list(configRoot).filter { name in
      let path = "\(configRoot)/\(name)"
      guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue else {
        return false  // a file beside the profile folders (README, …)
      }
      return try FileManagerShim.list(path).contains { $0.hasSuffix(".json") }
    }
  }

  /// The config names (file names without `.json`) of one profile, sorted.
  public static func configs(profile: String, configRoot: String) throws -> [String] {
    let files = try FileManagerShim.list("\(configRoot)/\(profile)")
    return files.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
  }

  /// The file `configs/<profile>/<config>.json` of the context's profile.
  ///
  /// - Parameters:
  ///   - config: the config name, e.g. `gan`, `regression`, `nmt-de-en`.
  ///   - context: gives the config folder and the profile.
  /// - Throws: a ``PipelineError`` listing the available profiles when the profile does not exist,
  ///   or the configs of the profile when only this file is missing. There is no fallback to
  ///   built-in defaults: every profile names all of its sizes.
  public static func file(_ config: String, context: StageContext) throws -> String {
    let root = context.configRoot
    let profiles = try available(configRoot: root)
    guard profiles.contains(context.profile) else {
      let known = profiles.isEmpty ? "none (no profile folders with JSON files)" : profiles.joined(separator: ", ")
      throw PipelineError("profile '\(context.profile)': not found under \(root)/; available profiles: \(known)")
    }
    let file = "\(root)/\(context.profile)/\(config).json"
    guard FileManager.default.fileExists(atPath: file) else {
      let known = try configs(profile: context.profile, configRoot: root).joined(separator: ", ")
      throw PipelineError(
        "profile '\(context.profile)': config file \(file) not found; this profile has: \(known); "
          + "available profiles: \(profiles.joined(separator: ", "))")
    }
    return file
  }
}

extension ConfigLoader {
  /// The one way a stage resolves its config: the defaults, then `configs/<profile>/<config>.json`
  /// (which must exist), then the `--set` overrides, then ``CheckedConfig/check()``.
  ///
  /// - Parameters:
  ///   - config: the config name, e.g. `gan`.
  ///   - defaults: the built-in values the profile file is merged over (they define the known keys).
  ///   - context: the profile and the config folder.
  ///   - overrides: `key.path=value` strings.
  ///   - commandLineKeys: top-level keys that the command line sets (e.g. `workers` from
  ///     `--workers`); setting them in the profile file or with `--set` is an error naming the option.
  public static func load<C: Codable & CheckedConfig>(
    _ type: C.Type, config: String, defaults: C, context: StageContext, overrides: [String],
    commandLineKeys: [String: String] = [:]
  ) throws -> C {
    let file = try Profiles.file(config, context: context)
    if !commandLineKeys.isEmpty {
      let overlay = try jsonObject(
        FileManager.default.contents(atPath: file) ?? Data("{}".utf8), source: file)
      for (key, option) in commandLineKeys.sorted(by: { $0.key < $1.key }) {
        if overlay[key] != nil {
          throw PipelineError("\(file): '\(key)' is set by the command line option \(option), not by the profile")
        }
        if overrides.contains(where: { $0.hasPrefix("\(key)=") }) {
          throw PipelineError("--set \(key)=...: '\(key)' is set by the command line option \(option)")
        }
      }
    }
    let loaded = try load(type, defaults: defaults, profileFile: file, overrides: overrides)
    try loaded.check()
    return loaded
  }
}
