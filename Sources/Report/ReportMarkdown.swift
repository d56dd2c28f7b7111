import Foundation

/// Renders a ``ReportDocument`` as Markdown: tables as pipe tables, charts and sample grids as
/// relative links to the `.svg` and `.png` files saved beside `report.md`.
public enum ReportMarkdown {
  static func cell(_ s: String) -> String {
    s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
  }

  public static func render(_ doc: ReportDocument) -> String {
    var m = "# \(doc.title)\n\n"
    for line in doc.subtitle { m += "\(line)  \n" }
    m += "\n"
    for s in doc.sections { m += "- [\(s.title)](#\(s.id))\n" }
    for s in doc.sections {
      m += "\n<a id=\"\(s.id)\"></a>\n\n## \(s.title)\n\n"
      for b in s.blocks { m += block(b) }
    }
    return m
  }

  static func block(_ b: ReportBlock) -> String {
    switch b {
    case .heading(let t): return "### \(t)\n\n"
    case .paragraph(let t): return "\(t)\n\n"
    case .list(let items): return items.map { "- \($0)\n" }.joined() + "\n"
    case .preformatted(let t): return "```\n\(t)\n```\n\n"
    case .verdict(let t): return "> **Verdict:** \(t)\n\n"
    case .missing(let t): return "> *\(t)*\n\n"
    case .table(let t):
      var m = "**\(t.caption)**\n\n"
      m += "| " + t.columns.map(cell).joined(separator: " | ") + " |\n"
      m += "|" + t.columns.enumerated().map { $0.offset == 0 ? " --- |" : " ---: |" }.joined() + "\n"
      for row in t.rows { m += "| " + row.map(cell).joined(separator: " | ") + " |\n" }
      m += "\n"
      for n in t.notes { m += "- \(n)\n" }
      if !t.sources.isEmpty { m += "- \(ReportFormat.sources(t.sources))\n" }
      return m + "\n"
    case .figure(let f):
      var m = "![\(f.caption)](\(f.fileName))\n\n*\(f.caption)*\n\n"
      if !f.sources.isEmpty { m += "\(ReportFormat.sources(f.sources))\n\n" }
      return m
    case .images(let images):
      return images.map { "![\($0.caption)](\($0.fileName))  \n*\($0.caption)*\n\n" }.joined()
    }
  }
}
