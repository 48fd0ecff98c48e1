import Foundation

/// A reliability diagram: observed frequency against forecast probability, the diagonal of perfect
/// reliability, the climatological frequency, and the forecast counts per bin as a sharpness inset.
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

    /// Renders the chart.
    public func render(width: Double = 560, height: Double = 540) -> SVGDocument {
        var doc = SVGDocument(width: width, height: height)
        let frame = ChartFrame(width: width, height: height, xRange: (0, 1, 0.2), yRange: (0, 1, 0.2))
        frame.draw(into: &doc, title: title, xLabel: "Forecast probability", yLabel: "Observed relative frequency")
        doc.line(frame.x(0), frame.y(0), frame.x(1), frame.y(1), stroke: "#555555", width: 1.5, dash: "6,4")
        if climatology.isFinite {
            doc.line(frame.x(0), frame.y(climatology), frame.x(1), frame.y(climatology), stroke: chartPalette[2], width: 1.2, dash: "2,3")
        }
        let pts = zip(forecastProbability, observedFrequency).map { (frame.x($0.0), $0.1.isFinite && $0.0.isFinite ? frame.y($0.1) : .nan) }
        doc.polyline(pts.filter { $0.1.isFinite }, stroke: chartPalette[0], width: 2.2)
        for p in pts { doc.circle(p.0, p.1, r: 4, fill: chartPalette[0]) }
        // Sharpness inset: forecast counts per bin (log10 scale), bottom right.
        let iw = (frame.right - frame.left) * 0.38, ih = (frame.bottom - frame.top) * 0.26
        let ix = frame.right - iw - 10, iy = frame.bottom - ih - 12
        doc.rect(ix - 4, iy - 18, iw + 8, ih + 34, fill: "white", stroke: "#999999", opacity: 0.95)
        doc.text("Forecasts per bin (log10)", ix + iw / 2, iy - 5, size: 10, anchor: "middle")
        let logs = counts.map { $0 > 0 ? log10($0) : 0 }
        let top = max(logs.max() ?? 1, 1)
        let bw = iw / Double(max(counts.count, 1))
        for (i, l) in logs.enumerated() {
            let h = l / top * ih
            doc.rect(ix + Double(i) * bw + 0.5, iy + ih - h, max(bw - 1, 0.5), h, fill: chartPalette[0], opacity: 0.7)
        }
        doc.line(ix, iy + ih, ix + iw, iy + ih)
        doc.text("0", ix, iy + ih + 11, size: 9, anchor: "middle")
        doc.text("1", ix + iw, iy + ih + 11, size: 9, anchor: "middle")
        doc.text("10^\(String(format: "%.1f", top))", ix + 2, iy + 8, size: 9)
        frame.legend(into: &doc, entries: [("forecast", chartPalette[0], nil), ("perfect reliability", "#555555", "6,4"),
                                            ("climatology (\(String(format: "%.3f", climatology)))", chartPalette[2], "2,3")], atRight: false)
        return doc
    }
}
