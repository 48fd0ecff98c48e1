import XCTest
import WXCore
import WXIO
import WXPipelines
import WXVerification

/// scores.csv, scores.nc (WeatherBench2 layout), diagnostics.nc, figures and the climatology file.
final class VerifyOutputTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("wxens-verify-out-\(UUID().uuidString)")
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func card() throws -> Scorecard {
        let (fs, ts) = VerifyTestData.sources()
        return try VerifyWorkflow.run(VerifyTestData.options(), forecast: fs, truth: ts)
    }

    func testScoresCSVHeaderAndRows() throws {
        let c = try card()
        try VerifyOutputs.write(c, toDirectory: dir.path, partials: false, figures: false)
        let text = try String(contentsOf: dir.appendingPathComponent("scores.csv"), encoding: .utf8)
        let lines = text.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "variable,lead_time_hours,metric,value")
        let rows = lines.dropFirst().map { $0.split(separator: ",").map(String.init) }
        XCTAssertEqual(rows.count, c.rows.count)
        XCTAssertEqual(rows.count, 2 * MetricName.all(for: c.accumulators[0], hasClimatology: false).count)
        let metrics = Set(rows.map { $0[2] })
        for m in ["crps", "crps_standard", "crps_skill", "crps_spread", "ensemble_mean_rmse", "ensemble_mean_mse", "ensemble_stddev",
                  "ensemble_variance", "bias", "mae", "spread_skill", "spread_skill_uncorrected", "rank_delta", "brier_score_gt281",
                  "debiased_brier_score_gt281", "brier_rel_gt281", "brier_res_gt281", "brier_unc_gt281", "roc_auc_gt281", "sedi_gt281"] {
            XCTAssertTrue(metrics.contains(m), m)
        }
        XCTAssertFalse(metrics.contains("crps_fair") || metrics.contains("rmse") || metrics.contains("spread"), "the scorecard's own keys are not published")
        for (r, expected) in zip(rows, c.rows) {
            XCTAssertEqual(r.count, 4)
            XCTAssertEqual(r[0], "tas")
            XCTAssertEqual(Double(r[1]), expected.leadTimeHours)
            XCTAssertEqual(r[2], expected.metric)
            let v = try XCTUnwrap(Double(r[3]))
            if expected.value.isNaN { XCTAssertTrue(v.isNaN) } else { XCTAssertEqual(v, expected.value, "CSV values round-trip exactly") }
        }
        XCTAssertFalse(try FileManager.default.contentsOfDirectory(atPath: dir.path).contains { $0.hasPrefix(".") },
                       "no temporary files left behind")
    }

    func testScoresNetCDFLayout() throws {
        let c = try card()
        try VerifyOutputs.write(c, toDirectory: dir.path, partials: true, figures: true)
        let f = try NetCDFFile(path: dir.appendingPathComponent("scores.nc").path)
        let v = try f.variable("tas")
        XCTAssertEqual(v.dimensionNames, ["metric", "region", "lead_time"])
        XCTAssertEqual(v.attributes["units"]?.stringValue, "K")
        XCTAssertEqual(try f.readDoubles("lead_time"), [24, 48])
        XCTAssertEqual(try f.variable("lead_time").attributes["dtype"]?.stringValue, "timedelta64[ns]")
        XCTAssertNil(try f.variable("lead_time").attributes["_FillValue"])
        let values = try f.readDoubles("tas")
        let metrics = MetricName.all(for: c.accumulators[0], hasClimatology: false)
        let crpsIndex = try XCTUnwrap(metrics.firstIndex { $0.name == "crps" })
        XCTAssertEqual(values[crpsIndex * 2 + 1], Scorecard.scores(of: c.accumulators[1], hasClimatology: false)["crps_fair"])
        XCTAssertEqual(try f.readDoubles("units_power").map(Int.init), metrics.map(\.unitsPower))
        XCTAssertEqual(try f.readDoubles("counts/tas_max_valid_members"), [5, 5])
        XCTAssertEqual(try f.readDoubles("counts/tas_inits"), [6, 6])
        XCTAssertFalse(try f.variables(inGroup: "/").map(\.name).contains { $0.hasPrefix("tas_") }, "counts are out of the root group")
        let g = try f.attributes(ofGroup: "/")
        XCTAssertEqual(g["nan_policy"]?.stringValue, "propagate")
        XCTAssertTrue(g["history"]?.stringValue?.contains("T") ?? false)
        XCTAssertTrue(g["area_weighting"]?.stringValue?.contains("sin") ?? false)
        XCTAssertTrue(g["events"]?.stringValue?.contains("tas > 281") ?? false)
        let d = try NetCDFFile(path: dir.appendingPathComponent("diagnostics.nc").path)
        let rh = try d.readDoubles("tas_rank_histogram")
        XCTAssertEqual(rh.count, 2 * 6)
        XCTAssertEqual(rh[0..<6].reduce(0, +), 6 * 12, accuracy: 1e-9)
        XCTAssertEqual(try d.readDoubles("tas_rank"), [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(try d.readDoubles("tas_probability_bin"), [0, 0.2, 0.4, 0.6, 0.8, 1])
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("partials.json").path))
        let figs = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("figures").path)
        for name in ["crps_tas.svg", "spread_skill.svg", "rank_histogram_tas_24h.svg", "reliability_tas_gt281_48h.svg", "roc_tas_gt281_24h.svg"] {
            XCTAssertTrue(figs.contains(name), name)
        }
        let svg = try String(contentsOf: dir.appendingPathComponent("figures/crps_tas.svg"), encoding: .utf8)
        XCTAssertTrue(svg.contains("CRPS (K)") && svg.contains(">Lead time</text>") && svg.contains(">2 d</text>") && svg.hasSuffix("</svg>\n"))
        XCTAssertTrue(figs.contains("index.html"))
    }

    /// xarray opens scores.nc with dims (metric, region, lead_time) and string metric names (needs WXENS_PYTHON).
    func testScoresNetCDFReadableByXarray() throws {
        guard let py = ProcessInfo.processInfo.environment["WXENS_PYTHON"] else {
            throw XCTSkip("WXENS_PYTHON is not set: skipping the xarray check of scores.nc")
        }
        let c = try card()
        try VerifyOutputs.write(c, toDirectory: dir.path, partials: false, figures: false)
        let script = """
        import sys
        try:
            import xarray as xr
        except ImportError:
            print("NO_XARRAY"); sys.exit(0)
        ds = xr.open_dataset(sys.argv[1])
        assert ds["tas"].dims == ("metric", "region", "lead_time"), ds["tas"].dims
        assert list(ds["region"].values) == ["global"]
        v = float(ds["tas"].sel(metric="crps", region="global").isel(lead_time=0))
        print("CRPS", repr(v))
        """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: py)
        p.arguments = ["-c", script, dir.appendingPathComponent("scores.nc").path]
        let out = Pipe(); p.standardOutput = out; p.standardError = out
        try p.run(); p.waitUntilExit()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        if text.contains("NO_XARRAY") { throw XCTSkip("\(py) has no xarray") }
        XCTAssertEqual(p.terminationStatus, 0, text)
        let crps = try XCTUnwrap(text.split(separator: "\n").first { $0.hasPrefix("CRPS") }.flatMap { Double($0.split(separator: " ")[1]) }, text)
        XCTAssertEqual(crps, Scorecard.scores(of: c.accumulators[0], hasClimatology: false)["crps_fair"], "WB2's crps is the fair estimator")
    }

    func testSVGDocumentEscapesAndBreaksLinesAtNaN() {
        var doc = SVGDocument(width: 100, height: 50)
        doc.text("a < b & \"c\"", 1, 2)
        doc.polyline([(0, 0), (1, 1), (2, .nan), (3, 3), (4, 4)], stroke: "red")
        let s = doc.svg
        XCTAssertTrue(s.contains("a &lt; b &amp; &quot;c&quot;"))
        XCTAssertEqual(s.components(separatedBy: "<polyline").count - 1, 2)
        XCTAssertEqual(LinearScale.niceStep(span: 97, target: 5), 20)
        XCTAssertEqual(LinearScale.niceRange([0.26, 0.42], includeZero: true).1, 0.5, accuracy: 1e-12)
    }
}
