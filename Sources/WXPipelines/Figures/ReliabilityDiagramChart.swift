import Foundation

/// A reliability diagram: observed frequency against forecast probability, the diagonal of perfect
/// reliability, the climatological frequency, and the forecast counts per bin as a sharpness panel.
public struct ReliabilityDiagramChart: Sendable {
    /// Chart title.
    public var title: String
    /// Mean forecast probability per bin (NaN for empty bins).
    public var forecastProbability: [Double]
    /// Observed relative frequency per bin (NaN for empty bins).
    public var observedFrequency: [Double]
    /// Number of forecasts per bin.
    public var counts: [Double]
    /// Base rate of the event.
    public var climatology: Double

    /// A reliability diagram.
    public init(title: String, forecastProbability: [Double], observedFrequency: [Double], counts: [Double], climatology: Double) {
        self.title = title
        self.forecastProbability = forecastProbability
        self.observedFrequency = observedFrequency
        self.counts = counts
        self.climatology = climatology
    }

    /// Renders the chart: the diagram on top, the forecast count per bin (sharpness, log scale) in a panel below.
    public func render(width: Double = 560, height: Double = 760) -> SVGDocument {
        var doc = SVGDocument(width: width, height: height)
        let mainHeight = height * 0.70
        let frame = ChartFrame(width: width, height: mainHeight, xRange: (0, 1, 0.2), yRange: (0, 1, 0.2))
        frame.draw(into: &doc, title: title, xLabel: "Forecast probability", yLabel: "Observed relative frequency")
        doc.line(frame.x(0), frame.y(0), frame.x(1), frame.y(1), stroke: "#555555", width: 1.5, dash: "6,4")
        if climatology.isFinite {
            doc.line(frame.x(0), frame.y(climatology), frame.x(1), frame.y(climatology), stroke: chartPalette[2], width: 1.2, dash: "2,3")
        }
        let pts = zip(forecastProbability, observedFrequency).map { (frame.x($0.0), $0.1.isFinite && $0.0.isFinite ? frame.y($0.1) : .nan) }
        doc.polyline(pts.filter { $0.1.isFinite }, stroke: chartPalette[0], width: 2.2)
        for p in pts { doc.circle(p.0, p.1, r: 4, fill: chartPalette[0]) }
        frame.legend(into: &doc, entries: [("forecast", chartPalette[0], nil), ("perfect reliability", "#555555", "6,4"),
                                            ("climatology (\(String(format: "%.3f", climatology)))", chartPalette[2], "2,3")], position: .topLeft)
        // Sharpness panel: forecasts per probability bin, log10 axis.
        let logs = counts.map { $0 > 0 ? log10($0) : 0 }
        let top = max((logs.max() ?? 1).rounded(.up), 1)
        let bins = max(counts.count, 1)
        let sharp = ChartFrame(width: width, height: height - mainHeight, xRange: (0, 1, 0.2), yRange: (0, top, top > 4 ? 2 : 1),
                               margins: (78, 28, 24, 48))
        let dy = mainHeight
        let yTicks = stride(from: 0.0, through: top, by: top > 4 ? 2 : 1)
        for v in yTicks {
            let py = sharp.y(v) + dy
            doc.line(sharp.left, py, sharp.right, py, stroke: "#e0e0e0")
            doc.line(sharp.left - 5, py, sharp.left, py)
            doc.text("10^\(Int(v))", sharp.left - 8, py + 4, size: 10, anchor: "end")
        }
        let bw = (sharp.right - sharp.left) / Double(bins)
        for (i, l) in logs.enumerated() {
            let x0 = sharp.left + Double(i) * bw
            doc.rect(x0 + 0.5, sharp.y(l) + dy, max(bw - 1, 0.5), sharp.y(0) - sharp.y(l), fill: chartPalette[0], opacity: 0.75)
        }
        for v in stride(from: 0.0, through: 1.0, by: 0.2) {
            let px = sharp.x(v)
            doc.line(px, sharp.bottom + dy, px, sharp.bottom + dy + 5)
            doc.text(LinearScale.label(v, step: 0.2), px, sharp.bottom + dy + 18, size: 10, anchor: "middle")
        }
        doc.line(sharp.left, sharp.bottom + dy, sharp.right, sharp.bottom + dy, width: 1.2)
        doc.line(sharp.left, sharp.top + dy, sharp.left, sharp.bottom + dy, width: 1.2)
        doc.text("Forecasts per probability bin (sharpness)", (sharp.left + sharp.right) / 2, sharp.top + dy - 6, size: 12, anchor: "middle")
        doc.text("Forecast probability", (sharp.left + sharp.right) / 2, sharp.bottom + dy + 36, size: 12, anchor: "middle")
        doc.text("Count", sharp.left - 58, (sharp.top + sharp.bottom) / 2 + dy, size: 12, anchor: "middle", rotate: -90)
        return doc
    }
}
