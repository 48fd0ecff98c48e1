import Foundation
import WXVerification

/// A reliability diagram on probability bins: observed frequency against mean forecast probability, the diagonal of
/// perfect reliability, the climatological frequency, and the forecasts per bin (sharpness) as a bar strip below.
/// Bins with fewer than `minimumCount` forecasts are drawn hollow and left out of the line, as their frequency is noise.
public struct ReliabilityDiagramChart: Sendable {
    /// Chart title.
    public var title: String
    /// Second header line (verification period, inits).
    public var subtitle: String?
    /// The bins (WXVerification's `reliabilityDiagram(bins:)`).
    public var bins: [WeightedReliabilityBin]
    /// Base rate of the event.
    public var climatology: Double
    /// Fewest forecasts for a bin to be drawn as a filled point.
    public var minimumCount: Int

    /// A reliability diagram.
    public init(title: String, subtitle: String? = nil, bins: [WeightedReliabilityBin], climatology: Double, minimumCount: Int) {
        self.title = title
        self.subtitle = subtitle
        self.bins = bins
        self.climatology = climatology
        self.minimumCount = minimumCount
    }

    /// True when a bin has enough forecasts to be drawn as a point.
    public func isDrawn(_ b: WeightedReliabilityBin) -> Bool {
        b.count >= minimumCount && b.forecastProbability.isFinite && b.observedFrequency.isFinite
    }

    /// Renders the chart: the diagram on top, the forecasts per bin (log scale) in a strip below.
    public func render(width: Double = 560, height: Double = 720) -> SVGDocument {
        let header = ChartHeader(title: title, subtitle: subtitle, width: width)
        let total = height + header.height - 34
        var doc = SVGDocument(width: width, height: total)
        let mainHeight = total - 200
        let frame = ChartFrame(width: width, height: mainHeight, xRange: (0, 1, 0.2), yRange: (0, 1, 0.2),
                               margins: (78, header.height + 14, 24, 62))
        frame.draw(into: &doc, header: header, xLabel: "Forecast probability", yLabel: "Observed relative frequency")
        doc.line(frame.x(0), frame.y(0), frame.x(1), frame.y(1), stroke: "#555555", width: 1.5, dash: "6,4")
        if climatology.isFinite {
            doc.line(frame.x(0), frame.y(climatology), frame.x(1), frame.y(climatology), stroke: chartPalette[2], width: 1.2, dash: "2,3")
        }
        let drawn = bins.filter(isDrawn)
        doc.polyline(drawn.map { (frame.x($0.forecastProbability), frame.y($0.observedFrequency)) }, stroke: chartPalette[0], width: 2.2)
        for b in bins where b.count > 0 && b.forecastProbability.isFinite && b.observedFrequency.isFinite {
            if isDrawn(b) {
                doc.circle(frame.x(b.forecastProbability), frame.y(b.observedFrequency), r: 4, fill: chartPalette[0], cssClass: "bin")
            } else {
                doc.circle(frame.x(b.forecastProbability), frame.y(b.observedFrequency), r: 4, fill: "white",
                           stroke: chartPalette[0], cssClass: "sparse-bin")
            }
        }
        let clim = climatology.isFinite ? String(format: "%.3f", climatology) : "n/a"
        frame.legend(into: &doc, entries: [("forecast, \(bins.count) bins", chartPalette[0], nil), ("perfect reliability", "#555555", "6,4"),
                                            ("climatology (\(clim))", chartPalette[2], "2,3")], position: .topLeft)
        drawSharpness(into: &doc, top: mainHeight, width: width)
        return doc
    }

    /// Forecasts per bin on a log10 axis, bars of sparse bins pale, the minimum count dashed.
    private func drawSharpness(into doc: inout SVGDocument, top dy: Double, width: Double) {
        let logs = bins.map { $0.count > 0 ? log10(Double($0.count)) : 0 }
        let topDecade = max((max(logs.max() ?? 1, log10(Double(max(minimumCount, 1))))).rounded(.up), 1)
        let step = topDecade > 4 ? 2.0 : 1.0
        let sharp = ChartFrame(width: width, height: 200, xRange: (0, 1, 0.2), yRange: (0, topDecade, step), margins: (78, 34, 24, 58))
        for v in stride(from: 0.0, through: topDecade, by: step) {
            let py = sharp.y(v) + dy
            doc.line(sharp.left, py, sharp.right, py, stroke: "#e0e0e0")
            doc.line(sharp.left - 5, py, sharp.left, py)
            doc.text("10^\(Int(v))", sharp.left - 8, py + 4, size: 10, anchor: "end", cssClass: "ytick")
        }
        for (b, l) in zip(bins, logs) where b.count > 0 {
            let x0 = sharp.x(b.lower), x1 = sharp.x(b.upper)
            doc.rect(x0 + 1, sharp.y(l) + dy, max(x1 - x0 - 2, 0.5), sharp.y(0) - sharp.y(l),
                     fill: chartPalette[0], opacity: isDrawn(b) ? 0.75 : 0.25)
        }
        if minimumCount > 1 {
            let py = sharp.y(log10(Double(minimumCount))) + dy
            doc.line(sharp.left, py, sharp.right, py, stroke: chartPalette[1], width: 1.2, dash: "4,3")
        }
        for v in stride(from: 0.0, through: 1.0, by: 0.2) {
            let px = sharp.x(v)
            doc.line(px, sharp.bottom + dy, px, sharp.bottom + dy + 5)
            doc.text(LinearScale.label(v, step: 0.2), px, sharp.bottom + dy + 18, size: 10, anchor: "middle")
        }
        doc.line(sharp.left, sharp.bottom + dy, sharp.right, sharp.bottom + dy, width: 1.2)
        doc.line(sharp.left, sharp.top + dy, sharp.left, sharp.bottom + dy, width: 1.2)
        let note = TextMeasure.fit("Forecasts per bin (sharpness); hollow points, pale bars: fewer than \(minimumCount) (dashed)",
                                   maxWidth: width - 2 * ChartHeader.padding, size: 12, minSize: 9, maxLines: 1)
        for (i, line) in note.lines.enumerated() {
            let y = sharp.top + dy - 10 - Double(note.lines.count - 1 - i) * note.size * 1.2
            doc.text(line, width / 2, y, size: note.size, anchor: "middle", cssClass: "note")
        }
        doc.text("Forecast probability", (sharp.left + sharp.right) / 2, sharp.bottom + dy + 36, size: 12, anchor: "middle")
        doc.text("Count", sharp.left - 58, (sharp.top + sharp.bottom) / 2 + dy, size: 12, anchor: "middle", rotate: -90)
    }
}
