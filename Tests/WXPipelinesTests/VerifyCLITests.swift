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
}
