import Foundation

/// One line of a line chart: points with optional error bars (± `errors[i]`).
public struct ChartSeries: Sendable {
  public var name: String
  public var x: [Double]
  public var y: [Double]
  /// Half-heights of error bars (empty for none).
  public var errors: [Double]
  /// Dashed lines mark the paper's numbers.
  public var dashed: Bool
  /// Draw markers at the points.
  public var markers: Bool

  public init(name: String, x: [Double], y: [Double], errors: [Double] = [], dashed: Bool = false, markers: Bool = true)
  {
    self.name = name
    self.x = x
    self.y = y
    self.errors = errors
    self.dashed = dashed
    self.markers = markers
  }
}

/// Charts as inline SVG markup (no external assets, no scripts). The markup has no XML namespace so
/// it can be pasted into HTML; `ReportSVG.standalone` adds it for `.svg` files.
public enum ReportSVG {
  static let palette = [
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22",
  ]
  static let width = 720.0
  static let height = 360.0
  static let margin = (left: 70.0, right: 220.0, top: 30.0, bottom: 50.0)

  /// Adds the SVG namespace for a standalone `.svg` file.
  public static func standalone(_ svg: String) -> String {
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      + svg.replacingOccurrences(
        of: "<svg ", with: "<svg xmlns=\"" + "http" + "://www.w3.org/2000/svg\" ", options: .anchored)
  }

