import Foundation

/// The plot area of a chart with its axes, ticks, tick labels, axis titles and title.
public struct ChartFrame: Sendable {
    /// Horizontal data-to-pixel scale.
    public let x: LinearScale
    /// Vertical data-to-pixel scale.
    public let y: LinearScale
    /// Tick spacing on the x axis.
    public let xStep: Double
    /// Tick spacing on the y axis.
    public let yStep: Double
    /// Left, top, right, bottom of the plot area in pixels.
    public let left: Double, top: Double, right: Double, bottom: Double

    /// A frame for data ranges on a canvas of the given size, with margins for labels.
    public init(width: Double, height: Double, xRange: (Double, Double, Double), yRange: (Double, Double, Double),
                margins: (left: Double, top: Double, right: Double, bottom: Double) = (78, 48, 24, 62)) {
        left = margins.left; top = margins.top
        right = width - margins.right; bottom = height - margins.bottom
        x = LinearScale(lower: xRange.0, upper: xRange.1, pixelLower: left, pixelUpper: right)
        y = LinearScale(lower: yRange.0, upper: yRange.1, pixelLower: bottom, pixelUpper: top)
        xStep = xRange.2
        yStep = yRange.2
    }

    /// Draws grid lines, axes, ticks with labels, axis titles and the header. Explicit `xTicks` (value, label) are
    /// thinned to every n-th when their measured labels would overlap.
    public func draw(into doc: inout SVGDocument, header: ChartHeader, xLabel: String, yLabel: String,
                     xTicks: [(value: Double, label: String)]? = nil) {
        let yt = y.ticks(step: yStep)
        for v in yt {
            let py = y(v)
            doc.line(left, py, right, py, stroke: "#e0e0e0", width: 1)
            doc.line(left - 5, py, left, py)
            doc.text(LinearScale.label(v, step: yStep), left - 8, py + 4, size: 11, anchor: "end", cssClass: "ytick")
        }
        let xt = xTicks.map { thinned($0, size: 11) } ?? x.ticks(step: xStep).map { (value: $0, label: LinearScale.label($0, step: xStep)) }
        for t in xt {
            let px = x(t.value)
            doc.line(px, bottom, px, bottom + 5)
            doc.text(t.label, px, bottom + 19, size: 11, anchor: "middle", cssClass: "xtick")
        }
        doc.line(left, bottom, right, bottom, width: 1.2)
        doc.line(left, top, left, bottom, width: 1.2)
        doc.text(xLabel, (left + right) / 2, bottom + 42, size: 13, anchor: "middle", cssClass: "xlabel")
        doc.text(yLabel, left - 58, (top + bottom) / 2, size: 13, anchor: "middle", rotate: -90, cssClass: "ylabel")
        header.draw(into: &doc, centerX: doc.width / 2)
    }

    /// Every n-th tick, with the smallest n for which neighbouring labels keep 8 px apart.
    func thinned(_ ticks: [(value: Double, label: String)], size: Double) -> [(value: Double, label: String)] {
        guard ticks.count > 1 else { return ticks }
        for n in 1...ticks.count {
            let kept = stride(from: 0, to: ticks.count, by: n).map { ticks[$0] }
            let fits = zip(kept, kept.dropFirst()).allSatisfy { a, b in
                abs(x(b.value) - x(a.value)) >= (TextMeasure.width(a.label, size: size) + TextMeasure.width(b.label, size: size)) / 2 + 8
            }
            if fits { return kept }
        }
        return [ticks[0]]
    }

    /// Where a legend goes.
    public enum LegendPosition: Sendable {
        /// Inside the plot area, top left.
        case topLeft
        /// Inside the plot area, top right.
        case topRight
        /// Inside the plot area, bottom right.
        case bottomRight
        /// Right of the plot area (the frame must leave a right margin for it).
        case outsideRight
    }

    /// Width of a legend box holding these labels.
    public static func legendWidth(_ labels: [String]) -> Double {
        (labels.map { TextMeasure.width($0, size: 11) }.max() ?? 0) + 46
    }

    /// Draws a legend box.
    public func legend(into doc: inout SVGDocument, entries: [(label: String, color: String, dash: String?)], position: LegendPosition = .topRight) {
        guard !entries.isEmpty else { return }
        let w = Self.legendWidth(entries.map(\.label))
        let h = Double(entries.count) * 18 + 8
        let x0: Double, y0: Double
        switch position {
        case .topLeft: x0 = left + 8; y0 = top + 8
        case .topRight: x0 = right - w - 8; y0 = top + 8
        case .bottomRight: x0 = right - w - 8; y0 = bottom - h - 8
        case .outsideRight: x0 = right + 12; y0 = top
        }
        doc.rect(x0, y0, w, h, fill: "white", stroke: "#999999", opacity: 0.9)
        for (i, e) in entries.enumerated() {
            let yy = y0 + 15 + Double(i) * 18
            doc.line(x0 + 6, yy - 4, x0 + 30, yy - 4, stroke: e.color, width: 2.5, dash: e.dash)
            doc.text(e.label, x0 + 36, yy, size: 11, cssClass: "legend")
        }
    }
}

/// Colours for successive series (colour-blind-safe Okabe-Ito palette).
public let chartPalette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"]
