import Foundation

/// Renders a ``ReportDocument`` as one self-contained HTML page: inline CSS, inline SVG, PNGs as
/// base64 data URIs, no scripts and no network references.
public enum ReportHTML {
  static let style = """
    body { font-family: sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; line-height: 1.4; }
    h1 { border-bottom: 2px solid #444; } h2 { border-bottom: 1px solid #aaa; margin-top: 2em; }
    table { border-collapse: collapse; margin: 0.5em 0; font-size: 0.92em; }
    th, td { border: 1px solid #bbb; padding: 3px 8px; text-align: right; }
    th { background: #eee; } td:first-child, th:first-child { text-align: left; }
    caption { caption-side: top; text-align: left; font-weight: bold; padding: 4px 0; }
    .note { font-size: 0.85em; color: #444; margin: 2px 0; }
    .source { font-size: 0.8em; color: #666; font-family: monospace; word-break: break-all; }
    .verdict { background: #f3f7ff; border-left: 4px solid #1f77b4; padding: 6px 10px; margin: 8px 0; }
    .missing { background: #fff6e6; border-left: 4px solid #e69500; padding: 6px 10px; margin: 8px 0; }
    figure { margin: 1em 0; } figcaption { font-size: 0.85em; color: #444; max-width: 680px; }
    .grids { display: flex; flex-wrap: wrap; gap: 12px; } .grids figure { margin: 0; }
    .grids img { image-rendering: pixelated; width: 200px; border: 1px solid #ccc; }
    pre { background: #f6f6f6; padding: 8px; overflow-x: auto; font-size: 0.85em; }
    nav ul { columns: 2; }
    """

  static func e(_ s: String) -> String { ReportSVG.escape(s) }

  public static func render(_ doc: ReportDocument) -> String {
    var h = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
    h += "<title>\(e(doc.title))</title>\n<style>\n\(style)\n</style>\n</head>\n<body>\n"
    h += "<h1>\(e(doc.title))</h1>\n"
    for line in doc.subtitle { h += "<p class=\"note\">\(e(line))</p>\n" }
    h += "<nav><ul>\n"
    for s in doc.sections { h += "<li><a href=\"#\(e(s.id))\">\(e(s.title))</a></li>\n" }
    h += "</ul></nav>\n"
    for s in doc.sections {
      h += "<section id=\"\(e(s.id))\">\n<h2>\(e(s.title))</h2>\n"
      for b in s.blocks { h += block(b) }
      h += "</section>\n"
    }
    h += "</body>\n</html>\n"
    return h
  }

  static func block(_ b: ReportBlock) -> String {
    switch b {
    case .heading(let t): return "<h3>\(e(t))</h3>\n"
    case .paragraph(let t): return "<p>\(e(t))</p>\n"
    case .list(let items): return "<ul>\n" + items.map { "<li>\(e($0))</li>\n" }.joined() + "</ul>\n"
    case .preformatted(let t): return "<pre>\(e(t))</pre>\n"
    case .verdict(let t): return "<p class=\"verdict\"><strong>Verdict:</strong> \(e(t))</p>\n"
    case .missing(let t): return "<p class=\"missing\">\(e(t))</p>\n"
    case .table(let t):
      var h = "<table>\n<caption>\(e(t.caption))</caption>\n<tr>"
      h += t.columns.map { "<th>\(e($0))</th>" }.joined() + "</tr>\n"
      for row in t.rows { h += "<tr>" + row.map { "<td>\(e($0))</td>" }.joined() + "</tr>\n" }
      h += "</table>\n"
      for n in t.notes { h += "<p class=\"note\">\(e(n))</p>\n" }
      if !t.sources.isEmpty { h += "<p class=\"source\">\(e(ReportFormat.sources(t.sources)))</p>\n" }
      return h
    case .figure(let fig):
      var h = "<figure>\n\(fig.svg)\n<figcaption>\(e(fig.caption))</figcaption>\n"
      if !fig.sources.isEmpty { h += "<p class=\"source\">\(e(ReportFormat.sources(fig.sources)))</p>\n" }
      return h + "</figure>\n"
    case .images(let images):
      var h = "<div class=\"grids\">\n"
      for img in images {
        h += "<figure><img alt=\"\(e(img.caption))\" src=\"data:image/png;base64,\(img.png.base64EncodedString())\">"
        h += "<figcaption>\(e(img.caption))</figcaption></figure>\n"
      }
      return h + "</div>\n"
    }
  }
}
