import Foundation
import Store

extension ReportBuilder {
  /// "Known-answer check": per trainer, the state-dependent and ratio tasks against the issue 12
  /// criteria, and one verdict line (also listed among the verdicts).
  func knownAnswerSection() throws -> ReportSection {
    var s = ReportSection(id: "known-answer", title: "Known-answer check")
    let (stage, name) = (KnownAnswerStage.stage, KnownAnswerStage.name)
    guard let a = inputs.latest(stage: stage, name: name) else {
      s.add(.missing(inputs.missing(stage: stage, name: name, what: "Known-answer check")))
      return s
    }
    let f = try inputs.open(a, schema: KnownAnswerStage.schema)
    defer { f.close() }
    let rows = try KnownAnswerStage.readRows(f.root)
    let criteria = try f.root.attributeString("criteria")
    let verdict = KnownAnswerStage.verdict(rows)
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
    s.add(.verdict("Known-answer check: \(verdict)"))
    addVerdict("Known-answer check: \(verdict)")
    return s
  }
}
