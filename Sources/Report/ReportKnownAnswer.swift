import Foundation
import Store

extension ReportBuilder {
  /// "Known-answer check": per trainer, the state-dependent and ratio tasks against the issue 12
  /// criteria, and one verdict line (also listed among the verdicts).
  func knownAnswerSection() throws -> ReportSection {
    var s = ReportSection(id: "known-answer", title: "Known-answer check")
    let (stage, name) = (ReportSchemas.knownAnswerStage, ReportSchemas.knownAnswerName)
    guard let a = inputs.latest(stage: stage, name: name) else {
      s.add(.missing(inputs.missing(stage: stage, name: name, what: "Known-answer check")))
      return s
    }
    let f = try inputs.open(a, schema: ReportSchemas.knownAnswer)
    defer { f.close() }
    let rows = try StoredKnownAnswerRow.readRows(f.root)
    let criteria = try f.root.attributeString("criteria")
    let verdict = try f.root.attributeString("verdict")
    s.add(
      .paragraph(
        "Does the controller training machinery learn when there is something to learn? Each trainer trains a fresh "
          + "controller on two synthetic tasks whose best schedule is known: a state-dependent task (the right "
          + "action follows a visible signal) and a ratio-only task (the best policy is a fixed P(action 1) = p*)."))
    let pass = { (ok: Bool) in ok ? "pass" : "FAIL" }
    let table = rows.map { r in
      [
        r.algorithm, ReportFormat.number(r.correctFraction * 100, digits: 1),
        ReportFormat.number(r.margin, digits: 4) + " ± " + ReportFormat.number(r.standardError, digits: 4),
        ReportFormat.number(r.marginInStandardErrors, digits: 1), ReportFormat.number(r.bestConstantRatio, digits: 1),
        pass(r.statePassed),
        ReportFormat.number(r.realizedRatio, digits: 3) + " (p* " + ReportFormat.number(r.targetRatio, digits: 2) + ")",
        pass(r.ratioPassed), "\(r.stateEpisodes) + \(r.ratioEpisodes)", ReportFormat.number(r.seconds, digits: 1),
      ]
    }
    s.add(
      .table(
        ReportTable(
          caption: "Known-answer tasks: one row per controller trainer",
          columns: [
            "trainer", "correct %", "margin ± SE", "margin / SE", "best constant ratio", "state-dependent",
            "ratio found", "ratio", "episodes (state + ratio)", "seconds",
          ], rows: table, notes: ["Criteria: \(criteria)."], sources: [a])))
    if f.root.contains("online_ppo_references") {
      for block in try onlinePPOKnownAnswer(f.root, source: a) { s.add(block) }
    }
    s.add(.verdict("Known-answer check: \(verdict)"))
    addVerdict("Known-answer check: \(verdict)")
    return s
  }
}

