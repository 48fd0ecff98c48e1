import XCTest
import Foundation

/// `wxens verify` on a forecast file larger than its `--max-memory` (made by scripts/bench/make_large_forecast.py):
/// one init per batch, each read while the one before is scored, gives scores.csv byte-identical to a run that
/// reads every init at once.
final class VerifyLargerThanMemoryTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("wxens-large-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    static let shared = VerifyFilesFixture.repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared")

    func wxens() throws -> String {
        for d in [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(), Bundle.main.bundleURL,
                  Bundle.main.bundleURL.deletingLastPathComponent()] {
            let u = d.appendingPathComponent("wxens")
            if FileManager.default.isExecutableFile(atPath: u.path) { return u.path }
        }
        throw XCTSkip("the wxens executable was not found beside the test bundle (build the package first)")
    }

    func testForecastLargerThanMaxMemoryScoresAsOneRead() throws {
        let truth = Self.shared.appendingPathComponent("data/perfect-model/truth.nc").path
        guard FileManager.default.fileExists(atPath: truth) else { throw XCTSkip("../shared is needed for this test") }
        let py = try VerifyFilesFixture.python.get(), exe = try wxens()
        let forecast = dir.appendingPathComponent("forecast.nc").path
        let make = try VerifyFilesFixture.runProcess(py, [VerifyFilesFixture.repositoryRoot.appendingPathComponent("scripts/bench/make_large_forecast.py").path,
                                                          forecast, "4", Self.shared.path])
        XCTAssertEqual(make.status, 0, make.err)
        // 31 members x 48 x 96 points: an init of one (variable, lead) needs 20 bytes a value; the fixed part is the
        // weights, truth and mean per point and the event's threshold (4 x 8 bytes). This cap holds two inits: one read while one is scored.
        let points = 48 * 96, perInit = 31 * points * 20, fixed = points * 8 * 4
        let cap = fixed + 2 * perInit + 1000
        let size = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: forecast)[.size] as? Int)
        XCTAssertGreaterThan(size, 8 * cap, "the file is several times the cap")
        func verify(_ name: String, maxMemory: String) throws -> String {
            let out = dir.appendingPathComponent(name).path
            let r = try VerifyFilesFixture.runProcess(exe, ["verify", "--forecast", forecast, "--truth", truth, "--out", out,
                                                            "--thresholds", "t850:>280", "--max-memory", maxMemory, "--no-figures", "--quiet"])
            XCTAssertEqual(r.status, 0, r.err)
            return try String(contentsOfFile: out + "/scores.csv", encoding: .utf8)
        }
        let batched = try verify("batched", maxMemory: String(cap))
        let whole = try verify("whole", maxMemory: "4GB")
        XCTAssertGreaterThan(batched.split(separator: "\n").count, 7 * 3 * 10)
        XCTAssertFalse(batched.contains("nan") || batched.contains("NaN"), "every score defined")
        XCTAssertEqual(batched, whole)
        // One init less than the cap needs is refused before any work.
        let refused = try VerifyFilesFixture.runProcess(exe, ["verify", "--forecast", forecast, "--truth", truth, "--out",
                                                              dir.appendingPathComponent("refused").path, "--max-memory", String(fixed + perInit / 2), "--quiet"])
        XCTAssertEqual(refused.status, 64, refused.err)
        XCTAssertTrue(refused.err.contains("--max-memory"), refused.err)
    }
}
