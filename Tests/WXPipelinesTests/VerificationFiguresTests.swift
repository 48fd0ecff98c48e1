import XCTest
#if canImport(FoundationXML)
import FoundationXML
#endif
import WXCore
import WXPipelines
import WXVerification

/// The SVG figures and their index page: valid XML, ticks at the lead times, text within the canvas by TextMeasure,
/// sparse reliability bins not drawn as points, every figure listed on index.html.
final class VerificationFiguresTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("wxens-figures-\(UUID().uuidString)")
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    /// A scorecard of VerifyTestData (leads 24 and 48 h, inits 2000-01-01 to 2000-01-06) under a long variable name
    /// and with a long event definition, so titles must wrap or shrink.
    func card(name: String = "tas") throws -> Scorecard {
        let (fs, ts) = VerifyTestData.sources(forecast: VerifyTestData.forecast(name: name), truth: VerifyTestData.truth(name: name))
        let events = [EventDefinition(name: "gt281", comparison: .greater, threshold: .fixed(281)),
                      EventDefinition(name: "le279.123456789", comparison: .lessOrEqual, threshold: .fixed(279.123456789))]
        return try VerifyWorkflow.run(VerifyTestData.options(events: events), forecast: fs, truth: ts)
    }

    /// One parsed SVG: canvas size, text elements and circles with their attributes.
    struct ParsedSVG {
        var width = 0.0, height = 0.0
        var texts: [(attributes: [String: String], content: String)] = []
        var circles: [[String: String]] = []
        var polylines: [[String: String]] = []
    }

    final class SVGReader: NSObject, XMLParserDelegate {
        var svg = ParsedSVG()
        var textAttributes: [String: String]?
        var content = ""
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String]) {
            switch name {
            case "svg": svg.width = Double(attributes["width"] ?? "") ?? 0; svg.height = Double(attributes["height"] ?? "") ?? 0
            case "text": textAttributes = attributes; content = ""
            case "circle": svg.circles.append(attributes)
            case "polyline": svg.polylines.append(attributes)
            default: break
            }
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) { if textAttributes != nil { content += string } }
        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            if name == "text", let a = textAttributes { svg.texts.append((a, content)); textAttributes = nil }
        }
    }

    func parse(_ url: URL, file: StaticString = #filePath, line: UInt = #line) throws -> ParsedSVG {
        let parser = try XCTUnwrap(XMLParser(contentsOf: url))
        let reader = SVGReader()
        parser.delegate = reader
        XCTAssertTrue(parser.parse(), "\(url.lastPathComponent) is not valid XML: \(String(describing: parser.parserError))", file: file, line: line)
        return reader.svg
    }

    /// Asserts every text element lies within the canvas by TextMeasure's widths (rotated labels along y).
    func assertTextFits(_ svg: ParsedSVG, _ name: String, file: StaticString = #filePath, line: UInt = #line) {
        for (a, s) in svg.texts {
            let size = Double(a["font-size"] ?? "") ?? 0, x = Double(a["x"] ?? "") ?? -1, y = Double(a["y"] ?? "") ?? -1
            let w = TextMeasure.width(s, size: size, bold: a["font-weight"] == "bold")
            let offset: Double = a["text-anchor"] == "middle" ? w / 2 : a["text-anchor"] == "end" ? w : 0
            let rotated = a["transform"]?.hasPrefix("rotate(-90") ?? false
            let (pos, extent) = rotated ? (y, svg.height) : (x, svg.width)
            // Rotated by -90 degrees the text runs upwards: its start is at the larger y.
            let lo = rotated ? pos - (w - offset) : pos - offset, hi = rotated ? pos + offset : pos - offset + w
            XCTAssertTrue(lo >= 0 && hi <= extent, "\(name): '\(s)' spans \(lo)...\(hi) of 0...\(extent)", file: file, line: line)
            XCTAssertTrue((rotated ? x : y) >= 0 && (rotated ? x : y) <= (rotated ? svg.width : svg.height), "\(name): '\(s)' outside", file: file, line: line)
        }
    }

    func testEveryFigureIsValidXMLWithTextInsideTheCanvas() throws {
        let longName = "sea_surface_temperature_anomaly_relative_to_the_1991_2020_daily_climatology"
        let c = try card(name: longName)
        let written = try VerificationFigures.write(c, toDirectory: dir)
        let svgs = written.filter { $0.hasSuffix(".svg") }
        XCTAssertEqual(svgs.count, 3 + 2 * (1 + 2 * 2) + 1, "3 skill figures, per lead a rank histogram and 2 events x (reliability, ROC), spread/skill")
        for name in svgs {
            let svg = try parse(dir.appendingPathComponent(name))
            XCTAssertGreaterThan(svg.width, 0, name)
            let titles = svg.texts.filter { $0.attributes["class"] == "title" }
            XCTAssertFalse(titles.isEmpty, name)
            assertTextFits(svg, name)
            let subtitle = svg.texts.filter { $0.attributes["class"] == "subtitle" }.map(\.content).joined(separator: " ")
            XCTAssertTrue(subtitle.contains("2000-01-01 00:00") && subtitle.contains("2000-01-06 00:00") && subtitle.contains("6 inits"),
                          "\(name): subtitle '\(subtitle)' gives the period and the number of inits")
        }
        // The long variable name forces the titles onto two lines or a smaller size.
        let skill = try parse(dir.appendingPathComponent("skill_\(longName).svg"))
        let titleLines = skill.texts.filter { $0.attributes["class"] == "title" }
        XCTAssertTrue(titleLines.count == 2 || (Double(titleLines[0].attributes["font-size"] ?? "") ?? 15) < 15)
        let rel = try String(contentsOf: dir.appendingPathComponent("reliability_\(longName)_gt281_48h.svg"), encoding: .utf8)
        XCTAssertTrue(rel.contains("&gt; 281 K"), "event titles carry the variable's units")
    }

    func testLeadTicksAreAtTheLeadTimes() throws {
        let c = try card()
        try VerificationFigures.write(c, toDirectory: dir)
        for name in ["crps_tas.svg", "skill_tas.svg", "spread_skill.svg"] {
            let ticks = try parse(dir.appendingPathComponent(name)).texts.filter { $0.attributes["class"] == "xtick" }
            XCTAssertEqual(ticks.map(\.content), ["1 d", "2 d"], name)
        }
        // Six-hourly leads to 15 days: ticks are a subset of the leads, evenly placed in lead time, labels apart.
        let hours = (1...60).map { Double($0) * 6 }
        let axis = LeadTimeAxis(hours: hours)
        XCTAssertFalse(axis.inDays)
        let chart = LineChart(title: "t", subtitle: nil, leads: axis, yLabel: "y (1)",
                              series: [ChartSeries(label: "s", points: hours.map { ($0, $0 * $0) })])
        try chart.render().write(to: dir.appendingPathComponent("many.svg"))
        let svg = try parse(dir.appendingPathComponent("many.svg"))
        let ticks = svg.texts.filter { $0.attributes["class"] == "xtick" }
        XCTAssertGreaterThan(ticks.count, 3)
        XCTAssertLessThan(ticks.count, hours.count, "60 leads cannot all be labelled")
        let leadOf = Dictionary(uniqueKeysWithValues: hours.map { (axis.label($0), $0) })
        let pairs = try ticks.map { (try XCTUnwrap(leadOf[$0.content], "tick '\($0.content)' is not a lead"), Double($0.attributes["x"] ?? "") ?? .nan) }
        XCTAssertEqual(pairs.first?.0, 6)
        let pixelsPerHour = (pairs[1].1 - pairs[0].1) / (pairs[1].0 - pairs[0].0)
        for ((h0, x0), (h1, x1)) in zip(pairs, pairs.dropFirst()) {
            XCTAssertEqual((x1 - x0) / (h1 - h0), pixelsPerHour, accuracy: 0.01, "ticks placed linearly in lead time")
            let gap = x1 - x0 - (TextMeasure.width(axis.label(h0), size: 11) + TextMeasure.width(axis.label(h1), size: 11)) / 2
            XCTAssertGreaterThanOrEqual(gap, 8, "labels at \(h0) and \(h1) h overlap")
        }
        XCTAssertEqual(LeadTimeAxis(hours: [72, 24, 120, 24]).ticks.map(\.label), ["1 d", "3 d", "5 d"])
        XCTAssertEqual(LeadTimeAxis(hours: [12, 24, 36]).ticks.map(\.label), ["12 h", "24 h", "36 h"])
    }

    func testSparseReliabilityBinsAreNotDrawnAsPoints() throws {
        var table = try ProbabilityEventAccumulator(members: 20)
        // Many forecasts at low probabilities, a handful at high ones (a rare event).
        for k in 0...20 {
            let n = k <= 6 ? 400 : k == 20 ? 0 : 3
            for i in 0..<n { table.add(memberCount: k, event: i % 21 < k, weight: 1) }
        }
        let bins = try table.reliabilityDiagram(bins: 10)
        let minimum = 50
        let svgURL = dir.appendingPathComponent("rel.svg")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try ReliabilityDiagramChart(title: "r", bins: bins, climatology: table.baseRate, minimumCount: minimum).render().write(to: svgURL)
        let svg = try parse(svgURL)
        let filled = svg.circles.filter { $0["class"] == "bin" }, hollow = svg.circles.filter { $0["class"] == "sparse-bin" }
        let dense = bins.filter { $0.count >= minimum }.count, sparse = bins.filter { $0.count > 0 && $0.count < minimum }.count
        XCTAssertGreaterThan(dense, 0)
        XCTAssertGreaterThan(sparse, 0)
        XCTAssertEqual(filled.count, dense)
        XCTAssertEqual(hollow.count, sparse)
        XCTAssertTrue(hollow.allSatisfy { $0["fill"] == "white" && $0["stroke"] != nil })
        let line = try XCTUnwrap(svg.polylines.first { $0["stroke"] == chartPalette[0] })
        XCTAssertEqual(line["points"]?.split(separator: " ").count, dense, "the line joins only the drawn bins")
        assertTextFits(svg, "rel.svg")

        // Through the pipeline: the figure's filled points are the bins of the event table with enough forecasts.
        let c = try card()
        try VerificationFigures.write(c, toDirectory: dir, reliabilityBins: 5, minimumBinCount: 10)
        let a = try XCTUnwrap(c.accumulator("tas", 48)), e = a.events[0]
        let expected = try e.table.reliabilityDiagram(bins: 5).filter { $0.count >= 10 }.count
        let fig = try parse(dir.appendingPathComponent("reliability_tas_gt281_48h.svg"))
        XCTAssertEqual(fig.circles.filter { $0["class"] == "bin" }.count, expected)
        XCTAssertEqual(fig.circles.filter { $0["class"] == "bin" || $0["class"] == "sparse-bin" }.count,
                       try e.table.reliabilityDiagram(bins: 5).filter { $0.count > 0 }.count)
    }

    func testIndexListsEveryFigureWritten() throws {
        let c = try card()
        let written = try VerificationFigures.write(c, toDirectory: dir)
        XCTAssertTrue(written.contains(FigureIndex.fileName))
        let onDisk = Set(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".svg") })
        XCTAssertEqual(onDisk, Set(written.filter { $0.hasSuffix(".svg") }))

        final class ImageReader: NSObject, XMLParserDelegate {
            var sources: [String] = []
            var headings: [String] = []
            var inHeading = false
            func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                        attributes: [String: String]) {
                if name == "img", let s = attributes["src"] { sources.append(s) }
                if name == "h2" || name == "h3" { inHeading = true; headings.append("") }
            }
            func parser(_ parser: XMLParser, foundCharacters string: String) { if inHeading { headings[headings.count - 1] += string } }
            func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
                if name == "h2" || name == "h3" { inHeading = false }
            }
        }
        let parser = try XCTUnwrap(XMLParser(contentsOf: dir.appendingPathComponent(FigureIndex.fileName)))
        let reader = ImageReader()
        parser.delegate = reader
        XCTAssertTrue(parser.parse(), "index.html is well-formed: \(String(describing: parser.parserError))")
        XCTAssertEqual(reader.sources.count, onDisk.count, "each figure listed once")
        XCTAssertEqual(Set(reader.sources), onDisk)
        XCTAssertTrue(reader.headings.contains("tas (K)"))
        XCTAssertTrue(reader.headings.contains("Reliability: tas > 281 K"))
        XCTAssertTrue(reader.headings.contains("ROC: tas <= 279.123456789 K"))
    }

    func testTextMeasureWrapsAndShrinks() {
        XCTAssertGreaterThan(TextMeasure.width("WWW", size: 12), TextMeasure.width("iii", size: 12))
        XCTAssertGreaterThan(TextMeasure.width("abc", size: 12, bold: true), TextMeasure.width("abc", size: 12))
        XCTAssertEqual(TextMeasure.width("ab", size: 24), 2 * TextMeasure.width("ab", size: 12), accuracy: 1e-12)
        let title = "Reliability of t850 > climatological quantile 0.9 at the grid point, lead 10 d"
        let fit = TextMeasure.fit(title, maxWidth: 300, size: 15, minSize: 11, maxLines: 2, bold: true)
        XCTAssertLessThanOrEqual(fit.lines.count, 2)
        XCTAssertTrue(fit.lines.allSatisfy { TextMeasure.width($0, size: fit.size, bold: true) <= 300 })
        XCTAssertEqual(fit.lines.joined(separator: " "), title, "wrapping keeps every word")
        let unbreakable = String(repeating: "x", count: 120)
        let hard = TextMeasure.fit(unbreakable, maxWidth: 200, size: 15, minSize: 11)
        XCTAssertEqual(hard.size, 11)
        XCTAssertGreaterThan(hard.lines.count, 1)
        XCTAssertTrue(hard.lines.allSatisfy { TextMeasure.width($0, size: 11) <= 200 })
        XCTAssertEqual(hard.lines.joined(), unbreakable)
        XCTAssertEqual(TextMeasure.fit("short", maxWidth: 300, size: 15, minSize: 11).lines, ["short"])
    }

    func testInitPeriodUnionAndMerge() throws {
        let a = InitPeriod(first: "2000-01-03T00:00:00", last: "2000-01-05T00:00:00")
        let b = InitPeriod(first: "1999-12-30T12:00:00", last: "2000-01-04T00:00:00")
        XCTAssertEqual(a.union(b), InitPeriod(first: "1999-12-30T12:00:00", last: "2000-01-05T00:00:00"))
        XCTAssertEqual(a.union(nil), a)
        let (f1, t) = VerifyTestData.sources(forecast: VerifyTestData.forecast(inits: 0..<3))
        let (f2, _) = VerifyTestData.sources(forecast: VerifyTestData.forecast(inits: 3..<6))
        let c1 = try VerifyWorkflow.run(VerifyTestData.options(), forecast: f1, truth: t)
        let c2 = try VerifyWorkflow.run(VerifyTestData.options(), forecast: f2, truth: t)
        XCTAssertEqual(c1.metadata.initPeriod, InitPeriod(first: "2000-01-01T00:00:00", last: "2000-01-03T00:00:00"))
        let merged = try VerificationPartials.merge([("a", VerificationPartials(c1)), ("b", VerificationPartials(c2))])
        XCTAssertEqual(merged.metadata.initPeriod, InitPeriod(first: "2000-01-01T00:00:00", last: "2000-01-06T00:00:00"))
    }
}
