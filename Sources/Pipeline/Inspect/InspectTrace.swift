import Foundation
import Store

/// The training-trace part of `autoloss inspect`: files with an `/episodes` group of numbered
/// episodes (`0007/actions` int32[T], `probabilities` float32[T,K], `losses` float32[T,M],
/// `checks/step`, `checks/error`; attributes reward, baseline, advantage, best_error, steps,
/// outcome) and root string datasets `/action_names`, `/feature_names`, `/loss_names`.
enum TraceInspector {
  static func isTrace(_ root: HDF5Group) -> Bool { root.isGroup("episodes") }

  /// The episode group names sorted by number.
  static func episodeNames(_ root: HDF5Group) throws -> [String] {
    try root.group("episodes").list().filter { Int($0) != nil }.sorted { Int($0)! < Int($1)! }
  }

  static func names(_ root: HDF5Group, _ dataset: String, count: Int, prefix: String) throws -> [String] {
    let stored = root.isDataset(dataset) ? try root.readStrings(dataset) : []
    return (0..<count).map { $0 < stored.count ? stored[$0] : "\(prefix)\($0)" }
  }

  /// One past the largest action id in `actions` (0 if none); throws on ids outside 0..<1024, which
  /// no controller writes (a damaged or foreign file), instead of allocating or overflowing on them.
  static func actionIDLimit(_ actions: [Int32], root: HDF5Group) throws -> Int {
    guard let low = actions.min(), let high = actions.max() else { return 0 }
    guard low >= 0, high < 1024 else {
      throw PrepError("\(root.file.path): action ids must be in 0..<1024, found \(low < 0 ? low : high)")
    }
    return Int(high) + 1
  }

  /// One row per episode: steps, reward, baseline, advantage, best error, outcome and the
  /// fraction of steps spent on each action.
  static func episodeTable(_ root: HDF5Group) throws -> String {
    let episodes = try episodeNames(root)
    let group = try root.group("episodes")
    var actionLists: [[Int32]] = []
    for name in episodes {
      let episode = try group.group(name)
      actionLists.append(episode.isDataset("actions") ? try episode.read("actions", as: Int32.self).values : [])
    }
    let storedNames = root.isDataset("action_names") ? try root.readStrings("action_names") : []
    let actionCount = max(storedNames.count, try actionIDLimit(actionLists.flatMap { $0 }, root: root))
    let actions = try names(root, "action_names", count: actionCount, prefix: "action ")
    var out = "\nepisodes: \(episodes.count)\n"
    guard !episodes.isEmpty else { return out }
    var header = ["episode", "steps", "reward", "baseline", "advantage", "best error", "outcome"]
    header += actions.map { "%\($0)" }
    var rows: [[String]] = []
    for (name, actionList) in zip(episodes, actionLists) {
      let episode = try group.group(name)
      func num(_ key: String) throws -> String {
        try ArtifactInspector.number(episode, key).map(ArtifactInspector.formatNumber) ?? "-"
      }
      let steps = try ArtifactInspector.number(episode, "steps").map(ArtifactInspector.formatNumber)
      let outcome = episode.hasAttribute("outcome") ? try episode.attributeString("outcome") : "-"
      var row = [
        String(Int(name) ?? 0), steps ?? String(actionList.count), try num("reward"), try num("baseline"),
        try num("advantage"),
      ]
      row.append(episode.hasAttribute("best_error") ? try num("best_error") : try num("best_metric"))
      row.append(outcome)
      var counts = [Int](repeating: 0, count: actionCount)
      for a in actionList where a >= 0 && Int(a) < actionCount { counts[Int(a)] += 1 }
      row += counts.map { actionList.isEmpty ? "-" : String(format: "%.2f", Double($0) / Double(actionList.count)) }
      rows.append(row)
    }
    out += table(header, rows)
    return out
  }

