import XCTest
import WXCore
import WXPipelines
import WXVerification

/// `wxens verify` on the shared CF-packed, zlib-compressed reforecast: scores.csv is the same bytes at 1 and 2 threads,
/// with or without reading ahead, and through the direct-chunk plane path or plain hyperslab reads.
final class VerifyPipelineTests: XCTestCase {
    static let shared = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared")

    /// A source that forwards hyperslab reads and has no plane path.
    final class HyperslabOnly: VerifySource {
        let inner: NetCDFVerifySource
        init(_ inner: NetCDFVerifySource) { self.inner = inner }
        var path: String { inner.path }
        func variableNames() throws -> [String] { try inner.variableNames() }
        func variable(_ name: String) throws -> SourceVariable { try inner.variable(name) }
        func read(_ name: String, start: [Int], count: [Int]) throws -> [Double] { try inner.read(name, start: start, count: count) }
    }

    func files() throws -> (String, String) {
        let f = Self.shared.appendingPathComponent("data/perfect-model/reforecast_validation.nc").path
        let t = Self.shared.appendingPathComponent("data/perfect-model/truth.nc").path
        guard FileManager.default.fileExists(atPath: f), FileManager.default.fileExists(atPath: t) else {
            throw XCTSkip("../shared is needed for this test")
        }
        return (f, t)
    }

    func testScoresCSVSameBytesAtOneAndTwoThreadsAndOnEitherReadPath() throws {
        let (f, t) = try files()
        var o = VerifyOptions(forecastPath: f, truthPath: t, variables: ["t850", "msl"],
                              events: try EventDefinition.parseThresholds("t850:>280,msl:<100000"))
        o.quiet = true
        func csv(threads: Int, planes: Bool, maxMemory: Int? = nil) throws -> String {
            var opts = o
            opts.maxMemoryBytes = maxMemory
            let fs = try NetCDFVerifySource(path: f), ts = try NetCDFVerifySource(path: t)
            let card = try Parallel.withThreads(threads) {
                planes ? try VerifyWorkflow.run(opts, forecast: fs, truth: ts)
                    : try VerifyWorkflow.run(opts, forecast: HyperslabOnly(fs), truth: HyperslabOnly(ts))
            }
            return ScoresCSV.text(card)
        }
        let one = try csv(threads: 1, planes: true)
        XCTAssertGreaterThan(one.split(separator: "\n").count, 40)
        XCTAssertFalse(one.contains("NaN"))
        XCTAssertEqual(one, try csv(threads: 2, planes: true))
        XCTAssertEqual(one, try csv(threads: 2, planes: false))
        // Fixed memory: weights, truth and one event's thresholds per point; one init's block: 20 bytes per value.
        let fixed = 48 * 96 * 8 * 4, perInit = 31 * 48 * 96 * 20
        // One init per batch: many batches, each read while the one before is scored.
        XCTAssertEqual(one, try csv(threads: 2, planes: true, maxMemory: fixed + 2 * perInit + 1000))
        // Room for one batch only: read and scored in turn.
        XCTAssertEqual(one, try csv(threads: 1, planes: true, maxMemory: fixed + perInit + perInit / 2))
    }
}
