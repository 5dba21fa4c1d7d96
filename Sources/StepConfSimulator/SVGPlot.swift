import Foundation

/// A small SVG chart: linear axes with round ticks (x may be logarithmic, ticks at decades), lines, markers, boxes, bars, reference lines and a
/// legend. Series are told apart by lightness, dash pattern and marker shape as well as hue, so the
/// figures survive grey printing.
public struct SVGPlot {
    /// How one series is drawn.
    public struct Style: Sendable {
        public var color: String
        public var dash: String
        public var marker: Marker

        public init(color: String, dash: String = "", marker: Marker = .circle) {
            self.color = color
            self.dash = dash
            self.marker = marker
        }
    }

    public enum Marker: Sendable { case circle, square, triangle, diamond, cross, plus, none }

    /// Where the legend goes inside the plot area.
    public enum Corner: Sendable { case topLeft, topRight, bottomRight, outside }

    /// The legend's corner.
    public var legendCorner: Corner = .topLeft

    /// Whether x is drawn on a log₁₀ scale (its range must be positive; see ``init(title:xLabel:yLabel:logX:y:width:height:)``).
    public private(set) var xLogarithmic = false
    /// How an x tick is labelled (default: a short number).
    public var xTickLabel: @Sendable (Double) -> String = { SVGPlot.label($0) }

    /// Ten styles from dark to light, each with its own dash and marker.
    public static let palette: [Style] = [
        Style(color: "#1b1b6f", dash: "", marker: .circle),
        Style(color: "#b2182b", dash: "6 3", marker: .square),
        Style(color: "#4d4d4d", dash: "2 2", marker: .triangle),
        Style(color: "#2166ac", dash: "8 3 2 3", marker: .diamond),
        Style(color: "#1a9850", dash: "4 4", marker: .cross),
        Style(color: "#d6604d", dash: "1 3", marker: .plus),
        Style(color: "#8c6d1f", dash: "10 2", marker: .none),
        Style(color: "#762a83", dash: "3 1", marker: .square),
        Style(color: "#01665e", dash: "12 4", marker: .triangle),
        Style(color: "#e08214", dash: "", marker: .diamond),
    ]

    public var width: Double
    public var height: Double
    public var title: String
    public var xLabel: String
    public var yLabel: String
    var x: ClosedRange<Double>
    var y: ClosedRange<Double>
    /// Category names for a categorical x axis (boxes, bars); nil for a numeric one.
    var categories: [String]?
    var body: [String] = []
    /// Legend entries: name, style, whether the marker shows, whether it is hollow (a point that missed).
    var legend: [(String, Style, Bool, Bool)] = []
    let left = 64.0, right = 16.0, top = 30.0, bottom = 52.0

