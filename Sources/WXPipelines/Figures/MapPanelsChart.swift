import Foundation

/// One map of a `MapPanelsChart`: a title, the values [lat * lon] in the grid's file order, and its colour bar.
public struct MapPanel: Sendable {
    /// Title drawn above the map.
    public var title: String
    /// Values, latitude-major in the file's order; NaN where missing (drawn grey).
    public var values: [Double]
    /// Index of the colour bar (in `MapPanelsChart.colorBars`) that colours this map.
    public var colorBar: Int

    /// A panel.
    public init(title: String, values: [Double], colorBar: Int = 0) {
        self.title = title
        self.values = values
        self.colorBar = colorBar
    }
}

/// A colour scale shared by some panels, drawn once as a labelled bar under them.
public struct MapColorBar: Sendable {
    /// The scale.
    public var scale: ColorScale
    /// The label under the bar (what and units).
    public var label: String

    /// A colour bar.
    public init(scale: ColorScale, label: String) {
        self.scale = scale
        self.label = label
    }
}

/// Maps of fields on one latitude-longitude grid, in rows of panels on an equirectangular projection: every grid
/// cell filled by its level's colour between its edges (`MapCells`), latitude and longitude ticks on each panel, and
/// the colour bars under the panels.
public struct MapPanelsChart: Sendable {
    /// Figure title.
    public var title: String
    /// Second header line.
    public var subtitle: String?
    /// Latitudes and longitudes of the grid (degrees, file order).
    public var latitudes: [Double], longitudes: [Double]
    /// The maps, drawn left to right, top to bottom.
    public var panels: [MapPanel]
    /// The colour bars the panels refer to.
    public var colorBars: [MapColorBar]
    /// Panels per row.
    public var columns: Int

    /// A chart; every panel must have latitudes x longitudes values and a colour bar index in range.
    public init(title: String, subtitle: String? = nil, latitudes: [Double], longitudes: [Double], panels: [MapPanel],
                colorBars: [MapColorBar], columns: Int = 4) {
        precondition(panels.allSatisfy { $0.values.count == latitudes.count * longitudes.count && colorBars.indices.contains($0.colorBar) },
                     "MapPanelsChart: a panel's values or colour bar do not fit the grid")
        self.title = title
        self.subtitle = subtitle
        self.latitudes = latitudes
        self.longitudes = longitudes
        self.panels = panels
        self.colorBars = colorBars
        self.columns = max(1, columns)
    }

    static let left = 44.0, right = 14.0, titleHeight = 22.0, bottom = 24.0, colorBarHeight = 14.0

    /// Renders the figure with maps `mapWidth` pixels wide (the height follows from equal degrees in x and y).
    public func render(mapWidth: Double = 300) -> SVGDocument {
        let cells = MapCells(latitudes: latitudes, longitudes: longitudes)
        let (lon0, lon1) = cells.longitudeRange, (lat0, lat1) = cells.latitudeRange
        let perDegree = mapWidth / max(lon1 - lon0, 1e-9)
        let mapHeight = (lat1 - lat0) * perDegree
        let cols = min(columns, max(panels.count, 1)), rows = (panels.count + cols - 1) / cols
        let panelWidth = Self.left + mapWidth + Self.right, panelHeight = Self.titleHeight + mapHeight + Self.bottom
        let width = max(Double(cols) * panelWidth + 20, 420)
        let header = ChartHeader(title: title, subtitle: subtitle, width: width)
        let top = header.height + 10
        let barsTop = top + Double(rows) * panelHeight + 8
        var doc = SVGDocument(width: width, height: barsTop + 62)
        header.draw(into: &doc, centerX: width / 2)
        let x0Grid = (width - Double(cols) * panelWidth) / 2
        let order = longitudes.indices.sorted { cells.longitudeEdges[$0].west < cells.longitudeEdges[$1].west }
        for (i, panel) in panels.enumerated() {
            let px = x0Grid + Double(i % cols) * panelWidth + Self.left, py = top + Double(i / cols) * panelHeight + Self.titleHeight
            let x = { (lon: Double) in px + (lon - lon0) * perDegree }, y = { (lat: Double) in py + (lat1 - lat) * perDegree }
            let fitted = TextMeasure.fit(panel.title, maxWidth: mapWidth + Self.left - 4, size: 12, minSize: 9, maxLines: 1, bold: true)
            doc.text(fitted.lines.joined(separator: " "), px + mapWidth / 2, py - 7, size: fitted.size, anchor: "middle", bold: true,
                     cssClass: "panel-title")
            doc.rect(px, py, mapWidth, mapHeight, fill: "#d9d9d9")
            drawCells(panel, scale: colorBars[panel.colorBar].scale, cells: cells, order: order, index: i, x: x, y: y, into: &doc)
            doc.rect(px, py, mapWidth, mapHeight, fill: "none", stroke: "#333333")
            for lat in Self.ticks(lat0, lat1) {
                doc.line(px - 4, y(lat), px, y(lat))
                doc.text(Self.latitudeLabel(lat), px - 6, y(lat) + 3.5, size: 10, anchor: "end", cssClass: "ytick")
            }
            for lon in Self.ticks(lon0, lon1) {
                doc.line(x(lon), py + mapHeight, x(lon), py + mapHeight + 4)
                doc.text(Self.longitudeLabel(lon), x(lon), py + mapHeight + 15, size: 10, anchor: "middle", cssClass: "xtick")
            }
        }
        let gap = 40.0, barWidth = min(440, (width - 60 - gap * Double(colorBars.count - 1)) / Double(max(colorBars.count, 1)))
        let barsLeft = (width - Double(colorBars.count) * barWidth - gap * Double(colorBars.count - 1)) / 2
        for (k, bar) in colorBars.enumerated() {
            drawColorBar(bar, left: barsLeft + Double(k) * (barWidth + gap), top: barsTop, width: barWidth, into: &doc)
        }
        return doc
    }

