import Foundation
import Store

/// Assembles the report from the artifacts under one artifacts folder. Each part of the paper has
/// its own file (`ReportRegularized.swift`, `ReportGAN.swift`, `ReportNMT.swift`); a part whose
/// artifacts are absent becomes a "not run in this pipeline" note instead of an error.
public final class ReportBuilder: @unchecked Sendable {
  public let inputs: ReportInputs
  /// The profile the report was asked for (the artifacts' own configs are quoted beside numbers).
  public let profile: String
  /// One line per task, computed from the numbers.
  public private(set) var verdicts: [String] = []
  /// Problems met while reading artifacts (shown in the report, never fatal).
  public private(set) var problems: [String] = []

  /// The tool and commit quoted as the report's author, e.g. "autoloss-swift 0.1.0 at git 1a2b3c".
  public let generator: String

  public init(store: ArtifactStore, profile: String, generator: String) {
    inputs = ReportInputs(store: store)
    self.profile = profile
    self.generator = generator
  }

  func addVerdict(_ line: String) { verdicts.append(line) }
  func addProblem(_ line: String) { problems.append(line) }

  /// Runs `body`; on error, records it and returns a section saying what failed.
  func guarded(_ id: String, _ title: String, _ body: () throws -> ReportSection) -> ReportSection {
    do {
      return try body()
    } catch {
      let message = "\(title): could not be built from the artifacts: \(error)"
      addProblem(message)
      return ReportSection(id: id, title: title, blocks: [.missing(message)])
    }
  }

  /// Builds the whole document.
  public func build() -> ReportDocument {
    var sections: [ReportSection] = []
    sections.append(guarded("table1", "Table 1: regression and classification") { try table1Section() })
    sections.append(guarded("table2", "Table 2: classification transfer to new datasets") { try table2Section() })
    sections.append(guarded("table3", "Table 3: feature ablation") { try table3Section() })
    sections.append(guarded("figure1", "Figure 1: the λ sweep") { try figure1Section() })
    sections.append(guarded("known-answer", "Known-answer check") { try knownAnswerSection() })
    sections.append(
      guarded("controllers", "Controller training: regression and classification") { try controllerSection() })
    sections.append(guarded("gan", "GAN: DCGAN schedules (Figure 2, Figure 4)") { try ganSection() })
    sections.append(guarded("nmt", "NMT: multi-task translation (Figure 3)") { try nmtSection() })
    var verdictSection = ReportSection(id: "verdicts", title: "Verdicts")
    verdictSection.add(
      .paragraph(
        "One line per task, computed from the tables above: the difference of means between AutoLoss and the best "
          + "baseline of each kind, and how it compares with the combined standard error sqrt(s1²/n1 + s2²/n2)."))
    if verdicts.isEmpty {
      verdictSection.add(.missing("no task has evaluation artifacts: no verdict can be computed"))
    } else {
      for v in verdicts { verdictSection.add(.verdict(v)) }
    }
    sections.insert(verdictSection, at: 0)
    sections.append(provenanceSection())
    let subtitle = [
      "Reimplementation of AutoLoss (Xu, Zhang, Hu, Liang, Salakhutdinov, Xing; ICLR 2019; arXiv:1810.02442) in Swift.",
      "Profile: \(profile). Artifacts: \(inputs.store.root). Generated \(Provenance.iso8601(Date())) by \(generator).",
      "Paper numbers come from docs/paper-spec.md; every deviation from the paper is stated beside the number it affects.",
    ]
    return ReportDocument(title: "AutoLoss reproduction report", subtitle: subtitle, sections: sections)
  }

  func provenanceSection() -> ReportSection {
    var s = ReportSection(id: "provenance", title: "Provenance")
    s.add(
      .paragraph(
        "Every artifact this report read, with its version and the first 12 hex digits of its SHA-256; each table and "
          + "figure above names its own sources. The profile of the report run is '\(profile)'; the config of each "
          + "artifact is stored in its `config` attribute (autoloss inspect <file>)."))
    var rows: [[String]] = []
    for a in inputs.used {
      let p = inputs.details[a.path]
      rows.append([
        a.path, a.version > 0 ? String(format: "v%04d", a.version) : "-", String(a.sha256.prefix(12)), p?.schema ?? "",
        p?.createdAt ?? "", p?.gitCommit ?? "",
      ])
    }
    if rows.isEmpty {
      s.add(.missing("no artifacts were found under \(inputs.store.root)"))
    } else {
      s.add(
        .table(
          ReportTable(
            caption: "Artifacts read", columns: ["path", "version", "sha256", "schema", "created", "git"], rows: rows)))
    }
    s.add(.heading("Skipped inputs"))
    if inputs.skipped.isEmpty {
      s.add(.paragraph("None: every artifact found under \(inputs.store.root) that a section looked for was read."))
    } else {
      s.add(
        .paragraph(
          "Artifacts found but not used, and why (a section that needed one of them says so above or shows the "
            + "older version it fell back to):"))
      s.add(.list(inputs.skipped.map { "\($0.path): \($0.reason)" }))
    }
    let allProblems = problems + inputs.provenanceProblems.map { "\($0.path): \($0.reason)" }
    if !allProblems.isEmpty {
      s.add(.heading("Problems met while reading artifacts"))
      s.add(.list(allProblems))
    }
    return s
  }
}
