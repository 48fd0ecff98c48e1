import Foundation

/// One line of a line chart.
public struct ChartSeries: Sendable {
    /// Legend text.
    public var label: String
    /// Data points (x, y); non-finite y breaks the line.
    public var points: [(Double, Double)]
    /// Dash pattern (nil for solid).
    public var dash: String?
    /// Colour (nil picks from the palette by position).
    public var color: String?

    /// A series.
    public init(label: String, points: [(Double, Double)], dash: String? = nil, color: String? = nil) {
        self.label = label
        self.points = points
        self.dash = dash
        self.color = color
    }
}

/// A line chart with markers, axes, ticks, unit-bearing labels, legend and optional horizontal reference line.
public struct LineChart: Sendable {
    /// Chart title.
    public var title: String
    /// Second header line, e.g. the verification period and number of inits.
    public var subtitle: String?
    /// x-axis title, e.g. "Lead time".
    public var xLabel: String
    /// y-axis title with units.
    public var yLabel: String
    /// The lines.
    public var series: [ChartSeries]
    /// A dashed horizontal reference (value, legend label), e.g. spread/skill = 1.
    public var reference: (value: Double, label: String)?
    /// Whether the y range must include 0.
    public var includeZero: Bool
    /// Ticks at given x values with their labels (e.g. the lead times) instead of round numbers.
    public var xTicks: [(value: Double, label: String)]?
    /// x data range (nil: a round range around the data).
    public var xRange: (lower: Double, upper: Double)?

    /// A line chart.
    public init(title: String, subtitle: String? = nil, xLabel: String, yLabel: String, series: [ChartSeries],
                reference: (value: Double, label: String)? = nil, includeZero: Bool = true,
                xTicks: [(value: Double, label: String)]? = nil, xRange: (lower: Double, upper: Double)? = nil) {
        self.title = title
        self.subtitle = subtitle
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.reference = reference
        self.includeZero = includeZero
        self.xTicks = xTicks
        self.xRange = xRange
    }

    /// A chart against lead time: x ticks at the leads, in days when they are whole days.
    public init(title: String, subtitle: String?, leads: LeadTimeAxis, yLabel: String, series: [ChartSeries],
                reference: (value: Double, label: String)? = nil, includeZero: Bool = true) {
        self.init(title: title, subtitle: subtitle, xLabel: leads.title, yLabel: yLabel, series: series, reference: reference,
                  includeZero: includeZero, xTicks: leads.ticks, xRange: leads.range)
    }

    /// Renders the chart.
    public func render(width: Double = 640, height: Double = 420) -> SVGDocument {
        let xs = series.flatMap { $0.points.map(\.0) }
        var ys = series.flatMap { $0.points.map(\.1) }
        if let r = reference { ys.append(r.value) }
        var xr = LinearScale.niceRange(xs, target: 6)
        if let mn = xs.filter(\.isFinite).min(), let mx = xs.filter(\.isFinite).max(), mn == mx {
            xr = (mn - 1, mx + 1, 1)
        }
        if let r = xRange { xr = (r.lower, r.upper, xr.2) }
        var yr = LinearScale.niceRange(ys, includeZero: includeZero, target: 6)
        if series.count <= 2 { yr.1 += yr.2 }  // headroom for the legend inside the plot
        let outside = series.count > 2
        let labels = series.map(\.label) + (reference.map { [$0.label] } ?? [])
        let legendWidth = outside ? ChartFrame.legendWidth(labels) + 20 : 0
        let canvas = width + legendWidth
        let header = ChartHeader(title: title, subtitle: subtitle, width: canvas)
        let frame = ChartFrame(width: canvas, height: height + header.height - 34, xRange: xr, yRange: yr,
                               margins: (78, header.height + 14, 24 + legendWidth, 62))
        var doc = SVGDocument(width: canvas, height: height + header.height - 34)
        frame.draw(into: &doc, header: header, xLabel: xLabel, yLabel: yLabel, xTicks: xTicks)
        var legend: [(label: String, color: String, dash: String?)] = []
        if let r = reference {
            doc.line(frame.left, frame.y(r.value), frame.right, frame.y(r.value), stroke: "#555555", width: 1.5, dash: "6,4")
            legend.append((r.label, "#555555", "6,4"))
        }
        for (i, s) in series.enumerated() {
            let c = s.color ?? chartPalette[i % chartPalette.count]
            let pts = s.points.map { (frame.x($0.0), $0.1.isFinite ? frame.y($0.1) : .nan) }
            doc.polyline(pts, stroke: c, width: 2, dash: s.dash)
            for p in pts { doc.circle(p.0, p.1, r: 3.5, fill: c) }
            legend.append((s.label, c, s.dash))
        }
        frame.legend(into: &doc, entries: legend, position: outside ? .outsideRight : .topLeft)
        return doc
    }
}
