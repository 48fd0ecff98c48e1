import Foundation
import XCTest

/// Every command reports an error as one line naming the file once, with the same exit status for the same error
/// (64 usage, 65 data, 66 input, 73 output).
final class CLIExitStatusTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("wxens-cli-status-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func run(_ args: [String], environment: [String: String] = [:]) throws -> (status: Int32, out: String, err: String) {
        let exe = URL(fileURLWithPath: ProcessInfo.processInfo.arguments[0]).deletingLastPathComponent().appendingPathComponent("wxens")
        guard FileManager.default.isExecutableFile(atPath: exe.path) else { throw XCTSkip("wxens executable not found at \(exe.path)") }
        let p = Process()
        p.executableURL = exe
        p.arguments = args
        p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    func testSameErrorSameStatusInEveryCommand() throws {
        let fifo = dir.appendingPathComponent("x.nc").path
        XCTAssertEqual(mkfifo(fifo, 0o644), 0)
        let out = dir.appendingPathComponent("out").path
        for args in [["inspect", fifo], ["verify", "--forecast", fifo, "--truth", fifo, "--out", out, "--quiet"],
                     ["climatology", "--truth", fifo, "--from", "2000-01-01", "--to", "2000-02-01", "--out", out + ".nc"]] {
            let r = try run(args)
            XCTAssertEqual(r.status, 66, "\(args): \(r.err)")
            XCTAssertTrue(r.err.contains("not a regular file (a FIFO)"), r.err)
            XCTAssertEqual(r.err.components(separatedBy: fifo).count, 2, "the file is named once: \(r.err)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/scores.csv"))
        for args in [["verify", "--forecast", "a.nc", "--truth", "b.nc", "--max-memory", "10000000000GB"],
                     ["climatology", "--truth", "a.nc", "--from", "2000-01-01", "--to", "2000-02-01", "--out", "c.nc", "--max-memory", "10000000000GB"],
                     ["verify", "--forecast", "a.nc", "--truth", "b.nc", "--out", ""],
                     ["verify", "--forecast", "a.nc", "--truth", "b.nc", "--lead-times", "24,24"]] {
            let r = try run(args)
            XCTAssertEqual(r.status, 64, "\(args): \(r.err)")
            XCTAssertTrue(r.err.hasPrefix("wxens: error: invalid value"), r.err)
        }
    }

    func testGRIBErrorsNameTheFileOnceWithTheInputAndUsageStatuses() throws {
        let shared = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/data/grib")
        let mixed = shared.appendingPathComponent("t_on_different_level_types.grib").path
        guard FileManager.default.fileExists(atPath: mixed) else { throw XCTSkip("../shared/data/grib is absent") }
        let out = dir.appendingPathComponent("out").path
        let hypercube = try run(["verify", "--forecast", mixed, "--truth", mixed, "--out", out, "--quiet"])
        XCTAssertEqual(hypercube.status, 66, hypercube.err)
        XCTAssertTrue(hypercube.err.contains("does not form one hypercube"), hypercube.err)
        XCTAssertEqual(hypercube.err.components(separatedBy: mixed).count, 2, "the file is named once: \(hypercube.err)")
        let filter = try run(["inspect", mixed, "--filter", "typeOfLevel"])
        XCTAssertEqual(filter.status, 64, filter.err)
        XCTAssertTrue(filter.err.contains("expected key=value"), filter.err)
        let netCDF = shared.deletingLastPathComponent().appendingPathComponent("real/hgt.nc").path
        for (args, says) in [(["verify", "--forecast", mixed, "--truth", mixed, "--out", out, "--forecast-filter", "typeOfLevel"], "expected key=value"),
                             (["verify", "--forecast", mixed, "--truth", netCDF, "--out", out, "--forecast-filter", "typeOfLevel=hybrid",
                               "--truth-filter", "level=500"], "not a GRIB file"),
                             (["climatology", "--truth", mixed, "--from", "2000-01-01", "--to", "2000-02-01", "--out", out + ".nc",
                               "--filter", "typeOfLevel=nowhere"], "no message matches"),
                             (["forecast", "--initial-conditions", mixed, "--members", "2", "--lead-times", "24", "--out", out + ".nc",
                               "--filter", "=hybrid"], "expected key=value")] {
            let r = try run(args)
            XCTAssertEqual(r.status, 64, "\(args): \(r.err)")
            XCTAssertTrue(r.err.contains(says), "\(args): \(r.err)")
            XCTAssertEqual(r.err.split(separator: "\n").count, 1, "one line: \(r.err)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + ".nc"), "no output written")
    }

    func testFieldOverTheMemoryCapIsATypedError() throws {
        let ncgen = "/usr/bin/ncgen"
        guard FileManager.default.isExecutableFile(atPath: ncgen) else { throw XCTSkip("ncgen (Debian netcdf-bin) not installed") }
        // A 4000 x 4000 float field that was never written: a small file that declares 64 MB.
        let cdl = dir.appendingPathComponent("big.cdl")
        try "netcdf big { dimensions: y = 4000 ; x = 4000 ; variables: float v(y, x) ; v:_Storage = \"chunked\" ; v:_ChunkSizes = 4000, 4000 ; }"
            .write(to: cdl, atomically: true, encoding: .utf8)
        let p = dir.appendingPathComponent("big.nc").path
        let g = Process()
        g.executableURL = URL(fileURLWithPath: ncgen)
        g.arguments = ["-k", "nc4", "-o", p, cdl.path]
        try g.run(); g.waitUntilExit()
        let r = try run(["inspect", p], environment: ["WXENS_MAX_READ_BYTES": "10000000"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("too large to read"), r.out)
    }
}
