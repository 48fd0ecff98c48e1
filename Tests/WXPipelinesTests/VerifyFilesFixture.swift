import Foundation
import XCTest
import WXCore
import WXIO
import WXPipelines

/// VerifyTestData's forecast and truth written to disk (the forecast by the CF ensemble writer), a climatology of the
/// truth, and helpers to run the wxens CLI and the `.venv` Python on them.
struct VerifyFilesFixture {
    let dir: URL

    var forecast: String { dir.appendingPathComponent("forecast.nc").path }
    var truth: String { dir.appendingPathComponent("truth.nc").path }
    var climatology: String { dir.appendingPathComponent("clim.nc").path }

    /// Writes the files into a fresh directory.
    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("wxens-vfiles-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let f = VerifyTestData.forecast(), t = VerifyTestData.truth()
        let I = f.dimensions[0].size, M = f.dimensions[1].size, L = f.dimensions[2].size
        let P = VerifyTestData.latitudes.count * VerifyTestData.longitudes.count
        let w = try CFEnsembleWriter(path: forecast, members: Array(0..<M),
                                     times: CFTimeAxis(hours: f.coordinates["init_time"]!.values, reference: "2000-01-01 00:00:00"),
                                     leadTimeHours: f.coordinates["lead_time"]!.values, latitudes: VerifyTestData.latitudes,
                                     longitudes: VerifyTestData.longitudes, variables: [CFDataVariable(name: "tas", units: "K", standardName: "air_temperature")],
                                     global: CFGlobalAttributes(title: "test forecast"))
        for m in 0..<M {
            var member: [Double] = []
            for i in 0..<I {
                for l in 0..<L {
                    let start: Int = ((i * M + m) * L + l) * P
                    member.append(contentsOf: f.values[start..<(start + P)])
                }
            }
            try w.write(member: m, variable: "tas", values: member)
        }
        try w.finish()
        let tw = try CFTimeSeriesWriter(path: truth, times: CFTimeAxis(hours: t.coordinates["time"]!.values.map { $0 * 24 - 24 }, reference: "2000-01-01 00:00:00"),
                                        latitudes: VerifyTestData.latitudes, longitudes: VerifyTestData.longitudes,
                                        variables: [CFDataVariable(name: "tas", units: "K", standardName: "air_temperature")],
                                        global: CFGlobalAttributes(title: "test truth"))
        try tw.write(variable: "tas", values: t.values)
        try tw.finish()
        try ClimatologyWorkflow.run(ClimatologyOptions(truthPath: truth, from: "2000-01-02", to: "2000-01-06", outPath: climatology))
    }

    /// Removes the directory.
    func remove() { try? FileManager.default.removeItem(at: dir) }

    /// The path of `name` in the directory.
    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    /// The repository's root (for scripts/).
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// WXENS_PYTHON when it imports xarray, netCDF4 and numpy, else a skip saying why.
    static let python: Result<String, XCTSkip> = {
        guard let py = ProcessInfo.processInfo.environment["WXENS_PYTHON"], !py.isEmpty else {
            return .failure(XCTSkip("WXENS_PYTHON is not set (e.g. WXENS_PYTHON=$PWD/.venv/bin/python, made by scripts/install-deps.sh): skipping the xarray checks"))
        }
        guard let r = try? runProcess(py, ["-c", "import xarray, netCDF4, numpy"]), r.status == 0 else {
            return .failure(XCTSkip("\(py) cannot import xarray, netCDF4 and numpy (scripts/install-deps.sh installs them): skipping"))
        }
        return .success(py)
    }()

    /// Runs scripts/check_verify_outputs.py with `arguments` and returns its JSON verdict; a skip when it reports a
    /// missing package.
    static func check(_ arguments: [String]) throws -> [String: Any] {
        let py = try python.get()
        let script = repositoryRoot.appendingPathComponent("scripts/check_verify_outputs.py").path
        let r = try runProcess(py, [script] + arguments)
        XCTAssertEqual(r.status, 0, r.err)
        let line = String(try XCTUnwrap(r.out.split(separator: "\n").last, "no verdict; stderr: \(r.err)"))
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], line)
        if let missing = json["missing"] as? String {
            throw XCTSkip("\(py) has no \(missing) (scripts/install-deps.sh installs it): skipping")
        }
        return json
    }

    /// Runs an executable and returns its exit status, stdout and stderr.
    static func runProcess(_ executable: String, _ arguments: [String]) throws -> (status: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }
}