extension ReportBuilder {
  /// The online PPO check on the multi-task stand-in: one row per ratio reference.
  func onlinePPOKnownAnswer(_ root: HDF5Group, source: ResolvedArtifact) throws -> [ReportBlock] {
    var rows: [[String]] = []
    for reference in try root.readStrings("online_ppo_references") {
      let g = try root.group("online_ppo/\(reference)")
      let frozen = try g.read("controller_perplexity", as: Float.self).values
      let share = try g.read("controller_main_share", as: Float.self).values
      rows.append([
        reference,
        zip(frozen, share).map {
          ReportFormat.number(Double($0), digits: 2) + " (" + ReportFormat.number(Double($1), digits: 2) + ")"
        }.joined(separator: ", "),
        ReportFormat.number(try g.attribute("main_only_perplexity", as: Double.self), digits: 2),
        ReportFormat.number(try g.attribute("untrained_perplexity", as: Double.self), digits: 2),
        ReportFormat.number(try g.attribute("best_mix_perplexity", as: Double.self), digits: 2) + " ("
          + ReportFormat.number(try g.attribute("best_mix_share", as: Double.self), digits: 1) + ")",
        ReportFormat.number(try g.attribute("switch_perplexity", as: Double.self), digits: 2),
        "\(try g.attribute("meta_episodes", as: Int64.self))",
        try g.attribute("passed", as: Int64.self) != 0 ? "pass" : "FAIL",
        ReportFormat.number(try g.attribute("seconds", as: Double.self), digits: 1),
      ])
    }
    return [
      .paragraph(
        "Online PPO (the NMT controller) on a stand-in for multi-task NMT with the noise the long NMT runs measured per "
          + "50-step segment: three tasks, a main task that starts to overfit after 1400 updates, auxiliary tasks "
          + "that help it a fifth as much. Auxiliary updates beat main only here, so a controller that learns must "
          + "beat main only and the untrained (uniform) controller. The first row is the configured trainer (standard PPO: the ratio divides by the "
          + "probability the action was drawn with); the second the official code's ratio (the previous policy, "
          + "recomputed for every replayed transition, without the ε-exploration); the third decoupled PPO (the clip "
          + "centred on the stored collection policy π, each advantage weighted by π/μ to undo the ε-exploration)."),
      .table(
        ReportTable(
          caption: "Online PPO known-answer check: best perplexity of the frozen controllers (main share)",
          columns: [
            "PPO ratio", "frozen controllers", "main only", "untrained", "best mix (share)",
            "main then auxiliary", "meta-episodes", "beats main only and untrained", "seconds",
          ], rows: rows,
          notes: [
            "Mean best perplexity over 4 held-out seeds (actions sampled, no exploration); the constant mixes are "
              + "tuned on the same seeds (main share 0.3, 0.4, ..., 1)."
          ], sources: [source])),
    ]
  }
}

/// One trainer's row of a known-answer artifact (`trainers/<algorithm>/{state_dependent,ratio}`),
/// as the `known-answer` stage writes it.
public struct StoredKnownAnswerRow: Sendable, Equatable {
  public var algorithm: String
  public var correctFraction: Double
  public var bestConstantRatio: Double
  public var margin: Double
  public var standardError: Double
  public var targetRatio: Double
  public var realizedRatio: Double
  public var meanProbability: Double
  public var stateEpisodes: Int
  public var ratioEpisodes: Int
  public var seconds: Double
  public var statePassed: Bool
  public var ratioPassed: Bool

  /// margin / SE (infinite when the SE is 0).
  public var marginInStandardErrors: Double { standardError > 0 ? margin / standardError : .infinity }

  /// Reads the rows of a known-answer artifact's root (the trainers in the order written).
  public static func readRows(_ root: HDF5Group) throws -> [StoredKnownAnswerRow] {
    try root.readStrings("trainer_names").map { try read(algorithm: $0, from: try root.group("trainers/\($0)")) }
  }

  static func read(algorithm: String, from group: HDF5Group) throws -> StoredKnownAnswerRow {
    let s = try group.group("state_dependent")
    let r = try group.group("ratio")
    return StoredKnownAnswerRow(
      algorithm: algorithm, correctFraction: try s.attribute("correct_fraction", as: Double.self),
      bestConstantRatio: try s.attribute("best_constant_ratio", as: Double.self),
      margin: try s.attribute("margin", as: Double.self),
      standardError: try s.attribute("standard_error", as: Double.self),
      targetRatio: try r.attribute("target_ratio", as: Double.self),
      realizedRatio: try r.attribute("realized_ratio", as: Double.self),
      meanProbability: try r.attribute("mean_probability", as: Double.self),
      stateEpisodes: Int(try s.attribute("episodes", as: Int64.self)),
      ratioEpisodes: Int(try r.attribute("episodes", as: Int64.self)),
      seconds: try group.attribute("seconds", as: Double.self),
      statePassed: try s.attribute("passed", as: Int64.self) != 0,
      ratioPassed: try r.attribute("passed", as: Int64.self) != 0)
  }
}