    /// Fills the panel's cells, one path per colour level, merging runs of equal level along each row.
    func drawCells(_ panel: MapPanel, scale: ColorScale, cells: MapCells, order: [Int], index: Int, x: (Double) -> Double,
                   y: (Double) -> Double, into doc: inout SVGDocument) {
        var paths = [String](repeating: "", count: scale.levels)
        let nlon = longitudes.count
        for (r, lat) in cells.latitudeEdges.enumerated() {
            let yTop = y(lat.north), h = y(lat.south) - yTop
            var k = 0
            while k < order.count {
                let j = order[k]
                guard let level = scale.level(of: panel.values[r * nlon + j]) else { k += 1; continue }
                var east = cells.longitudeEdges[j].east
                var next = k + 1
                while next < order.count, scale.level(of: panel.values[r * nlon + order[next]]) == level,
                      abs(cells.longitudeEdges[order[next]].west - east) < 1e-9 {
                    east = cells.longitudeEdges[order[next]].east
                    next += 1
                }
                let xl = x(cells.longitudeEdges[j].west), w = x(east) - xl
                paths[level] += "M\(SVGDocument.num(xl)) \(SVGDocument.num(yTop))h\(SVGDocument.num(w))v\(SVGDocument.num(h))h\(SVGDocument.num(-w))z"
                k = next
            }
        }
        for (level, d) in paths.enumerated() { doc.path(d, fill: scale.color(level: level), crisp: true, cssClass: "cells panel-\(index) level-\(level)") }
    }

    /// A horizontal bar of the levels with the boundary values under it (thinned so labels keep apart) and the label.
    func drawColorBar(_ bar: MapColorBar, left: Double, top: Double, width: Double, into doc: inout SVGDocument) {
        let s = bar.scale, n = s.levels, w = width / Double(n)
        for i in 0..<n { doc.rect(left + Double(i) * w, top, w + 0.3, Self.colorBarHeight, fill: s.color(level: i)) }
        doc.rect(left, top, width, Self.colorBarHeight, fill: "none", stroke: "#333333")
        let step = s.boundaries[1] - s.boundaries[0]
        let labels = s.boundaries.map { LinearScale.label($0, step: step) }
        let widest = labels.map { TextMeasure.width($0, size: 10) }.max() ?? 0
        let every = max(1, Int(ceil((widest + 8) / w)))
        for (i, v) in labels.enumerated() where i % every == 0 {
            let px = left + Double(i) * w
            doc.line(px, top + Self.colorBarHeight, px, top + Self.colorBarHeight + 4)
            doc.text(v, px, top + Self.colorBarHeight + 15, size: 10, anchor: "middle", cssClass: "colorbar-tick")
        }
        let fitted = TextMeasure.fit(bar.label, maxWidth: width + 40, size: 11, minSize: 9, maxLines: 1)
        doc.text(fitted.lines.joined(separator: " "), left + width / 2, top + Self.colorBarHeight + 33, size: fitted.size,
                 anchor: "middle", cssClass: "colorbar-label")
    }

    /// Tick degrees within [lo, hi] at a step of 1, 2, 5, 10, 15, 30, 45, 60 or 90 giving at most six intervals.
    static func ticks(_ lo: Double, _ hi: Double) -> [Double] {
        let step = [1.0, 2, 5, 10, 15, 30, 45, 60, 90].first { (hi - lo) / $0 <= 6 } ?? 90
        return stride(from: ceil(lo / step - 1e-9) * step, through: hi + 1e-9, by: step).map { $0 }
    }

    /// "30°N", "0°", "60°S".
    static func latitudeLabel(_ v: Double) -> String {
        v == 0 ? "0°" : "\(String(format: "%g", abs(v)))°\(v > 0 ? "N" : "S")"
    }

    /// "60°E", "0°", "180°", "120°W" (values above 180 as in a 0..360 file: "240°E").
    static func longitudeLabel(_ v: Double) -> String {
        v == 0 || v == 180 || v == -180 || v == 360 ? "\(String(format: "%g", abs(v)))°" : "\(String(format: "%g", abs(v)))°\(v > 0 ? "E" : "W")"
    }
}
