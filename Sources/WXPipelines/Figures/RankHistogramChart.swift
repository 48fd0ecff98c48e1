import Foundation

/// A rank histogram as bars of relative frequency per rank with the flat expectation 1/(M+1) drawn across.
public struct RankHistogramChart: Sendable {
    /// Chart title.
    public var title: String
    /// Second header line (verification period, inits).
    public var subtitle: String?
    /// Counts per rank 1...M+1 (ties already split, so possibly fractional).
    public var counts: [Double]

    /// A rank histogram chart.
    public init(title: String, subtitle: String? = nil, counts: [Double]) {
        self.title = title
        self.subtitle = subtitle
        self.counts = counts
    }

    /// Renders the chart.
    public func render(width: Double = 640, height: Double = 420) -> SVGDocument {
        let header = ChartHeader(title: title, subtitle: subtitle, width: width)
        let h = height + header.height - 34
        var doc = SVGDocument(width: width, height: h)
        let n = counts.count
        let total = counts.reduce(0, +)
        let freq = counts.map { total > 0 ? $0 / total : 0 }
        let flat = n > 0 ? 1 / Double(n) : 0
        let yr = LinearScale.niceRange(freq + [flat, (freq.max() ?? flat) * 1.3], includeZero: true, target: 5)  // headroom for the legend
        let frame = ChartFrame(width: width, height: h, xRange: (0.5, Double(n) + 0.5, 1), yRange: yr,
                               margins: (78, header.height + 14, 24, 62))
        frame.draw(into: &doc, header: header, xLabel: "Rank of the observation among \(max(n - 1, 0)) members",
                   yLabel: "Relative frequency", xTicks: (1...max(n, 1)).map { (value: Double($0), label: String($0)) })
        let bw = (frame.right - frame.left) / Double(max(n, 1))
        for (i, f) in freq.enumerated() {
            let x0 = frame.left + Double(i) * bw
            doc.rect(x0 + bw * 0.1, frame.y(f), bw * 0.8, frame.y(0) - frame.y(f), fill: chartPalette[0], stroke: nil, opacity: 0.85)
        }
        doc.line(frame.left, frame.y(flat), frame.right, frame.y(flat), stroke: chartPalette[1], width: 2, dash: "6,4")
        frame.legend(into: &doc, entries: [("observed rank frequency (N = \(Int(total.rounded())))", chartPalette[0], nil),
                                            ("flat: 1/(M+1) = \(String(format: "%.4f", flat))", chartPalette[1], "6,4")])
        return doc
    }
}
