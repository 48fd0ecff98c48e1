import Foundation
import WXCore

/// A minimal SVG document: a canvas of fixed size to which shapes and text are appended.
public struct SVGDocument: Sendable {
    /// Canvas width in pixels.
    public let width: Double
    /// Canvas height in pixels.
    public let height: Double
    private var body: [String] = []

    /// An empty white canvas.
    public init(width: Double, height: Double) {
        self.width = width
        self.height = height
        body.append("<rect x=\"0\" y=\"0\" width=\"\(Self.num(width))\" height=\"\(Self.num(height))\" fill=\"white\"/>")
    }

    /// Formats a coordinate compactly (two decimals, no trailing zeros).
    static func num(_ v: Double) -> String {
        guard v.isFinite else { return "0" }
        var s = String(format: "%.2f", v)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s == "-0" ? "0" : s
    }

    /// Escapes text for use in SVG content and attribute values.
    static func escape(_ s: String) -> String {
        var out = ""
        for c in s {
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

    /// A straight line.
    public mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double,
                              stroke: String = "black", width: Double = 1, dash: String? = nil) {
        let d = dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""
        body.append("<line x1=\"\(Self.num(x1))\" y1=\"\(Self.num(y1))\" x2=\"\(Self.num(x2))\" y2=\"\(Self.num(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(Self.num(width))\"\(d)/>")
    }

    /// A polyline through the points (a broken line where a point is not finite).
    public mutating func polyline(_ points: [(Double, Double)], stroke: String, width: Double = 2, dash: String? = nil) {
        var run: [(Double, Double)] = []
        func flush() {
            if run.count > 1 {
                let p = run.map { "\(Self.num($0.0)),\(Self.num($0.1))" }.joined(separator: " ")
                let d = dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""
                body.append("<polyline points=\"\(p)\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"\(Self.num(width))\" stroke-linejoin=\"round\"\(d)/>")
            }
            run.removeAll()
        }
        for p in points {
            if p.0.isFinite && p.1.isFinite { run.append(p) } else { flush() }
        }
        flush()
    }

    /// A circle (a data marker): filled, or hollow when `stroke` is given with fill "white".
    public mutating func circle(_ cx: Double, _ cy: Double, r: Double, fill: String, stroke: String? = nil, cssClass: String? = nil) {
        guard cx.isFinite, cy.isFinite else { return }
        let s = stroke.map { " stroke=\"\($0)\" stroke-width=\"1.5\"" } ?? ""
        body.append("<circle\(Self.classAttribute(cssClass)) cx=\"\(Self.num(cx))\" cy=\"\(Self.num(cy))\" r=\"\(Self.num(r))\" fill=\"\(fill)\"\(s)/>")
    }

    static func classAttribute(_ c: String?) -> String { c.map { " class=\"\(escape($0))\"" } ?? "" }

    /// A rectangle.
    public mutating func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double,
                              fill: String, stroke: String? = nil, opacity: Double = 1) {
        guard x.isFinite, y.isFinite, w.isFinite, h.isFinite else { return }
        let s = stroke.map { " stroke=\"\($0)\" stroke-width=\"1\"" } ?? ""
        let o = opacity < 1 ? " fill-opacity=\"\(Self.num(opacity))\"" : ""
        body.append("<rect x=\"\(Self.num(x))\" y=\"\(Self.num(y))\" width=\"\(Self.num(max(w, 0)))\" height=\"\(Self.num(max(h, 0)))\" fill=\"\(fill)\"\(o)\(s)/>")
    }

    /// A filled path from SVG path data `d` (e.g. many rectangles of one colour in one element); `crisp` turns off
    /// anti-aliasing so that abutting shapes show no seams.
    public mutating func path(_ d: String, fill: String, crisp: Bool = false, cssClass: String? = nil) {
        guard !d.isEmpty else { return }
        let r = crisp ? " shape-rendering=\"crispEdges\"" : ""
        body.append("<path\(Self.classAttribute(cssClass)) d=\"\(d)\" fill=\"\(fill)\"\(r)/>")
    }

    /// Text anchored at (x, y); `anchor` is start, middle or end; `rotate` in degrees about the anchor; `cssClass`
    /// names its role (title, xtick) for readers and tests.
    public mutating func text(_ s: String, _ x: Double, _ y: Double, size: Double = 12,
                              anchor: String = "start", rotate: Double = 0, bold: Bool = false, fill: String = "black",
                              cssClass: String? = nil) {
        let r = rotate != 0 ? " transform=\"rotate(\(Self.num(rotate)) \(Self.num(x)) \(Self.num(y)))\"" : ""
        let w = bold ? " font-weight=\"bold\"" : ""
        body.append("<text\(Self.classAttribute(cssClass)) x=\"\(Self.num(x))\" y=\"\(Self.num(y))\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" font-size=\"\(Self.num(size))\" text-anchor=\"\(anchor)\" fill=\"\(fill)\"\(w)\(r)>\(Self.escape(s))</text>")
    }

    /// The document as SVG 1.1 text.
    public var svg: String {
        var s = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        s += "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"\(Self.num(width))\" height=\"\(Self.num(height))\" viewBox=\"0 0 \(Self.num(width)) \(Self.num(height))\">\n"
        s += body.joined(separator: "\n")
        s += "\n</svg>\n"
        return s
    }

    /// Writes the document to `url` atomically (temporary file in the same directory, then rename).
    public func write(to url: URL) throws {
        try AtomicFile.write(Data(svg.utf8), to: url)
    }
}