  /// Escapes text for XML and HTML.
  public static func escape(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.count)
    for c in text {
      switch c {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      default: out.append(c)
      }
    }
    return out
  }

  static func f(_ v: Double) -> String { String(format: "%.1f", v) }

  /// About `count` round tick values covering [low, high].
  static func ticks(_ low: Double, _ high: Double, count: Int = 5) -> [Double] {
    guard high > low, low.isFinite, high.isFinite else { return [low] }
    let raw = (high - low) / Double(count)
    let magnitude = pow(10, floor(log10(raw)))
    let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
    var values: [Double] = []
    var v = ceil(low / step) * step
    while v <= high + step * 1e-9 {
      values.append(abs(v) < step * 1e-9 ? 0 : v)
      v += step
    }
    return values
  }

  static func tickLabel(_ v: Double) -> String {
    if v == 0 { return "0" }
    let a = abs(v)
    if a >= 10000 || a < 0.001 { return String(format: "%.2g", v) }
    if a >= 100 { return String(format: "%.0f", v) }
    return String(format: "%.4f", v).replacingOccurrences(of: #"\.?0+$"#, with: "", options: .regularExpression)
  }

  /// Tick labels with as many decimals as the spacing of `values` needs.
  static func tickLabels(_ values: [Double]) -> [(Double, String)] {
    guard values.count > 1 else { return values.map { ($0, tickLabel($0)) } }
    let step = abs(values[1] - values[0])
    let magnitude = max(values.map(abs).max() ?? 0, step)
    if magnitude >= 10000 || step < 1e-6 { return values.map { ($0, String(format: "%.3g", $0)) } }
    var digits = max(0, Int(-floor(log10(step))))
    if abs((step * pow(10, Double(digits))).rounded() - step * pow(10, Double(digits))) > 1e-6 { digits += 1 }
    return values.map { ($0, abs($0) < step * 1e-6 ? "0" : String(format: "%.\(min(digits, 6))f", $0)) }
  }

  /// Padded [low, high] of finite values (a unit range around a single value).
  static func range(_ values: [Double], pad: Double = 0.05) -> (Double, Double) {
    let finite = values.filter(\.isFinite)
    guard let lo = finite.min(), let hi = finite.max() else { return (0, 1) }
    if hi - lo < 1e-12 { return (lo - max(abs(lo) * 0.1, 0.5), hi + max(abs(hi) * 0.1, 0.5)) }
    let p = (hi - lo) * pad
    return (lo - p, hi + p)
  }

  /// Frame, grid, ticks and axis labels; returns the markup and the data-to-pixel maps.
  static func axes(
    title: String, xLabel: String, yLabel: String, xRange: (Double, Double), yRange: (Double, Double),
    xTickLabels: [(Double, String)]? = nil
  ) -> (String, (Double) -> Double, (Double) -> Double) {
    let (x0, x1) = (margin.left, width - margin.right)
    let (y0, y1) = (height - margin.bottom, margin.top)
    let sx = { (v: Double) in x0 + (v - xRange.0) / (xRange.1 - xRange.0) * (x1 - x0) }
    let sy = { (v: Double) in y0 - (v - yRange.0) / (yRange.1 - yRange.0) * (y0 - y1) }
    var s =
      "<rect x=\"\(f(x0))\" y=\"\(f(y1))\" width=\"\(f(x1 - x0))\" height=\"\(f(y0 - y1))\" fill=\"white\" stroke=\"#444\"/>\n"
    for (t, label) in tickLabels(ticks(yRange.0, yRange.1)) {
      let y = sy(t)
      s += "<line x1=\"\(f(x0))\" y1=\"\(f(y))\" x2=\"\(f(x1))\" y2=\"\(f(y))\" stroke=\"#e4e4e4\"/>"
      s += "<text x=\"\(f(x0 - 6))\" y=\"\(f(y + 4))\" text-anchor=\"end\" font-size=\"11\">\(escape(label))</text>\n"
    }
    let xt = xTickLabels ?? tickLabels(ticks(xRange.0, xRange.1, count: 6))
    for (t, label) in xt {
      let x = sx(t)
      s += "<line x1=\"\(f(x))\" y1=\"\(f(y0))\" x2=\"\(f(x))\" y2=\"\(f(y0 + 5))\" stroke=\"#444\"/>"
      s += "<text x=\"\(f(x))\" y=\"\(f(y0 + 18))\" text-anchor=\"middle\" font-size=\"11\">\(escape(label))</text>\n"
    }
    s +=
      "<text x=\"\(f((x0 + x1) / 2))\" y=\"\(f(height - 10))\" text-anchor=\"middle\" font-size=\"12\">\(escape(xLabel))</text>\n"
    s +=
      "<text transform=\"translate(16,\(f((y0 + y1) / 2))) rotate(-90)\" text-anchor=\"middle\" font-size=\"12\">\(escape(yLabel))</text>\n"
    s +=
      "<text x=\"\(f((x0 + x1) / 2))\" y=\"18\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"bold\">\(escape(title))</text>\n"
    return (s, sx, sy)
  }

  static func legend(_ entries: [(name: String, color: String, dashed: Bool)]) -> String {
    var s = ""
    let x = width - margin.right + 12
    for (i, e) in entries.enumerated() {
      let y = margin.top + 8 + Double(i) * 18
      let dash = e.dashed ? " stroke-dasharray=\"5,3\"" : ""
      s +=
        "<line x1=\"\(f(x))\" y1=\"\(f(y))\" x2=\"\(f(x + 22))\" y2=\"\(f(y))\" stroke=\"\(e.color)\" stroke-width=\"2.5\"\(dash)/>"
      let name = e.name.count > 30 ? String(e.name.prefix(29)) + "…" : e.name
      s +=
        "<text x=\"\(f(x + 28))\" y=\"\(f(y + 4))\" font-size=\"11\">\(escape(name))<title>\(escape(e.name))</title></text>\n"
    }
    return s
  }

  static func wrap(_ body: String) -> String {
    "<svg width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" "
      + "font-family=\"sans-serif\" role=\"img\">\n" + body + "</svg>"
  }

  /// A line chart of several series, with error bars where a series has them.
  public static func lineChart(
    title: String, xLabel: String, yLabel: String, series: [ChartSeries], xTickLabels: [(Double, String)]? = nil
  ) -> String {
    let xs = series.flatMap(\.x)
    var ys: [Double] = []
    for s in series {
      for (i, y) in s.y.enumerated() {
        let e = i < s.errors.count && s.errors[i].isFinite ? s.errors[i] : 0
        ys += [y - e, y + e]
      }
    }
    let xr = range(xs, pad: 0.03)
    let yr = range(ys, pad: 0.08)
    var (body, sx, sy) = axes(
      title: title, xLabel: xLabel, yLabel: yLabel, xRange: xr, yRange: yr, xTickLabels: xTickLabels)
    var entries: [(String, String, Bool)] = []
    for (k, s) in series.enumerated() {
      let color = palette[k % palette.count]
      entries.append((s.name, color, s.dashed))
      let pts = zip(s.x, s.y).filter { $0.0.isFinite && $0.1.isFinite }
      guard !pts.isEmpty else { continue }
      let path = pts.map { "\(f(sx($0.0))),\(f(sy($0.1)))" }.joined(separator: " ")
      let dash = s.dashed ? " stroke-dasharray=\"6,4\"" : ""
      body += "<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"\(dash)/>\n"
      for (i, (x, y)) in zip(s.x, s.y).enumerated() where x.isFinite && y.isFinite {
        if i < s.errors.count, s.errors[i].isFinite, s.errors[i] > 0 {
          let (px, lo, hi) = (sx(x), sy(y - s.errors[i]), sy(y + s.errors[i]))
          body += "<line x1=\"\(f(px))\" y1=\"\(f(lo))\" x2=\"\(f(px))\" y2=\"\(f(hi))\" stroke=\"\(color)\"/>"
          body += "<line x1=\"\(f(px - 4))\" y1=\"\(f(lo))\" x2=\"\(f(px + 4))\" y2=\"\(f(lo))\" stroke=\"\(color)\"/>"
          body +=
            "<line x1=\"\(f(px - 4))\" y1=\"\(f(hi))\" x2=\"\(f(px + 4))\" y2=\"\(f(hi))\" stroke=\"\(color)\"/>\n"
        }
        if s.markers {
          body += "<circle cx=\"\(f(sx(x)))\" cy=\"\(f(sy(y)))\" r=\"3\" fill=\"\(color)\"/>"
        }
      }
      body += "\n"
    }
    body += legend(entries)
    return wrap(body)
  }

  /// A grouped bar chart: one group per category, one bar per series, optional error bars.
  public static func barChart(
    title: String, yLabel: String, categories: [String], series: [(name: String, values: [Double], errors: [Double])]
  ) -> String {
    let all = series.flatMap { s in
      s.values.enumerated().flatMap { i, v in [v + (i < s.errors.count ? s.errors[i] : 0)] }
    }
    let hi = (all.filter(\.isFinite).max() ?? 1) * 1.08
    let yr = (0.0, hi > 0 ? hi : 1)
    let n = max(categories.count, 1)
    let labels = categories.enumerated().map { (Double($0.offset) + 0.5, $0.element) }
    var (body, sx, sy) = axes(
      title: title, xLabel: "", yLabel: yLabel, xRange: (0, Double(n)), yRange: yr,
      xTickLabels: categories.count <= 12 ? labels : labels.enumerated().filter { $0.offset % 2 == 0 }.map(\.element))
    let groupWidth = (sx(1) - sx(0)) * 0.8
    let barWidth = groupWidth / Double(max(series.count, 1))
    for (k, s) in series.enumerated() {
      let color = palette[k % palette.count]
      for (i, v) in s.values.enumerated() where v.isFinite && i < n {
        let x = sx(Double(i)) + (sx(1) - sx(0)) * 0.1 + Double(k) * barWidth
        let top = sy(max(v, 0))
        body +=
          "<rect x=\"\(f(x))\" y=\"\(f(top))\" width=\"\(f(barWidth * 0.92))\" height=\"\(f(sy(0) - top))\" fill=\"\(color)\">"
        body += "<title>\(escape(s.name)) \(escape(categories[i])): \(escape(tickLabel(v)))</title></rect>"
        if i < s.errors.count, s.errors[i].isFinite, s.errors[i] > 0 {
          let cx = x + barWidth * 0.46
          body +=
            "<line x1=\"\(f(cx))\" y1=\"\(f(sy(v - s.errors[i])))\" x2=\"\(f(cx))\" y2=\"\(f(sy(v + s.errors[i])))\" stroke=\"#222\"/>"
        }
      }
      body += "\n"
    }
    body += legend(series.enumerated().map { ($0.element.name, palette[$0.offset % palette.count], false) })
    return wrap(body)
  }

  /// A schedule picture: the controller's action probabilities over the steps of one training run as
  /// stacked areas, with the realized share of each action (window average) drawn as a line on top.
  ///
  /// - Parameters:
  ///   - probabilities: `T × K`, row-major.
  ///   - actions: the sampled action of each step (`T` values; negative values are ignored).
  public static func schedulePicture(
    title: String, probabilities: [Float], actions: [Int32], actionNames: [String], maxPoints: Int = 400
  ) -> String {
    let k = max(actionNames.count, 1)
    let t = probabilities.count / k
    let buckets = max(1, min(maxPoints, t))
    let per = Double(max(t, 1)) / Double(buckets)
    var mean = [[Double]](repeating: [Double](repeating: 0, count: k), count: buckets)
    var realized = [[Double]](repeating: [Double](repeating: 0, count: k), count: buckets)
    var xs: [Double] = []
    for b in 0..<buckets {
      let lo = Int(Double(b) * per)
      let hi = max(lo + 1, min(t, Int(Double(b + 1) * per)))
      var counted = 0.0
      for step in lo..<hi where step < t {
        for a in 0..<k { mean[b][a] += Double(probabilities[step * k + a]) }
        if step < actions.count, actions[step] >= 0, Int(actions[step]) < k {
          realized[b][Int(actions[step])] += 1
          counted += 1
        }
      }
      let count = Double(max(hi - lo, 1))
      for a in 0..<k {
        mean[b][a] /= count
        realized[b][a] = counted > 0 ? realized[b][a] / counted : .nan
      }
      xs.append(Double(lo + hi) / 2)
    }
    var (body, sx, sy) = axes(
      title: title, xLabel: "training step", yLabel: "probability", xRange: (0, Double(max(t, 1))), yRange: (0, 1))
    var lower = [Double](repeating: 0, count: buckets)
    var entries: [(String, String, Bool)] = []
    for a in 0..<k {
      let color = palette[a % palette.count]
      let upper = (0..<buckets).map { lower[$0] + mean[$0][a] }
      let top = (0..<buckets).map { "\(f(sx(xs[$0]))),\(f(sy(min(upper[$0], 1))))" }
      let bottom = (0..<buckets).reversed().map { "\(f(sx(xs[$0]))),\(f(sy(lower[$0])))" }
      body +=
        "<polygon points=\"\((top + bottom).joined(separator: " "))\" fill=\"\(color)\" fill-opacity=\"0.35\" stroke=\"none\"/>\n"
      entries.append(("P(\(actionNames[a]))", color, false))
      lower = upper
    }
    // Realized share of the last action (for 2 actions: the share of the second one), smoothed.
    if k >= 2 {
      let a = k - 1
      let window = max(1, buckets / 40)
      var line: [String] = []
      for b in 0..<buckets {
        let part = (max(0, b - window)...min(buckets - 1, b + window)).map { realized[$0][a] }.filter(\.isFinite)
        guard !part.isEmpty else { continue }
        let v = part.reduce(0, +) / Double(part.count)
        // Drawn in the coordinates of the stacked areas: the share of action a measured from the top.
        line.append("\(f(sx(xs[b]))),\(f(sy(1 - v)))")
      }
      if !line.isEmpty {
        body +=
          "<polyline points=\"\(line.joined(separator: " "))\" fill=\"none\" stroke=\"#222\" stroke-width=\"1.5\"/>\n"
        entries.append(("realized \(actionNames[a]) share", "#222", false))
      }
    }
    body += legend(entries)
    return wrap(body)
  }
}
