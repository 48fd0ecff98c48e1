import XCTest
import Foundation

/// The `wxens verify` and `wxens climatology` commands exit non-zero with a clear message on bad input.
final class VerifyCLITests: XCTestCase {
    func wxens() throws -> URL {
        let candidates = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
                          Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent()]
        for d in candidates {
            let u = d.appendingPathComponent("wxens")
            if FileManager.default.isExecutableFile(atPath: u.path) { return u }
        }
        throw XCTSkip("the wxens executable was not found beside the test bundle (build the package first)")
    }

    func run(_ args: [String]) throws -> (status: Int32, stderr: String) {
        let p = Process()
        p.executableURL = try wxens()
        p.arguments = args
        let err = Pipe()
        p.standardError = err
        p.standardOutput = Pipe()
        try p.run()
        let data = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    func testMissingForecastFile() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("wxens-cli-\(UUID().uuidString)").path
        let r = try run(["verify", "--forecast", "/nonexistent/fc.nc", "--truth", "/nonexistent/truth.nc", "--out", out, "--quiet"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("/nonexistent/fc.nc"), r.stderr)
        XCTAssertTrue(r.stderr.contains("cannot read"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/scores.csv"))
    }

    func testBadOptions() throws {
        let r = try run(["verify", "--forecast", "a.nc", "--truth", "b.nc", "--nan-policy", "ignore"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("--nan-policy") && r.stderr.contains("propagate, omit or raise"), r.stderr)
        let t = try run(["verify", "--forecast", "a.nc", "--truth", "b.nc", "--thresholds", "t850=280"])
        XCTAssertNotEqual(t.status, 0)
        XCTAssertTrue(t.stderr.contains("--thresholds"), t.stderr)
        let m = try run(["verify", "merge", "--out", "/tmp/wxens-cli-merge-unused", "/nonexistent/run1"])
        XCTAssertNotEqual(m.status, 0)
        XCTAssertTrue(m.stderr.contains("/nonexistent/run1"), m.stderr)
        let c = try run(["climatology", "--truth", "/nonexistent/t.nc", "--from", "2000-01-01", "--to", "2000-02-01", "--out", "/tmp/x.nc", "--quantiles", "0.9,2"])
        XCTAssertNotEqual(c.status, 0)
        XCTAssertTrue(c.stderr.contains("--quantiles"), c.stderr)
    }

    func testUnknownThresholdVariableIsAUsageError() throws {
        let fx = try VerifyFilesFixture()
        defer { fx.remove() }
        let r = try run(["verify", "--forecast", fx.forecast, "--truth", fx.truth, "--out", fx.path("out"), "--quiet", "--no-figures",
                         "--thresholds", "tas:>281,t850:>280"])
        XCTAssertEqual(r.status, 64, r.stderr)
        XCTAssertTrue(r.stderr.contains("--thresholds") && r.stderr.contains("'t850'") && r.stderr.contains(fx.forecast), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: fx.path("out/scores.csv")))
    }

    func testRerunIntoAnEarlierRunNeedsOverwriteWhichClearsStaleFigures() throws {
        let fx = try VerifyFilesFixture()
        defer { fx.remove() }
        let out = fx.path("out")
        let base = ["verify", "--forecast", fx.forecast, "--truth", fx.truth, "--out", out, "--quiet", "--thresholds", "tas:>281"]
        XCTAssertEqual(try run(base).status, 0)
        let stale = out + "/figures/stale_from_an_earlier_run.svg"
        try Data("<svg/>".utf8).write(to: URL(fileURLWithPath: stale))
        let csv = try String(contentsOfFile: out + "/scores.csv", encoding: .utf8)
        let refused = try run(base)
        XCTAssertEqual(refused.status, 64, refused.stderr)
        XCTAssertTrue(refused.stderr.contains("--overwrite") && refused.stderr.contains(out), refused.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: stale), "a refused run touches nothing")
        let again = try run(base + ["--overwrite", "--no-figures"])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/figures"), "figures of the earlier run are gone")
        XCTAssertEqual(try String(contentsOfFile: out + "/scores.csv", encoding: .utf8), csv)
        XCTAssertFalse(try FileManager.default.contentsOfDirectory(atPath: out).contains { $0.hasPrefix(".") }, "no staging left")
    }

    func testMissingFileGivesTheSameStatusInInspectAndVerify() throws {
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("wxens-missing-\(UUID().uuidString).nc").path
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("wxens-cli-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let i = try run(["inspect", missing])
        let v = try run(["verify", "--forecast", missing, "--truth", missing, "--out", out, "--quiet"])
        let c = try run(["climatology", "--truth", missing, "--from", "2000-01-01", "--to", "2000-02-01", "--out", out + ".nc"])
        XCTAssertEqual(i.status, 66, i.stderr)
        XCTAssertEqual(v.status, 66, v.stderr)
        XCTAssertEqual(c.status, 66, c.stderr)
        for r in [i, v, c] { XCTAssertEqual(r.stderr.components(separatedBy: missing).count, 2, "the path is named once: \(r.stderr)") }
    }
}