  /// The steps of one episode (step, action, probabilities, losses), at most `maxRows` rows at
  /// evenly spaced steps, then its validation checks.
  static func episodeSteps(_ root: HDF5Group, episode number: Int, maxRows: Int) throws -> String {
    guard isTrace(root) else {
      throw PrepError("\(root.file.path): --episode needs a training trace, found no /episodes group")
    }
    let episodes = try episodeNames(root)
    guard let name = episodes.first(where: { Int($0) == number }) else {
      let available = episodes.isEmpty ? "none" : "\(episodes.first!)...\(episodes.last!) (\(episodes.count))"
      throw PrepError("\(root.file.path): no episode \(number) under /episodes (found \(available))")
    }
    let episode = try root.group("episodes/\(name)")
    var out = "\nepisode \(name)"
    var facts: [String] = []
    for key in ["steps", "reward", "baseline", "advantage", "best_error", "best_metric", "test_error"] {
      if let v = try ArtifactInspector.number(episode, key) {
        facts.append("\(key) \(ArtifactInspector.formatNumber(v))")
      }
    }
    if episode.hasAttribute("outcome") { facts.append("outcome \(try episode.attributeString("outcome"))") }
    out += facts.isEmpty ? "\n" : ": " + facts.joined(separator: ", ") + "\n"

    let actions = episode.isDataset("actions") ? try episode.read("actions", as: Int32.self).values : []
    let probabilities = episode.isDataset("probabilities") ? try episode.read("probabilities", as: Float.self) : nil
    let losses = episode.isDataset("losses") ? try episode.read("losses", as: Float.self) : nil
    let k = probabilities.map { $0.shape.count == 2 ? $0.shape[1] : 0 } ?? 0
    let m = losses.map { $0.shape.count == 2 ? $0.shape[1] : 0 } ?? 0
    let storedActions = root.isDataset("action_names") ? try root.readStrings("action_names") : []
    let actionNames = try names(
      root, "action_names", count: max(k, storedActions.count, try actionIDLimit(actions, root: root)),
      prefix: "action ")
    let lossNames = try names(root, "loss_names", count: m, prefix: "loss ")
    let t = actions.count
    let rows = sampledRows(t, maxRows: maxRows)
    out += "steps: \(t)"
    out += rows.count < t ? ", showing \(rows.count) evenly spaced (first and last included; --max-rows)\n" : "\n"
    var header = ["step", "action"]
    header += actionNames.prefix(k).map { "p(\($0))" }
    header += lossNames
    var table: [[String]] = []
    for i in rows {
      let a = Int(actions[i])
      var row = [String(i), a >= 0 && a < actionNames.count ? actionNames[a] : String(a)]
      if let probabilities, k > 0, probabilities.values.count >= (i + 1) * k {
        row += (0..<k).map { String(format: "%.3f", probabilities.values[i * k + $0]) }
      }
      if let losses, m > 0, losses.values.count >= (i + 1) * m {
        row += (0..<m).map { ArtifactInspector.formatNumber(Double(losses.values[i * m + $0])) }
      }
      table.append(row)
    }
    out += Self.table(header, table)
    if episode.isGroup("checks"), episode.isDataset("checks/step"), episode.isDataset("checks/error") {
      let steps = try episode.read("checks/step", as: Int32.self).values
      let errors = try episode.read("checks/error", as: Float.self).values
      let shown = sampledRows(min(steps.count, errors.count), maxRows: maxRows)
      out +=
        "\nvalidation checks: \(steps.count)\(shown.count < steps.count ? ", showing \(shown.count) evenly spaced" : "")\n"
      out += Self.table(
        ["step", "error"], shown.map { [String(steps[$0]), ArtifactInspector.formatNumber(Double(errors[$0]))] })
    }
    return out
  }

  /// `min(count, maxRows)` indices evenly spaced over `0..<count`, first and last included.
  static func sampledRows(_ count: Int, maxRows: Int) -> [Int] {
    guard count > maxRows else { return Array(0..<count) }
    guard maxRows > 1 else { return [0] }
    var rows: [Int] = []
    for r in 0..<maxRows {
      let i = Int((Double(r) * Double(count - 1) / Double(maxRows - 1)).rounded())
      if rows.last != i { rows.append(i) }
    }
    return rows
  }

  /// A plain text table with right-aligned columns.
  static func table(_ header: [String], _ rows: [[String]]) -> String {
    let columns = max(header.count, rows.map(\.count).max() ?? 0)
    var widths = [Int](repeating: 0, count: columns)
    for row in [header] + rows {
      for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) }
    }
    func line(_ row: [String]) -> String {
      row.enumerated().map { String(repeating: " ", count: widths[$0.offset] - $0.element.count) + $0.element }
        .joined(separator: "  ") + "\n"
    }
    return line(header) + rows.map(line).joined()
  }
}
