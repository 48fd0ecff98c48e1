import Foundation
import XCTest
import WXCore
import WXIO
import WXPipelines

/// `wxens verify` with a Zarr forecast (v2, consolidated) against a Zarr truth (v3) gives the same scores as with the
/// NetCDF copies of the same data; `wxens inspect` and `wxens verify` take a store on the command line. The stores
/// and copies are written with xarray by `scripts/make_zarr_fixtures.py verify` from the perfect-model files.
final class VerifyZarrTests: XCTestCase {
    private static let fixtures: Result<URL, XCTSkip> = {
        guard let py = ProcessInfo.processInfo.environment["WXENS_PYTHON"], !py.isEmpty else {
            return .failure(XCTSkip("WXENS_PYTHON is not set: skipping the Zarr stores made with xarray + zarr"))
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let shared = root.deletingLastPathComponent().appendingPathComponent("shared/data")
        guard FileManager.default.fileExists(atPath: shared.appendingPathComponent("perfect-model/truth.nc").path) else {
            return .failure(XCTSkip("shared test data not found at \(shared.path) (../shared beside the repository root)"))
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wxens-verify-zarr-\(getpid())")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        atexit { if case .success(let d) = VerifyZarrTests.fixtures { try? FileManager.default.removeItem(at: d) } }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: py)
        p.arguments = [root.appendingPathComponent("scripts/make_zarr_fixtures.py").path, "verify", shared.path, dir.path]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return .failure(XCTSkip("\(py) cannot be started")) }
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            return .failure(XCTSkip("make_zarr_fixtures.py failed (does \(py) have xarray, zarr and numcodecs? scripts/install-deps.sh)"))
        }
        return .success(dir)
    }()

    func path(_ name: String) throws -> String { try Self.fixtures.get().appendingPathComponent(name).path }

    func testZarrForecastAgainstZarrTruthScoresEqualThoseOfTheNetCDFCopies() throws {
        let (fz, tz, fn, tn) = (try path("forecast.zarr"), try path("truth.zarr"), try path("forecast.nc"), try path("truth.nc"))
        XCTAssertTrue(try GriddedFiles.open(fz) is ZarrFile)
        let field: Field<Float> = try GriddedFiles.open(fz).readField("z500")
        XCTAssertEqual(field.dimensions.map(\.role), [.initTime, .member, .leadTime, .latitude, .longitude])
        let options = VerifyOptions(forecastPath: fz, truthPath: tz, nanPolicy: .omit, writeFigures: false)
        let fromZarr = try VerifyWorkflow.run(options, forecast: try NetCDFVerifySource(path: fz), truth: try NetCDFVerifySource(path: tz))
        let fromNetCDF = try VerifyWorkflow.run(options, forecast: try NetCDFVerifySource(path: fn), truth: try NetCDFVerifySource(path: tn))
        XCTAssertEqual(fromZarr.rows.count, fromNetCDF.rows.count)
        XCTAssertGreaterThan(fromZarr.rows.filter { $0.metric == "crps" && $0.value.isFinite }.count, 0)
        XCTAssertEqual(Set(fromZarr.rows.map(\.variable)), ["z500", "t850"])
        // The variables come in each file's order (a store lists its arrays by name), so rows are matched by key.
        func key(_ r: ScoreRow) -> String { "\(r.variable) \(r.leadTimeHours) \(r.metric)" }
        let netCDF = Dictionary(fromNetCDF.rows.map { (key($0), $0.value) }, uniquingKeysWith: { a, _ in a })
        XCTAssertEqual(netCDF.count, fromNetCDF.rows.count)
        for a in fromZarr.rows {
            let b = try XCTUnwrap(netCDF[key(a)], "\(key(a)) is missing from the NetCDF scores")
            XCTAssertTrue(a.value == b || (a.value.isNaN && b.isNaN), "\(key(a)): \(a.value) vs \(b)")
        }
    }

    func testCommandLineInspectAndVerifyTakeAStore() throws {
        let exe = URL(fileURLWithPath: ProcessInfo.processInfo.arguments[0]).deletingLastPathComponent().appendingPathComponent("wxens")
        guard FileManager.default.isExecutableFile(atPath: exe.path) else { throw XCTSkip("wxens executable not found at \(exe.path)") }
        func run(_ args: [String]) throws -> (status: Int32, out: String, err: String) {
            let p = Process()
            p.executableURL = exe
            p.arguments = args
            let out = Pipe(), err = Pipe()
            p.standardOutput = out
            p.standardError = err
            try p.run()
            let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
        }
        let fz = try path("forecast.zarr"), tz = try path("truth.zarr")
        let inspect = try run(["inspect", fz])
        XCTAssertEqual(inspect.status, 0, inspect.err)
        XCTAssertTrue(inspect.out.contains("Zarr v2 (consolidated)") && inspect.out.contains("z500"), inspect.out)
        let out = try Self.fixtures.get().appendingPathComponent("scores-\(UUID().uuidString)").path
        let verify = try run(["verify", "--forecast", fz, "--truth", tz, "--out", out, "--no-figures", "--quiet"])
        XCTAssertEqual(verify.status, 0, verify.err)
        XCTAssertTrue(FileManager.default.fileExists(atPath: out + "/scores.nc"), verify.err)

        let broken = try Self.fixtures.get().appendingPathComponent("broken-\(UUID().uuidString).zarr").path
        try FileManager.default.copyItem(atPath: tz, toPath: broken)
        defer { try? FileManager.default.removeItem(atPath: broken) }
        try Data("{".utf8).write(to: URL(fileURLWithPath: broken + "/z500/zarr.json"))
        let bad = try run(["inspect", broken])
        XCTAssertEqual(bad.status, 66, bad.err)
        XCTAssertTrue(bad.err.contains(broken) && bad.err.contains("z500/zarr.json"), bad.err)
    }
}
