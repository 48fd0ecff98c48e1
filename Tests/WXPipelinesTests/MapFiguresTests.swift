import XCTest
#if canImport(FoundationXML)
import FoundationXML
#endif
import WXCore
import WXPipelines

/// The map figure: colour levels monotone in value (against a linear-scan reference), cell edges of Gaussian and
/// regular grids, one filled rectangle per cell, panels and colour bars in valid SVG.
final class MapFiguresTests: XCTestCase {
    /// Relative luminance of sRGB components 0...255 (ITU-R BT.709 weights on linearised values).
    func luminance(_ c: (r: Double, g: Double, b: Double)) -> Double {
        func lin(_ v: Double) -> Double { let s = v / 255; return s <= 0.04045 ? s / 12.92 : pow((s + 0.055) / 1.055, 2.4) }
        return 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b)
    }

    /// The level of `v` by a linear scan of the boundaries (the reference for `ColorScale.level(of:)`).
    func referenceLevel(_ s: ColorScale, _ v: Double) -> Int? {
        guard v.isFinite else { return nil }
        var level = 0
        for i in 1..<s.levels where v >= s.boundaries[i] { level = i }
        return level
    }

    func testColoursAreMonotoneInValue() {
        let seq = ColorScale(kind: .sequential, covering: [47_213, 58_901])
        XCTAssertLessThanOrEqual(seq.boundaries.first!, 47_213)
        XCTAssertGreaterThanOrEqual(seq.boundaries.last!, 58_901)
        XCTAssertTrue((6...20).contains(seq.levels), "\(seq.boundaries)")
        for i in 1..<seq.levels {
            XCTAssertGreaterThan(luminance(seq.rgb(level: i)), luminance(seq.rgb(level: i - 1)), "sequential level \(i)")
        }
        let div = ColorScale(kind: .diverging, covering: [-3.7, 12.2])
        XCTAssertEqual(div.boundaries.first!, -div.boundaries.last!, accuracy: 1e-9)
        XCTAssertTrue(div.boundaries.contains { abs($0) < 1e-9 }, "zero is a boundary: \(div.boundaries)")
        XCTAssertGreaterThanOrEqual(div.boundaries.last!, 12.2)
        for i in 1..<div.levels {
            let a = div.rgb(level: i - 1), b = div.rgb(level: i)
            XCTAssertGreaterThan(b.r - b.b, a.r - a.b, "diverging level \(i): red minus blue increases")
        }
        // The two levels either side of zero are the lightest.
        let lum = (0..<div.levels).map { luminance(div.rgb(level: $0)) }
        let half = div.levels / 2
        for i in 1..<half { XCTAssertGreaterThan(lum[i], lum[i - 1]) }
        for i in half..<(div.levels - 1) { XCTAssertGreaterThan(lum[i], lum[i + 1]) }
        for s in [seq, div] {
            let lo = s.boundaries.first!, hi = s.boundaries.last!
            var last = -1
            for k in 0...1000 {
                let v = lo - (hi - lo) * 0.1 + Double(k) / 1000 * (hi - lo) * 1.2
                let l = s.level(of: v)
                XCTAssertEqual(l, referenceLevel(s, v), "value \(v)")
                XCTAssertGreaterThanOrEqual(l!, last)
                last = l!
            }
            XCTAssertNil(s.level(of: .nan))
            XCTAssertEqual(s.color(for: .nan), "none")
        }
    }

    func testGaussianCellsHaveTheirOwnHeightsAndReachThePoles() {
        let lats = GaussianLatitudes.degrees(48).reversed().map { $0 }  // south to north, as the perfect-model files
        let lons = (0..<96).map { Double($0) * 3.75 }
        let cells = MapCells(latitudes: lats, longitudes: lons)
        XCTAssertEqual(cells.latitudeRange.0, -90)
        XCTAssertEqual(cells.latitudeRange.1, 90)
        for i in 1..<48 { XCTAssertEqual(cells.latitudeEdges[i].south, cells.latitudeEdges[i - 1].north, accuracy: 1e-12) }
        for (i, e) in cells.latitudeEdges.enumerated() { XCTAssertTrue(e.south < lats[i] && lats[i] < e.north) }
        let heights = cells.latitudeEdges.map { $0.north - $0.south }
        XCTAssertGreaterThan(heights.max()! - heights.min()!, 0.01, "Gaussian rows are not all the same height")
        XCTAssertEqual(cells.longitudeRange.0, -1.875, accuracy: 1e-12)
        XCTAssertEqual(cells.longitudeRange.1, 358.125, accuracy: 1e-12)
        // North-to-south order and a regional grid (not snapped to the pole), longitudes in -180..180.
        let regional = MapCells(latitudes: [60, 59, 58], longitudes: [-10, -9, -8])
        XCTAssertEqual(regional.latitudeEdges[0].north, 60.5)
        XCTAssertEqual(regional.latitudeEdges[2].south, 57.5)
        XCTAssertEqual(regional.longitudeRange.0, -10.5)
        XCTAssertEqual(regional.longitudeRange.1, -7.5)
    }

    /// A parsed SVG: panel titles, colour-bar labels, cell paths (class, fill, d) and all text.
    struct Parsed {
        var width = 0.0, height = 0.0
        var panelTitles: [String] = []
        var colorBarLabels: [String] = []
        var paths: [(cls: String, fill: String, d: String)] = []
        var texts: [(attributes: [String: String], content: String)] = []
    }

    final class Reader: NSObject, XMLParserDelegate {
        var svg = Parsed()
        var textAttributes: [String: String]?
        var content = ""
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String]) {
            switch name {
            case "svg": svg.width = Double(attributes["width"] ?? "") ?? 0; svg.height = Double(attributes["height"] ?? "") ?? 0
            case "text": textAttributes = attributes; content = ""
            case "path": svg.paths.append((attributes["class"] ?? "", attributes["fill"] ?? "", attributes["d"] ?? ""))
            default: break
            }
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) { if textAttributes != nil { content += string } }
        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            guard name == "text", let a = textAttributes else { return }
            svg.texts.append((a, content))
            if a["class"] == "panel-title" { svg.panelTitles.append(content) }
            if a["class"] == "colorbar-label" { svg.colorBarLabels.append(content) }
            textAttributes = nil
        }
    }

    func parse(_ svg: String, file: StaticString = #filePath, line: UInt = #line) -> Parsed {
        let parser = XMLParser(data: Data(svg.utf8))
        let reader = Reader()
        parser.delegate = reader
        XCTAssertTrue(parser.parse(), "not valid XML: \(String(describing: parser.parserError))", file: file, line: line)
        return reader.svg
    }

    /// The rectangles "M x y h w v h h -w z" of a path's data.
    func rectangles(_ d: String) -> [(x: Double, y: Double, w: Double, h: Double)] {
        d.split(separator: "M").map { part in
            let n = part.replacingOccurrences(of: "h", with: " ").replacingOccurrences(of: "v", with: " ")
                .replacingOccurrences(of: "z", with: "").split(separator: " ").compactMap { Double($0) }
            return (n[0], n[1], n[2], n[3])
        }
    }

    /// Cells of the panel `i` (class "panel-i") with their level, from the paths.
    func cells(_ p: Parsed, panel i: Int) -> [(level: Int, rect: (x: Double, y: Double, w: Double, h: Double))] {
        p.paths.filter { $0.cls.split(separator: " ").contains("panel-\(i)") }.flatMap { path -> [(level: Int, rect: (x: Double, y: Double, w: Double, h: Double))] in
            let level = Int(path.cls.split(separator: " ").first { $0.hasPrefix("level-") }!.dropFirst(6))!
            return rectangles(path.d).map { (level, $0) }
        }
    }

    func testPanelsDrawEveryCellWithLevelsInValueOrder() throws {
        let lats = GaussianLatitudes.degrees(8), lons = (0..<16).map { -180 + Double($0) * 22.5 }
        // A checkerboard (no two neighbours share a level), a ramp in longitude, and a spread field with a NaN.
        let checker = lats.indices.flatMap { i in lons.indices.map { j in (i + j) % 2 == 0 ? 1.0 : 9.0 } }
        let ramp = lats.indices.flatMap { _ in lons.indices.map { Double($0) } }
        var spread = [Double](repeating: 2, count: 8 * 16)
        spread[5] = .nan
        let bars = [MapColorBar(scale: ColorScale(kind: .sequential, covering: checker + ramp), label: "value (K)"),
                    MapColorBar(scale: ColorScale(kind: .sequential, covering: [0, 2], levels: 4), label: "spread (K)")]
        let chart = MapPanelsChart(title: "A title long enough that it has to be fitted to the canvas width by wrapping or shrinking",
                                   subtitle: "subtitle", latitudes: lats, longitudes: lons,
                                   panels: [MapPanel(title: "checker", values: checker), MapPanel(title: "ramp", values: ramp),
                                            MapPanel(title: "spread", values: spread, colorBar: 1)],
                                   colorBars: bars, columns: 2)
        let p = parse(chart.render().svg)
        XCTAssertEqual(p.panelTitles, ["checker", "ramp", "spread"])
        XCTAssertEqual(p.colorBarLabels, ["value (K)", "spread (K)"])
        let checkerCells = cells(p, panel: 0)
        XCTAssertEqual(checkerCells.count, 8 * 16, "one rectangle per cell when no neighbours share a level")
        XCTAssertEqual(Set(checkerCells.map(\.level)).count, 2)
        XCTAssertEqual(cells(p, panel: 2).count, 9, "equal levels merge along a row; the NaN cell splits the first row")
        // Cells cover the map (less the NaN cell) without overlap: areas add up to the map's.
        let area = { (c: [(level: Int, rect: (x: Double, y: Double, w: Double, h: Double))]) in c.reduce(0) { $0 + $1.rect.w * $1.rect.h } }
        XCTAssertEqual(area(checkerCells), 300 * 150, accuracy: 300 * 150 * 1e-3)
        let edges = MapCells(latitudes: lats, longitudes: lons), perDegree = 300.0 / 360
        let nanCell = 22.5 * perDegree * (edges.latitudeEdges[0].north - edges.latitudeEdges[0].south) * perDegree
        XCTAssertEqual(area(cells(p, panel: 2)) + nanCell, 300 * 150, accuracy: 300 * 150 * 1e-3)
        // Gaussian rows: heights follow the latitude edges, not a constant.
        let heights = Set(checkerCells.map { ($0.rect.h * 100).rounded() })
        XCTAssertGreaterThan(heights.count, 1)
        // The ramp's level never decreases eastward along a row.
        let ramp0 = cells(p, panel: 1)
        for y in Set(ramp0.map(\.rect.y)) {
            let row = ramp0.filter { $0.rect.y == y }.sorted { $0.rect.x < $1.rect.x }
            XCTAssertEqual(row.count, Set(row.map(\.level)).count, "one run per level in a row")
            for k in 1..<row.count { XCTAssertGreaterThan(row[k].level, row[k - 1].level) }
        }
        let colours = Dictionary(grouping: p.paths.filter { $0.cls.contains("panel-1") }, by: \.fill)
        XCTAssertEqual(colours.count, Set(ramp0.map(\.level)).count, "one colour per level")
        // Text stays on the canvas (TextMeasure widths) and the ticks are labelled in degrees.
        for (a, s) in p.texts {
            let size = Double(a["font-size"] ?? "") ?? 0, x = Double(a["x"] ?? "") ?? -1
            let w = TextMeasure.width(s, size: size, bold: a["font-weight"] == "bold")
            let lo = a["text-anchor"] == "middle" ? x - w / 2 : a["text-anchor"] == "end" ? x - w : x
            XCTAssertTrue(lo >= 0 && lo + w <= p.width, "'\(s)' spans \(lo)...\(lo + w) of \(p.width)")
        }
        let xticks = p.texts.filter { $0.attributes["class"] == "xtick" }.map(\.content)
        XCTAssertTrue(xticks.contains("180°") && xticks.contains("120°W") && xticks.contains("0°") && xticks.contains("60°E"), "\(xticks)")
        let yticks = p.texts.filter { $0.attributes["class"] == "ytick" }.map(\.content)
        XCTAssertTrue(yticks.contains("60°N") && yticks.contains("60°S"), "\(yticks)")
    }
}
