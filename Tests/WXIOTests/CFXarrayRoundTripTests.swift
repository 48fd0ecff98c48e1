import Foundation
import XCTest
import WXCore
import WXIO

/// Files written by the CF writers, opened by xarray (`scripts/check_cf_xarray.py`, run with env WXENS_PYTHON):
/// dims, coordinates, decoded times, calendar, attributes, values and NaN placement must all come back.
final class CFXarrayRoundTripTests: XCTestCase {
    /// The result of probing WXENS_PYTHON once per test run: the interpreter, or why the tests skip.
    private static let probe: Result<String, XCTSkip> = {
        guard let py = ProcessInfo.processInfo.environment["WXENS_PYTHON"], !py.isEmpty else {
            return .failure(XCTSkip("WXENS_PYTHON is not set: skipping the xarray round trip"))
        }
        guard let o = TestSupport.run(py, ["-c", "import xarray, netCDF4, numpy"]), o.status == 0 else {
            return .failure(XCTSkip("\(py) cannot import xarray/netCDF4/numpy: skipping the xarray round trip"))
        }
        return .success(py)
    }()

    /// The interpreter in WXENS_PYTHON, or a skip when it is unset or cannot import xarray.
    private func python() throws -> String { try Self.probe.get() }

    /// Runs the check on `file` with `expect` and asserts a clean verdict with at least `minChecks` checks.
    private func verdict(_ py: String, file: String, expect: [String: Any], minChecks: Int) throws {
        let expectURL = URL(fileURLWithPath: file + ".expect.json")
        try JSONSerialization.data(withJSONObject: expect).write(to: expectURL)
        defer { try? FileManager.default.removeItem(at: expectURL) }
        let script = TestSupport.repositoryRoot.appendingPathComponent("scripts/check_cf_xarray.py").path
        let out = try XCTUnwrap(TestSupport.run(py, [script, file, expectURL.path]))
        XCTAssertEqual(out.status, 0, out.stderr)
        let line = try XCTUnwrap(out.stdout.split(separator: "\n").last, "no verdict; stderr: \(out.stderr)")
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let failures = json["failures"] as? [String] ?? ["no failures list"]
        XCTAssertEqual(json["ok"] as? Bool, true, failures.joined(separator: "\n"))
        XCTAssertEqual(failures, [])
        XCTAssertGreaterThanOrEqual(json["checks"] as? Int ?? 0, minChecks)
    }

    private func jsonValues(_ v: [Float]) -> [Any] { v.map { $0.isNaN ? NSNull() as Any : Double($0) as Any } }

    func testEnsembleRoundTripsThroughXarray() throws {
        let py = try python()
        let dir = try TestSupport.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var fx = EnsembleFixture()
        fx.levels = CFVerticalAxis(values: [500, 850])
        let path = dir.appendingPathComponent("ensemble.nc").path
        try fx.write(to: path)
        let dims = ["member", "init_time", "lead_time", "level", "latitude", "longitude"]
        let attrs: [String: [String: Any]] = [
            "": ["Conventions": "CF-1.8", "title": "wxens writer test", "institution": "wxens tests",
                 "source": "wxens \(wxensVersion)", "references": "https://example.org/wxens"],
            "member": ["standard_name": "realization"],
            "init_time": ["standard_name": "forecast_reference_time", "units": "hours since 2000-03-21 00:00:00"],
            "lead_time": ["standard_name": "forecast_period"],
            "latitude": ["units": "degrees_north", "axis": "Y", "standard_name": "latitude"],
            "longitude": ["units": "degrees_east", "axis": "X", "standard_name": "longitude"],
            "level": ["units": "hPa", "axis": "Z", "positive": "down"],
            "t2m": ["units": "K", "standard_name": "air_temperature", "long_name": "near-surface air temperature"],
            "tp": ["units": "m", "standard_name": "precipitation_amount"],
        ]
        let t2m: [String: Any] = [
            "dims": dims, "values": jsonValues(fx.members.flatMap { fx.values(member: $0, variable: "t2m") }),
            "atol": 0.075 / 2 + 1e-4, "packed_dtype": "int16", "scale_factor": 0.075, "add_offset": 264, "fill_value": -32767,
        ]
        let tp: [String: Any] = [
            "dims": dims, "values": jsonValues(fx.members.flatMap { fx.values(member: $0, variable: "tp") }),
            "atol": 0, "fill_value": NSNull(),
        ]
        let coords: [String: Any] = ["member": [0, 1, 2], "level": [500, 850], "latitude": fx.latitudes, "longitude": fx.longitudes]
        let expect: [String: Any] = [
            "dims": ["member": 3, "init_time": 2, "lead_time": 2, "level": 2, "latitude": 4, "longitude": 5],
            "coords": coords,
            "timedeltas_hours": ["lead_time": fx.leads],
            "times": ["init_time": fx.isoTimes],
            "calendars": ["init_time": "proleptic_gregorian"],
            "attrs": attrs,
            "history_command": "wxens test --flag value",
            "variables": ["t2m": t2m, "tp": tp],
        ]
        try verdict(py, file: path, expect: expect, minChecks: 40)
    }

