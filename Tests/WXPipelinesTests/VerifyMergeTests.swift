import XCTest
import WXCore
import WXPipelines
import WXVerification

/// Partials of shards split by init time merge into exactly the scores of one run.
final class VerifyMergeTests: XCTestCase {
    func testThreeShardsByInitTimeEqualOneRun() throws {
        let truth = FieldSource(path: "truth.nc", fields: [VerifyTestData.truth()])
        let whole = try VerifyWorkflow.run(VerifyTestData.options(),
                                           forecast: FieldSource(path: "forecast.nc", fields: [VerifyTestData.forecast()]), truth: truth)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wxens-merge-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        var runs: [String] = []
        for (k, r) in [0..<2, 2..<4, 4..<6].enumerated() {
            let fs = FieldSource(path: "shard\(k).nc", fields: [VerifyTestData.forecast(inits: r)])
            let card = try VerifyWorkflow.run(VerifyTestData.options(), forecast: fs, truth: truth)
            let run = dir.appendingPathComponent("run\(k)")
            try VerifyOutputs.write(card, toDirectory: run.path, partials: true, figures: false)
            runs.append(run.path)
        }
        let merged = try VerifyOutputs.merge(runs: runs, outDirectory: dir.appendingPathComponent("merged").path, figures: false)
        XCTAssertEqual(merged.accumulators.count, whole.accumulators.count)
        for (m, w) in zip(merged.accumulators, whole.accumulators) {
            XCTAssertEqual(m.variable, w.variable); XCTAssertEqual(m.leadTimeHours, w.leadTimeHours)
            XCTAssertEqual(m.rankCounts, w.rankCounts, "counts merge exactly")
            XCTAssertEqual(m.events.map(\.count), w.events.map(\.count))
            XCTAssertEqual(m.events.map(\.observedCount), w.events.map(\.observedCount))
            XCTAssertEqual(m.inits, w.inits); XCTAssertEqual(m.points, w.points); XCTAssertEqual(m.blocks, w.blocks)
            for (a, b) in [(m.sumCRPS, w.sumCRPS), (m.sumCRPSFair, w.sumCRPSFair), (m.sumSquaredError, w.sumSquaredError),
                           (m.sumVariance, w.sumVariance), (m.sumError, w.sumError), (m.events[0].sumBrier, w.events[0].sumBrier)] {
                XCTAssertEqual(a, b, accuracy: 1e-12 * max(abs(b), 1), "sums merge within rounding")
            }
        }
        for (a, b) in zip(merged.rows, whole.rows) {
            XCTAssertEqual(a.metric, b.metric)
            if b.value.isNaN { XCTAssertTrue(a.value.isNaN) } else { XCTAssertEqual(a.value, b.value, accuracy: 1e-12 * max(abs(b.value), 1)) }
        }
        XCTAssertEqual(merged.metadata.forecastPaths, ["shard0.nc", "shard1.nc", "shard2.nc"])
    }

    func testIncompatiblePartialsAreRejected() throws {
        let truth = FieldSource(path: "truth.nc", fields: [VerifyTestData.truth()])
        let fs = FieldSource(path: "f.nc", fields: [VerifyTestData.forecast()])
        let a = try VerifyWorkflow.run(VerifyTestData.options(nanPolicy: .propagate), forecast: fs, truth: truth)
        let b = try VerifyWorkflow.run(VerifyTestData.options(nanPolicy: .omit), forecast: fs, truth: truth)
        XCTAssertThrowsError(try VerificationPartials.merge([("a", VerificationPartials(a)), ("b", VerificationPartials(b))])) { e in
            guard case VerifyError.partialsIncompatible? = e as? VerifyError else { return XCTFail("\(e)") }
        }
        let fewer = try VerifyWorkflow.run(VerifyTestData.options(),
                                           forecast: FieldSource(path: "g.nc", fields: [VerifyTestData.forecast(members: 4)]), truth: truth)
        XCTAssertThrowsError(try VerificationPartials.merge([("a", VerificationPartials(a)), ("c", VerificationPartials(fewer))]))
        XCTAssertThrowsError(try VerificationPartials.read("/nonexistent/run")) { e in
            XCTAssertTrue("\(e)".contains("/nonexistent/run"))
        }
    }
}
