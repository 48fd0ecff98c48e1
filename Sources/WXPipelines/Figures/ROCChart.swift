import Foundation

/// A ROC curve: hit rate against false-alarm rate over probability thresholds, with the no-skill diagonal and the AUC in the legend.
public struct ROCChart: Sendable {
    /// Chart title.
    public var title: String
    /// Second header line (verification period, inits).
    public var subtitle: String?
    /// False-alarm rates (POFD), one per threshold, including the (0,0) and (1,1) ends.
    public var falseAlarmRate: [Double]
    /// Hit rates (POD), one per threshold.
    public var hitRate: [Double]
    /// Area under the curve.
    public var auc: Double

    /// A ROC chart.
    public init(title: String, subtitle: String? = nil, falseAlarmRate: [Double], hitRate: [Double], auc: Double) {
        self.title = title
        self.subtitle = subtitle
        self.falseAlarmRate = falseAlarmRate
        self.hitRate = hitRate
        self.auc = auc
    }

    /// Renders the chart.
    public func render(width: Double = 560, height: Double = 540) -> SVGDocument {
        let header = ChartHeader(title: title, subtitle: subtitle, width: width)
        let h = height + header.height - 34
        var doc = SVGDocument(width: width, height: h)
        let frame = ChartFrame(width: width, height: h, xRange: (0, 1, 0.2), yRange: (0, 1, 0.2),
                               margins: (78, header.height + 14, 24, 62))
        frame.draw(into: &doc, header: header, xLabel: "False-alarm rate (POFD)", yLabel: "Hit rate (POD)")
        doc.line(frame.x(0), frame.y(0), frame.x(1), frame.y(1), stroke: "#555555", width: 1.5, dash: "6,4")
        let order = zip(falseAlarmRate, hitRate).sorted { ($0.0, $0.1) < ($1.0, $1.1) }
        let pts = order.map { (frame.x($0.0), frame.y($0.1)) }
        doc.polyline(pts, stroke: chartPalette[1], width: 2.2)
        for p in pts { doc.circle(p.0, p.1, r: 3.5, fill: chartPalette[1]) }
        frame.legend(into: &doc, entries: [("forecast (AUC = \(String(format: "%.3f", auc)))", chartPalette[1], nil),
                                            ("no skill", "#555555", "6,4")], position: .bottomRight)
        return doc
    }
}