    /// A chart over numeric ranges (padded to round ticks).
    public init(title: String, xLabel: String, yLabel: String, x: ClosedRange<Double>, y: ClosedRange<Double>,
                width: Double = 560, height: Double = 320) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.width = width
        self.height = height
        self.x = Self.padded(x)
        self.y = Self.padded(y)
    }

    /// A chart whose x axis is logarithmic over `logX` (widened to whole decades; a non-positive or non-finite end
    /// becomes 10⁻⁶ … 1), with a tick and a grid line at each decade.
    public init(title: String, xLabel: String, yLabel: String, logX: ClosedRange<Double>, y: ClosedRange<Double>,
                width: Double = 560, height: Double = 320) {
        self.init(title: title, xLabel: xLabel, yLabel: yLabel, x: 0...1, y: y, width: width, height: height)
        // Ends kept to 10⁻³⁰⁰ … 10³⁰⁰, so that every decade's power of ten is a normal number.
        let ok = { (v: Double) in v.isFinite && v > 0 }
        let low = min(max(ok(logX.lowerBound) ? logX.lowerBound : 1e-6, 1e-300), 1e299)
        let high = min(ok(logX.upperBound) ? max(logX.upperBound, low) : max(1, low), 1e300)
        var decades = floor(log10(low))...ceil(log10(high))
        if decades.upperBound - decades.lowerBound < 1 { decades = decades.lowerBound...(decades.lowerBound + 1) }
        x = pow(10, decades.lowerBound)...pow(10, decades.upperBound)
        xLogarithmic = true
    }

    /// A chart with one slot per category along x.
    public init(title: String, categories: [String], yLabel: String, y: ClosedRange<Double>,
                width: Double = 560, height: Double = 320) {
        self.init(title: title, xLabel: "", yLabel: yLabel, x: -0.5...(Double(categories.count) - 0.5), y: y,
                  width: width, height: height)
        self.x = -0.5...(Double(categories.count) - 0.5)
        self.categories = categories
    }

    /// The range from `a` to `b` whatever they are: ordered, non-finite ends replaced, never empty — a plot of
    /// degenerate data is drawn, not trapped.
    public static func span(_ a: Double, _ b: Double) -> ClosedRange<Double> {
        let low = a.isFinite ? a : 0
        let high = b.isFinite ? b : low + 1
        return padded(min(low, high)...max(low, high))
    }

    static func padded(_ r: ClosedRange<Double>) -> ClosedRange<Double> {
        guard r.lowerBound.isFinite, r.upperBound.isFinite else { return 0...1 }
        if r.upperBound - r.lowerBound < 1e-12 {
            let pad = max(abs(r.lowerBound) * 0.1, 1e-9)
            return (r.lowerBound - pad)...(r.upperBound + pad)
        }
        return r
    }

    func px(_ v: Double) -> Double {
        guard xLogarithmic else { return left + (v - x.lowerBound) / (x.upperBound - x.lowerBound) * (width - left - right) }
        // A value at or below 0 is drawn at the axis' left end.
        let low = log10(x.lowerBound), high = log10(x.upperBound)
        let at = v > 0 ? min(max(log10(v), low), high) : low
        return left + (at - low) / (high - low) * (width - left - right)
    }

    /// The x ticks: round values, or the decades of a logarithmic axis.
    var xTicks: [Double] {
        guard xLogarithmic else { return Self.ticks(x) }
        let low = Int(log10(x.lowerBound).rounded()), high = Int(log10(x.upperBound).rounded())
        return (low...max(low, high)).map { pow(10, Double($0)) }
    }
    func py(_ v: Double) -> Double { height - bottom - (v - y.lowerBound) / (y.upperBound - y.lowerBound) * (height - top - bottom) }

    /// Round tick values covering `range`: steps of 1, 2 or 5 × 10ⁿ.
    public static func ticks(_ range: ClosedRange<Double>, count: Int = 6) -> [Double] {
        let span = range.upperBound - range.lowerBound
        guard span > 0, span.isFinite else { return [range.lowerBound] }
        let raw = span / Double(max(count, 2))
        let magnitude = pow(10, floor(log10(raw)))
        // The round step whose tick count is closest to the one asked for.
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.min { a, b in
            abs(span / a - Double(count)) < abs(span / b - Double(count))
        }!
        let first = ceil(range.lowerBound / step - 1e-9)
        var values: [Double] = []
        var k = 0.0
        while (first + k) * step <= range.upperBound + step * 1e-9 {
            // Multiples of the step, rounded so that 3 × 0.2 prints as 0.6.
            let v = ((first + k) * step / step).rounded() * step
            let rounded = (v * 1e12).rounded() / 1e12
            values.append(rounded.isFinite ? rounded : v)
            k += 1
        }
        return values
    }

    static func label(_ v: Double) -> String {
        if v == 0 { return "0" }
        let a = abs(v)
        if a >= 1000 || a < 0.001 { return String(format: "%.1e", v) }
        if a >= 100 { return String(format: "%.0f", v) }
        if a >= 10 { return String(format: "%.1f", v).replacingOccurrences(of: ".0", with: "") }
        var text = String(format: "%.3f", v)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    func marker(_ m: Marker, _ cx: Double, _ cy: Double, _ color: String, hollow: Bool = false) -> String {
        let r = hollow ? 4.5 : 3.5
        // A hollow marker: white inside, the series' colour around (a point that missed).
        let paint = hollow ? "fill=\"#fff\" stroke=\"\(color)\" stroke-width=\"1.8\"" : "fill=\"\(color)\""
        switch m {
        case .circle: return "<circle cx=\"\(f(cx))\" cy=\"\(f(cy))\" r=\"\(r)\" \(paint)/>"
        case .square: return "<rect x=\"\(f(cx - r))\" y=\"\(f(cy - r))\" width=\"\(f(2 * r))\" height=\"\(f(2 * r))\" \(paint)/>"
        case .triangle:
            return "<polygon points=\"\(f(cx)),\(f(cy - r - 1)) \(f(cx - r - 1)),\(f(cy + r)) \(f(cx + r + 1)),\(f(cy + r))\" \(paint)/>"
        case .diamond:
            return "<polygon points=\"\(f(cx)),\(f(cy - r - 1)) \(f(cx + r + 1)),\(f(cy)) \(f(cx)),\(f(cy + r + 1)) \(f(cx - r - 1)),\(f(cy))\" \(paint)/>"
        case .cross:
            return "<path d=\"M\(f(cx - r)),\(f(cy - r))L\(f(cx + r)),\(f(cy + r))M\(f(cx - r)),\(f(cy + r))L\(f(cx + r)),\(f(cy - r))\" stroke=\"\(color)\" stroke-width=\"2\"/>"
        case .plus:
            return "<path d=\"M\(f(cx - r)),\(f(cy))L\(f(cx + r)),\(f(cy))M\(f(cx)),\(f(cy - r))L\(f(cx)),\(f(cy + r))\" stroke=\"\(color)\" stroke-width=\"2\"/>"
        case .none: return ""
        }
    }

    func f(_ v: Double) -> String { String(format: "%.1f", v) }

    /// A polyline through `points` (x, y), with markers unless `steps` draws a staircase (CDFs).
    public mutating func line(_ name: String, _ points: [(Double, Double)], style: Style, markers: Bool = true, steps: Bool = false) {
        // A point that is not a number (a ratio to nothing, an attainment of no requests) is not drawn.
        let points = points.filter { $0.0.isFinite && $0.1.isFinite }
        guard !points.isEmpty else { return }
        var d = "M\(f(px(points[0].0))),\(f(py(points[0].1)))"
        for k in 1..<max(points.count, 1) where k < points.count {
            if steps { d += "H\(f(px(points[k].0)))" }
            d += "L\(f(px(points[k].0))),\(f(py(points[k].1)))"
        }
        let dash = style.dash.isEmpty ? "" : " stroke-dasharray=\"\(style.dash)\""
        body.append("<path d=\"\(d)\" fill=\"none\" stroke=\"\(style.color)\" stroke-width=\"2\"\(dash)/>")
        if markers { for p in points { body.append(marker(style.marker, px(p.0), py(p.1), style.color)) } }
        legend.append((name, style, markers, false))
    }

    /// Hollow markers over `points` (x, y) of a series already drawn in `style`: the points that missed their target.
    /// The legend gets one entry saying so (`label`), the first time.
    public mutating func missed(_ points: [(Double, Double)], style: Style, label: String) {
        let points = points.filter { $0.0.isFinite && $0.1.isFinite }
        guard !points.isEmpty else { return }
        // A marker that draws no outline (a cross, a plus, none) is circled instead.
        let shape: Marker = [.cross, .plus, .none].contains(style.marker) ? .circle : style.marker
        for p in points { body.append(marker(shape, px(p.0), py(p.1), style.color, hollow: true)) }
        if !legend.contains(where: { $0.3 }) { legend.append((label, Style(color: "#000", dash: "", marker: .circle), true, true)) }
    }

    /// Markers at `points` (x, y), unconnected (a scatter).
    public mutating func points(_ name: String, _ points: [(Double, Double)], style: Style) {
        let points = points.filter { $0.0.isFinite && $0.1.isFinite }
        guard !points.isEmpty else { return }
        for p in points { body.append(marker(style.marker, px(p.0), py(p.1), style.color)) }
        legend.append((name, Style(color: style.color, dash: "", marker: style.marker), true, false))
    }

    /// A box (quartiles, median, whiskers at p5 and p95) in category slot `slot`.
    public mutating func box(slot: Int, p5: Double, q1: Double, median: Double, q3: Double, p95: Double, style: Style) {
        guard [p5, q1, median, q3, p95].allSatisfy(\.isFinite) else { return }
        let cx = px(Double(slot))
        let w = (width - left - right) / Double(max(categories?.count ?? 1, 1)) * 0.5
        let c = style.color
        body.append("<line x1=\"\(f(cx))\" x2=\"\(f(cx))\" y1=\"\(f(py(p5)))\" y2=\"\(f(py(p95)))\" stroke=\"\(c)\"/>")
        for v in [p5, p95] {
            body.append("<line x1=\"\(f(cx - w / 4))\" x2=\"\(f(cx + w / 4))\" y1=\"\(f(py(v)))\" y2=\"\(f(py(v)))\" stroke=\"\(c)\"/>")
        }
        body.append(
            "<rect x=\"\(f(cx - w / 2))\" y=\"\(f(py(q3)))\" width=\"\(f(w))\" height=\"\(f(max(py(q1) - py(q3), 1)))\" "
                + "fill=\"\(c)\" fill-opacity=\"0.25\" stroke=\"\(c)\" stroke-width=\"1.5\"/>")
        body.append("<line x1=\"\(f(cx - w / 2))\" x2=\"\(f(cx + w / 2))\" y1=\"\(f(py(median)))\" y2=\"\(f(py(median)))\" stroke=\"\(c)\" stroke-width=\"2.5\"/>")
    }

    /// A bar from 0 to `value` in category slot `slot`, with its value printed above (or below; inside
    /// when the bar reaches the top of the chart).
    public mutating func bar(slot: Int, value: Double, style: Style, text: String) {
        guard value.isFinite else { return }
        let cx = px(Double(slot))
        let w = (width - left - right) / Double(max(categories?.count ?? 1, 1)) * 0.6
        let y0 = py(max(min(0, y.upperBound), y.lowerBound))
        let y1 = py(value)
        body.append(
            "<rect x=\"\(f(cx - w / 2))\" y=\"\(f(min(y0, y1)))\" width=\"\(f(w))\" height=\"\(f(abs(y1 - y0)))\" fill=\"\(style.color)\" "
                + "fill-opacity=\"0.8\" stroke=\"#000\" stroke-width=\"0.5\"/>")
        let inside = value >= y.upperBound - 1e-12
        let ty = inside ? y1 + 14 : (value >= 0 ? y1 - 4 : y1 + 12)
        let fill = inside ? "#fff" : "#000"
        body.append("<text x=\"\(f(cx))\" y=\"\(f(ty))\" text-anchor=\"middle\" font-size=\"11\" fill=\"\(fill)\">\(Self.escape(text))</text>")
    }

    /// A labelled reference line across the chart at y (horizontal) or x (vertical).
    /// - Parameter leftOfLine: put a vertical line's label on its left (else on its right where it fits).
    public mutating func reference(x value: Double? = nil, y yValue: Double? = nil, label: String, leftOfLine: Bool = false) {
        let value = value.flatMap { $0.isFinite ? $0 : nil }
        let yValue = yValue.flatMap { $0.isFinite ? $0 : nil }
        if let value {
            let xx = px(value)
            body.append("<line x1=\"\(f(xx))\" x2=\"\(f(xx))\" y1=\"\(f(top))\" y2=\"\(f(height - bottom))\" stroke=\"#000\" stroke-dasharray=\"3 3\"/>")
            // The label on the side of the line with room for it (it must not run into an outside legend).
            let fits = !leftOfLine && xx + 4 + 6.2 * Double(label.count) <= width - right
            body.append(
                "<text x=\"\(f(fits ? xx + 4 : xx - 4))\" y=\"\(f(top + 12))\" text-anchor=\"\(fits ? "start" : "end")\" font-size=\"11\">"
                    + "\(Self.escape(label))</text>")
        }
        if let yValue {
            let yy = py(yValue)
            body.append("<line x1=\"\(f(left))\" x2=\"\(f(width - right))\" y1=\"\(f(yy))\" y2=\"\(f(yy))\" stroke=\"#000\" stroke-dasharray=\"3 3\"/>")
            body.append("<text x=\"\(f(width - right - 4))\" y=\"\(f(yy - 4))\" text-anchor=\"end\" font-size=\"11\">\(Self.escape(label))</text>")
        }
    }

    /// The finished `<svg>` element.
    public func render() -> String {
        let legendWidth = 40 + 6.2 * Double(legend.map(\.0.count).max() ?? 0)
        // Outside, the legend takes a column to the right of the chart: it covers no curve.
        let total = legendCorner == .outside && !legend.isEmpty ? width + legendWidth + 12 : width
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(f(total)) \(f(height))\" width=\"\(f(total))\" "
            + "height=\"\(f(height))\" font-family=\"Helvetica, Arial, sans-serif\" role=\"img\" aria-label=\"\(Self.escape(title))\">"
        out += "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>"
        out += "<text x=\"\(f(width / 2))\" y=\"18\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\">\(Self.escape(title))</text>"
        // Axes, grid and ticks.
        for t in Self.ticks(y) {
            let yy = py(t)
            out += "<line x1=\"\(f(left))\" x2=\"\(f(width - right))\" y1=\"\(f(yy))\" y2=\"\(f(yy))\" stroke=\"#ddd\"/>"
            out += "<text x=\"\(f(left - 6))\" y=\"\(f(yy + 4))\" text-anchor=\"end\" font-size=\"11\">\(Self.label(t))</text>"
        }
        if let categories {
            for (k, name) in categories.enumerated() {
                out += "<text x=\"\(f(px(Double(k))))\" y=\"\(f(height - bottom + 16))\" text-anchor=\"middle\" font-size=\"11\">\(Self.escape(name))</text>"
            }
        } else {
            for t in xTicks {
                let xx = px(t)
                if xLogarithmic { out += "<line x1=\"\(f(xx))\" x2=\"\(f(xx))\" y1=\"\(f(top))\" y2=\"\(f(height - bottom))\" stroke=\"#eee\"/>" }
                out += "<line x1=\"\(f(xx))\" x2=\"\(f(xx))\" y1=\"\(f(height - bottom))\" y2=\"\(f(height - bottom + 4))\" stroke=\"#000\"/>"
                out += "<text x=\"\(f(xx))\" y=\"\(f(height - bottom + 16))\" text-anchor=\"middle\" font-size=\"11\">\(Self.escape(xTickLabel(t)))</text>"
            }
        }
        out += "<line x1=\"\(f(left))\" x2=\"\(f(width - right))\" y1=\"\(f(height - bottom))\" y2=\"\(f(height - bottom))\" stroke=\"#000\"/>"
        out += "<line x1=\"\(f(left))\" x2=\"\(f(left))\" y1=\"\(f(top))\" y2=\"\(f(height - bottom))\" stroke=\"#000\"/>"
        out += "<text x=\"\(f((left + width - right) / 2))\" y=\"\(f(height - 8))\" text-anchor=\"middle\" font-size=\"12\">\(Self.escape(xLabel))</text>"
        out += "<text transform=\"translate(14 \(f((top + height - bottom) / 2))) rotate(-90)\" text-anchor=\"middle\" font-size=\"12\">\(Self.escape(yLabel))</text>"
        out += "<g clip-path=\"none\">" + body.joined() + "</g>"
        // Legend inside the plot area on a white panel, or in its own column.
        let lx: Double
        switch legendCorner {
        case .topLeft: lx = left + 6
        case .topRight, .bottomRight: lx = width - right - legendWidth - 6
        case .outside: lx = width + 4
        }
        var ly = legendCorner == .bottomRight ? height - bottom - 8 - 15 * Double(legend.count) + 9 : top + 8
        if !legend.isEmpty {
            out += "<rect x=\"\(f(lx))\" y=\"\(f(ly - 11))\" width=\"\(f(legendWidth))\" height=\"\(f(15 * Double(legend.count) + 4))\" "
                + "fill=\"#fff\" fill-opacity=\"0.85\" stroke=\"#ccc\"/>"
        }
        for (name, style, markers, hollow) in legend {
            let dash = style.dash.isEmpty ? "" : " stroke-dasharray=\"\(style.dash)\""
            if !hollow {
                out += "<line x1=\"\(f(lx + 4))\" x2=\"\(f(lx + 30))\" y1=\"\(f(ly - 2))\" y2=\"\(f(ly - 2))\" stroke=\"\(style.color)\" stroke-width=\"2\"\(dash)/>"
            }
            if markers { out += marker(style.marker, lx + 17, ly - 2, style.color, hollow: hollow) }
            out += "<text x=\"\(f(lx + 36))\" y=\"\(f(ly + 2))\" font-size=\"11\">\(Self.escape(name))</text>"
            ly += 15
        }
        return out + "</svg>"
    }
}
