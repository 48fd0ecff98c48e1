import Foundation
import XCTest
import WXCore
import WXIO

/// Files written by the CF writers read back through the wxens reader: packed values within half a packing
/// step, NaN where missing, roles and coordinates recognised; fields read from a file write back unchanged.
final class CFReaderRoundTripTests: XCTestCase {
    func testPackedAndFillValuedEnsembleReadsBack() throws {
        let dir = try TestSupport.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var fx = EnsembleFixture()
        fx.levels = CFVerticalAxis(values: [500, 850])
        let path = dir.appendingPathComponent("ens.nc").path
        try fx.write(to: path)

        let file = try NetCDFFile(path: path)
        defer { file.close() }
        let t2m = try file.readField("t2m", as: Float.self)
        XCTAssertEqual(t2m.dimensions.map(\.role), [.member, .initTime, .leadTime, .level, .latitude, .longitude])
        XCTAssertEqual(t2m.shape, [3, 2, 2, 2, 4, 5])
        XCTAssertEqual(t2m.coordinate(.latitude)?.values, fx.latitudes)
        XCTAssertEqual(t2m.coordinate(.longitude)?.values, fx.longitudes)
        XCTAssertEqual(t2m.coordinate(.level)?.values, [500, 850])
        XCTAssertEqual(t2m.coordinate(.member)?.values, [0, 1, 2])
        XCTAssertEqual(t2m.coordinate(.leadTime)?.values, fx.leads)
        XCTAssertEqual(t2m.coordinate(.initTime)?.values, fx.times.hours)
        XCTAssertEqual(t2m.coordinate(.initTime)?.units, "hours since 2000-03-21 00:00:00")
        XCTAssertEqual(t2m.units, "K")
        XCTAssertEqual(t2m.standardName, "air_temperature")

        let halfStep = Double(fx.packing.scaleFactor) / 2 + 1e-4
        var missing = 0
        for m in 0..<3 {
            let want = fx.values(member: m, variable: "t2m")
            for i in want.indices {
                let got = t2m.values[m * fx.memberCount + i]
                if want[i].isNaN {
                    XCTAssertTrue(got.isNaN, "member \(m) index \(i) should be missing, got \(got)")
                    missing += 1
                } else {
                    XCTAssertLessThanOrEqual(abs(Double(got) - Double(want[i])), halfStep, "member \(m) index \(i)")
                }
            }
        }
        XCTAssertGreaterThan(missing, 0)
        let tp = try file.readField("tp", as: Float.self)
        let wantTP = (0..<3).flatMap { fx.values(member: $0, variable: "tp") }
        XCTAssertEqual(tp.values.map { $0.bitPattern }, wantTP.map { $0.bitPattern }, "float32 data is stored exactly, NaN included")
    }

    /// One member at a time read from the shared reforecast (init_time, member, lead_time, lat, lon), written
    /// with the same packing, reads back to the same values bit for bit.
    func testSharedReforecastMembersRewriteUnchanged() throws {
        let source = try SharedData.path("perfect-model/reforecast_validation.nc")
        let dir = try TestSupport.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = try NetCDFFile(path: source)
        defer { input.close() }
        let info = try input.variable("z500")
        XCTAssertEqual(try input.dimensionRoles(of: info), [.initTime, .member, .leadTime, .latitude, .longitude])
        let (ninit, nmember, nlead, nlat, nlon) = (2, 4, info.shape[2], info.shape[3], info.shape[4])
        func member(_ m: Int) throws -> Field<Float> {
            try input.readField("z500", as: Float.self,
                                hyperslab: Hyperslab(start: [0, m, 0, 0, 0], count: [ninit, 1, nlead, nlat, nlon]))
        }
        let first = try member(0)
        let initTime = try XCTUnwrap(first.coordinate(.initTime))
        let units = try XCTUnwrap(initTime.units)
        XCTAssertTrue(units.hasPrefix("hours since "))
        let out = dir.appendingPathComponent("rewritten.nc").path
        let w = try CFEnsembleWriter(
            path: out, members: Array(0..<nmember),
            times: CFTimeAxis(hours: initTime.values, reference: String(units.dropFirst("hours since ".count))),
            leadTimeHours: try XCTUnwrap(first.coordinate(.leadTime)).values,
            latitudes: try XCTUnwrap(first.grid).latitudes, longitudes: try XCTUnwrap(first.grid).longitudes,
            variables: [CFDataVariable(name: "z500", units: "m2 s-2", standardName: "geopotential",
                                       packing: CFPacking(scaleFactor: 31.25, addOffset: 48000))],
            global: CFGlobalAttributes(title: "rewrite"))
        var originals: [[Float]] = []
        for m in 0..<nmember {
            let f = try member(m)
            originals.append(f.values)
            try w.write(member: m, variable: "z500", field: f)
        }
        try w.finish()
        let back = try NetCDFFile(path: out)
        defer { back.close() }
        let z = try back.readField("z500", as: Float.self)
        XCTAssertEqual(z.dimensions.map(\.role), [.member, .initTime, .leadTime, .latitude, .longitude])
        XCTAssertEqual(z.values.map { $0.bitPattern }, originals.flatMap { $0 }.map { $0.bitPattern })
    }

    /// A truth field read from the shared nature run, written whole by the time-series writer, reads back unchanged.
    func testSharedTruthFieldRewritesUnchanged() throws {
        let source = try SharedData.path("perfect-model/truth.nc")
        let dir = try TestSupport.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = try NetCDFFile(path: source)
        defer { input.close() }
        let info = try input.variable("t850")
        let field = try input.readField("t850", as: Float.self,
                                        hyperslab: Hyperslab(start: [10, 0, 0], count: [4, info.shape[1], info.shape[2]]))
        let time = try XCTUnwrap(field.coordinate(.time))
        let units = try XCTUnwrap(time.units)
        let out = dir.appendingPathComponent("truth.nc").path
        let w = try CFTimeSeriesWriter(
            path: out, times: CFTimeAxis(hours: time.values, reference: String(units.dropFirst("hours since ".count))),
            latitudes: try XCTUnwrap(field.grid).latitudes, longitudes: try XCTUnwrap(field.grid).longitudes,
            variables: [CFDataVariable(name: "t850", units: "K", standardName: "air_temperature",
                                       packing: CFPacking(scaleFactor: 0.09375, addOffset: 255))],
            global: CFGlobalAttributes(title: "truth rewrite"))
        try w.write(variable: "t850", field: field)
        try w.finish()
        let back = try NetCDFFile(path: out)
        defer { back.close() }
        let t = try back.readField("t850", as: Float.self)
        XCTAssertEqual(t.dimensions.map(\.role), [.time, .latitude, .longitude])
        XCTAssertEqual(t.coordinate(.time)?.values, time.values)
        XCTAssertEqual(t.values.map { $0.bitPattern }, field.values.map { $0.bitPattern })
    }
}
