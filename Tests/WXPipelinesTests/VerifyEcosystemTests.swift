import Foundation
import XCTest
import WXCore
import WXIO
import WXPipelines
import WXVerification

/// wxens outputs opened as WeatherBench2 users open them (xarray defaults, through WXENS_PYTHON) and checked by the CF
/// checker (compliance-checker, cf:1.8); a forecast in WB2's own layout verifies to the same scores as ours.
final class VerifyEcosystemTests: XCTestCase {
    var fx: VerifyFilesFixture!

    override func setUpWithError() throws { fx = try VerifyFilesFixture() }
    override func tearDownWithError() throws { fx?.remove() }

    /// Verifies the fixture with a climatology into `out`; returns the scorecard.
    func verify(_ forecast: String? = nil, out: String? = nil) throws -> Scorecard {
        try VerifyOutputs.verify(VerifyOptions(forecastPath: forecast ?? fx.forecast, truthPath: fx.truth, outDirectory: out,
                                               events: [EventDefinition(name: "gt281", comparison: .greater, threshold: .fixed(281), variable: "tas")],
                                               climatologyPath: fx.climatology, writeFigures: false))
    }

    func verdict(_ json: [String: Any], minChecks: Int) throws {
        let failures = json["failures"] as? [String] ?? ["no failures list in \(json)"]
        XCTAssertEqual(json["ok"] as? Bool, true, failures.joined(separator: "\n"))
        XCTAssertEqual(failures, [])
        XCTAssertGreaterThanOrEqual(json["checks"] as? Int ?? 0, minChecks)
    }

    func testOutputsReadAsWeatherBench2ReadsThem() throws {
        _ = try VerifyFilesFixture.python.get()
        let out = fx.path("out")
        let card = try verify(out: out)
        let a = try XCTUnwrap(card.accumulator("tas", 24))
        let expect: [String: Any] = [
            "scores": out + "/scores.nc", "diagnostics": out + "/diagnostics.nc", "climatology": fx.climatology,
            "ensemble": fx.forecast, "variable": "tas", "units": "K", "ensemble_leads": [24, 48],
            "crps_lead0": try XCTUnwrap(MetricName.values(of: a, hasClimatology: true)["crps"]), "inits_lead0": a.inits,
            "fixed_event": ["name": "gt281", "operator": ">", "threshold": 281], "points_lead0": a.points,
        ]
        let e = fx.path("expect.json")
        try JSONSerialization.data(withJSONObject: expect).write(to: URL(fileURLWithPath: e))
        try verdict(try VerifyFilesFixture.check(["xarray", e]), minChecks: 50)
    }

    func testOutputsHaveNoCFErrors() throws {
        let out = fx.path("out")
        _ = try verify(out: out)
        let files = [out + "/scores.nc", out + "/diagnostics.nc", fx.climatology, fx.forecast]
        let json = try VerifyFilesFixture.check(["cf"] + files)
        try verdict(json, minChecks: files.count)
    }

    /// WB2's layout twice: with `time` as standard_name forecast_reference_time, and bare as in WB2's own files.
    func testWeatherBench2LayoutVerifiesToTheSameScores() throws {
        let ours = try verify()
        XCTAssertGreaterThan(ours.rows.count, 20)
        for bare in [false, true] {
            let wb2 = fx.path("wb2-\(bare).nc")
            let json = try VerifyFilesFixture.check(["to-wb2", fx.forecast, wb2] + (bare ? ["bare"] : []))
            XCTAssertEqual(json["ok"] as? Bool, true, "\(json)")
            let f = try NetCDFFile(path: wb2)
            XCTAssertEqual(try f.variable("tas").dimensionNames, ["time", "prediction_timedelta", "number", "latitude", "longitude"])
            XCTAssertEqual(try f.variable("time").attributes["standard_name"]?.stringValue, bare ? nil : "forecast_reference_time")
            let theirs = try verify(wb2)
            XCTAssertEqual(ours.accumulators.map(\.leadTimeHours), theirs.accumulators.map(\.leadTimeHours))
            XCTAssertEqual(ours.rows.count, theirs.rows.count)
            for (x, y) in zip(ours.rows, theirs.rows) {
                XCTAssertEqual(x.metric, y.metric)
                XCTAssertEqual(x.leadTimeHours, y.leadTimeHours)
                XCTAssertTrue(x.value == y.value || (x.value.isNaN && y.value.isNaN), "bare \(bare): \(x.metric) at \(x.leadTimeHours) h: \(x.value) vs \(y.value)")
            }
        }
    }
}
