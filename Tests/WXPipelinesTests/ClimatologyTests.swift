import XCTest
import WXCore
import WXIO
import WXPipelines
import WXVerification

/// `wxens climatology` quantiles, and verify with a climatology (ACC and climatology events).
final class ClimatologyTests: XCTestCase {
    func testLinearQuantileMatchesNumpyRule() {
        let x: [Double] = [1, 2, 4, 8, 16]
        func q(_ p: Double) -> Double { x.withUnsafeBufferPointer { ClimatologyWorkflow.linearQuantile(sorted: $0, p) } }
        // numpy.quantile([1, 2, 4, 8, 16], [0.9, 0.5, 0.99, 0.3]) = 12.8, 4, 15.68, 2.4
        XCTAssertEqual(q(0.9), 12.8, accuracy: 1e-12)
        XCTAssertEqual(q(0.5), 4)
        XCTAssertEqual(q(0.99), 15.68, accuracy: 1e-12)
        XCTAssertEqual(q(0.3), 2.4, accuracy: 1e-12)
        XCTAssertTrue([Double]().withUnsafeBufferPointer { ClimatologyWorkflow.linearQuantile(sorted: $0, 0.5) }.isNaN)
    }

    func testClimatologyFileAndVerifyWithIt() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wxens-clim-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        // A truth file on disk, written with the CF time-series writer.
        let t = VerifyTestData.truth()
        let truthPath = dir.appendingPathComponent("truth.nc").path
        let w = try CFTimeSeriesWriter(path: truthPath, times: WXIO.CFTimeAxis(hours: t.coordinates["time"]!.values.map { $0 * 24 - 24 }, reference: "2000-01-01 00:00:00"),
                                       latitudes: VerifyTestData.latitudes, longitudes: VerifyTestData.longitudes,
                                       variables: [CFDataVariable(name: "tas", units: "K")], global: CFGlobalAttributes(title: "test truth"))
        try w.write(variable: "tas", values: t.values)
        try w.finish()
        let climPath = dir.appendingPathComponent("clim.nc").path
        let clim = try ClimatologyWorkflow.run(ClimatologyOptions(truthPath: truthPath, from: "2000-01-02", to: "2000-01-06", outPath: climPath))
        let c = try XCTUnwrap(clim.first)
        // Times 2000-01-02 00 .. 2000-01-06 00 inclusive: 17 six-hourly frames.
        XCTAssertEqual(c.count, Array(repeating: 17, count: 12))
        let P = 12
        for p in [0, 5, 11] {
            let samples = (4..<21).map { Double(Float(t.values[$0 * P + p])) }.sorted()  // the file stores float32
            let mean = samples.reduce(0, +) / 17
            XCTAssertEqual(c.mean[p], mean, accuracy: 1e-12)
            XCTAssertEqual(c.std[p], (samples.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 17).squareRoot(), accuracy: 1e-12)
            let h = 16 * 0.9, lo = Int(h)
            XCTAssertEqual(c.quantiles[0][p], samples[lo] + (h - Double(lo)) * (samples[lo + 1] - samples[lo]), accuracy: 1e-12)
        }
        let (fs, _) = VerifyTestData.sources()
        let ts = try NetCDFVerifySource(path: truthPath)
        let cs = try NetCDFVerifySource(path: climPath)
        var o = VerifyTestData.options(events: [])
        o.climatologyPath = climPath
        let card = try VerifyWorkflow.run(o, forecast: fs, truth: ts, climatology: cs)
        let s = Scorecard.scores(of: card.accumulators[0], hasClimatology: true)
        let acc = try XCTUnwrap(s["acc"])
        XCTAssertTrue(acc > -1 && acc < 1, "\(acc)")
        for e in ["q90", "q95", "q99", "anom_gt2sd", "anom_lt2sd", "anom_gt3sd", "anom_lt3sd"] {
            XCTAssertNotNil(s["brier_\(e)"], e)
        }
        XCTAssertTrue(card.metadata.events.first { $0.name == "q90" }!.definition.contains("> climatological quantile 0.9"))
        XCTAssertThrowsError(try ClimatologyWorkflow.run(ClimatologyOptions(truthPath: truthPath, from: "2001-01-01", to: "2001-02-01", outPath: climPath)))
        XCTAssertThrowsError(try ClimatologyWorkflow.run(ClimatologyOptions(truthPath: truthPath, from: "2000-01-02", to: "2000-01-06", outPath: climPath, quantiles: [1.5])))
    }
}