    func testValidTimeEnsembleAndTimeSeriesRoundTripThroughXarray() throws {
        let py = try python()
        let dir = try TestSupport.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let lat: [Double] = [60, 30, 0, -30, -60], lon: [Double] = [-180, -90, 0, 90]
        let times = CFTimeAxis(hours: [0, 6, 12], reference: "1999-12-31 18:00:00", calendar: "standard")
        let iso = ["1999-12-31T18:00:00", "2000-01-01T00:00:00", "2000-01-01T06:00:00"]
        let values: [Float] = (0..<(3 * 5 * 4)).map { (i: Int) -> Float in
            i == 17 ? Float.nan : Float(95000) + Float(31.25) * Float(i * 3) + Float(7)
        }
        let msl = CFDataVariable(name: "msl", units: "Pa", standardName: "air_pressure_at_mean_sea_level",
                                 packing: CFPacking(scaleFactor: 31.25, addOffset: 95000))

        let series = dir.appendingPathComponent("truth.nc").path
        let w = try CFTimeSeriesWriter(path: series, times: times, latitudes: lat, longitudes: lon, variables: [msl],
                                       global: CFGlobalAttributes(title: "truth", commandLine: "make truth"))
        for t in 0..<3 { try w.write(time: t, variable: "msl", values: Array(values[(t * 20)..<((t + 1) * 20)])) }
        try w.finish()
        let seriesMSL: [String: Any] = [
            "dims": ["time", "latitude", "longitude"], "values": jsonValues(values),
            "atol": 31.25 / 2 + 1e-2, "packed_dtype": "int16", "scale_factor": 31.25, "add_offset": 95000,
        ]
        let seriesAttrs: [String: [String: Any]] = [
            "time": ["axis": "T", "standard_name": "time"], "": ["Conventions": "CF-1.8", "title": "truth"],
        ]
        let seriesExpect: [String: Any] = [
            "dims": ["time": 3, "latitude": 5, "longitude": 4],
            "coords": ["latitude": lat, "longitude": lon],
            "times": ["time": iso], "calendars": ["time": "standard"],
            "attrs": seriesAttrs, "history_command": "make truth", "variables": ["msl": seriesMSL],
        ]
        try verdict(py, file: series, expect: seriesExpect, minChecks: 15)

        let ens = dir.appendingPathComponent("analysis-ensemble.nc").path
        let e = try CFEnsembleWriter(path: ens, members: [0, 1], times: times, timeKind: .time, leadTimeHours: nil,
                                     latitudes: lat, longitudes: lon, variables: [msl],
                                     global: CFGlobalAttributes(title: "eda", commandLine: "make eda"))
        try e.write(member: 1, variable: "msl", values: values)
        try e.write(member: 0, variable: "msl", values: values.map { $0 + 100 })
        try e.finish()
        let ensMSL: [String: Any] = [
            "dims": ["member", "time", "latitude", "longitude"],
            "values": jsonValues(values.map { $0 + 100 } + values), "atol": 31.25 / 2 + 1e-2,
        ]
        let ensExpect: [String: Any] = [
            "dims": ["member": 2, "time": 3, "latitude": 5, "longitude": 4],
            "coords": ["member": [0, 1]],
            "times": ["time": iso], "calendars": ["time": "standard"], "variables": ["msl": ensMSL],
        ]
        try verdict(py, file: ens, expect: ensExpect, minChecks: 8)
    }
}
