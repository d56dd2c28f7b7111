import Foundation
import Store

/// A table of the report: a caption, column headers, rows of cell text and notes printed under it.
public struct ReportTable: Sendable {
  public var caption: String
  public var columns: [String]
  public var rows: [[String]]
  /// Notes printed under the table (deviations, tuned values, explanations).
  public var notes: [String]
  /// The artifacts the numbers come from.
  public var sources: [ResolvedArtifact]

  public init(
    caption: String, columns: [String], rows: [[String]], notes: [String] = [], sources: [ResolvedArtifact] = []
  ) {
    self.caption = caption
    self.columns = columns
    self.rows = rows
    self.notes = notes
    self.sources = sources
  }
}

/// A chart of the report: inline SVG in HTML, a `.svg` file beside `report.md`.
public struct ReportFigure: Sendable {
  /// The file name used beside `report.md`, e.g. `figure1-regression.svg`.
  public var fileName: String
  /// SVG markup without the XML namespace (added when saved as a file).
  public var svg: String
  public var caption: String
  public var sources: [ResolvedArtifact]

  public init(fileName: String, svg: String, caption: String, sources: [ResolvedArtifact] = []) {
    self.fileName = fileName
    self.svg = svg
    self.caption = caption
    self.sources = sources
  }
}

/// A PNG image (a sample grid): embedded as a data URI in HTML, copied beside `report.md`.
public struct ReportImage: Sendable {
  public var fileName: String
  public var png: Data
  public var caption: String

  public init(fileName: String, png: Data, caption: String) {
    self.fileName = fileName
    self.png = png
    self.caption = caption
  }
}

/// One piece of a report section.
public enum ReportBlock: Sendable {
  case heading(String)
  case paragraph(String)
  case list([String])
  case table(ReportTable)
  case figure(ReportFigure)
  case images([ReportImage])
  /// Preformatted text (e.g. a stage's own summary).
  case preformatted(String)
  /// A verdict line, rendered prominently.
  case verdict(String)
  /// A part of the report whose artifacts are absent: "not run in this pipeline: no artifact at …".
  case missing(String)
}

/// A top-level section of the report.
public struct ReportSection: Sendable {
  public var id: String
  public var title: String
  public var blocks: [ReportBlock]

  public init(id: String, title: String, blocks: [ReportBlock] = []) {
    self.id = id
    self.title = title
    self.blocks = blocks
  }

  public mutating func add(_ block: ReportBlock) { blocks.append(block) }
}

/// The whole report, rendered to HTML and Markdown from the same blocks.
public struct ReportDocument: Sendable {
  public var title: String
  public var subtitle: [String]
  public var sections: [ReportSection]

  public init(title: String, subtitle: [String] = [], sections: [ReportSection] = []) {
    self.title = title
    self.subtitle = subtitle
    self.sections = sections
  }

  /// Every figure of the document (for saving `.svg` files).
  public var figures: [ReportFigure] {
    sections.flatMap { $0.blocks }.compactMap { if case .figure(let f) = $0 { return f } else { return nil } }
  }

  /// Every image of the document (for copying PNGs).
  public var images: [ReportImage] {
    sections.flatMap { $0.blocks }.flatMap { block -> [ReportImage] in
      if case .images(let list) = block { return list } else { return [] }
    }
  }
}

/// Number formatting shared by the report sections.
enum ReportFormat {
  /// "0.0712", or "n/a" for NaN / infinity.
  static func number(_ value: Double, digits: Int = 4) -> String {
    value.isFinite ? String(format: "%.\(digits)f", value) : "n/a"
  }

  static func number(_ value: Float, digits: Int = 4) -> String { number(Double(value), digits: digits) }

  /// "0.0712 ± 0.0031".
  static func meanStd(_ mean: Double, _ std: Double, digits: Int = 4) -> String {
    guard mean.isFinite else { return "n/a" }
    return number(mean, digits: digits) + " ± " + number(std, digits: digits)
  }

  /// "+0.0123" with an explicit sign.
  static func signed(_ value: Double, digits: Int = 4) -> String {
    value.isFinite ? String(format: "%+.\(digits)f", value) : "n/a"
  }

  /// "/tmp/a/controllers/regression/v0001.h5 (v0001, sha256 1a2b3c4d5e6f)".
  static func source(_ a: ResolvedArtifact) -> String {
    let version = a.version > 0 ? "v" + String(format: "%04d", a.version) + ", " : ""
    return "\(a.path) (\(version)sha256 \(a.sha256.prefix(12)))"
  }

  static func sources(_ list: [ResolvedArtifact]) -> String {
    "Source: " + list.map(source).joined(separator: "; ")
  }
}
