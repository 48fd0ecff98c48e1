import Foundation
import XCTest
import WXCore
import WXIO
import WXPipelines

/// `wxens inspect`'s library side: summaries of real files, checked against direct whole-field reads.
final class InspectTests: XCTestCase {
    func shared(_ name: String) throws -> String {
        let p = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/data/\(name)").path
        guard FileManager.default.fileExists(atPath: p) else { throw XCTSkip("shared test data not found at \(p)") }
        return p
    }

    func testEnsembleFileSummary() throws {
        let p = try shared("real/era5_eda_members_t_z_2017-01.nc")
        let i = try FileInspector.inspect(path: p)
        XCTAssertEqual(i.format, "netCDF-4")
        XCTAssertEqual(i.variables.map(\.path).sorted(), ["/t", "/z"])
        let t = try XCTUnwrap(i.variables.first { $0.path == "/t" })
        XCTAssertEqual(t.units, "K")
        XCTAssertEqual(t.dimensions.map(\.role), ["member", "time", "level", "latitude", "longitude"])
        let g = try XCTUnwrap(t.grid)
        XCTAssertEqual(g.kind, "regular"); XCTAssertEqual(g.nlat, 61); XCTAssertEqual(g.nlon, 120)
        XCTAssertEqual(g.latitudeStep, 3); XCTAssertEqual(g.latitudeOrder, "north-to-south")
        XCTAssertEqual(g.longitudeConvention, "0..360"); XCTAssertTrue(g.globalWrap)
        XCTAssertEqual(t.members?.count, 10)
        XCTAssertEqual(t.times?.first, "2017-01-01T00:00:00"); XCTAssertEqual(t.times?.last, "2017-01-02T12:00:00")
        XCTAssertEqual(t.times?.stepSeconds, 43200); XCTAssertEqual(t.times?.calendar, "proleptic_gregorian")
        XCTAssertEqual(t.levels?.count, 2)
        // streaming statistics equal a whole-field read
        let f: Field<Float> = try NetCDFFile(path: p).readField("t")
        let vals = try XCTUnwrap(t.values)
        XCTAssertEqual(vals.min, Double(f.values.min()!)); XCTAssertEqual(vals.max, Double(f.values.max()!))
        XCTAssertEqual(vals.mean!, f.values.reduce(0.0) { $0 + Double($1) } / Double(f.values.count), accuracy: 1e-9)
        XCTAssertEqual(vals.missingFraction, 0)
    }

    func testGaussianGridPackedFileAndGroups() throws {
        let uv = try FileInspector.inspect(path: try shared("real/uv300.nc"))
        let u = try XCTUnwrap(uv.variables.first { $0.path == "/U" })
        XCTAssertEqual(u.grid?.kind, "Gaussian")
        XCTAssertEqual(u.grid?.latitudeOrder, "south-to-north")
        XCTAssertNotNil(u.times?.note) // units "month" do not decode
        let pm = try FileInspector.inspect(path: try shared("perfect-model/reforecast_validation.nc"))
        let z = try XCTUnwrap(pm.variables.first { $0.path == "/z500" })
        XCTAssertTrue(z.packed)
        XCTAssertEqual(z.grid?.kind, "Gaussian")
        XCTAssertEqual(z.members?.count, 31)
        XCTAssertEqual(z.leadTimes?.hours, [24, 72, 120])
        XCTAssertEqual(z.initTimes?.first, "2000-09-22T00:00:00")
        XCTAssertEqual(z.initTimes?.stepSeconds, 5 * 86400)
        let grp = try FileInspector.inspect(path: try shared("real/gmao_geos_s2s_rmm1_groups.nc"), group: "/forecast")
        XCTAssertEqual(grp.variables.map(\.path), ["/forecast/RMM1"])
        XCTAssertEqual(grp.variables[0].initTimes?.first, "1999-01-01T00:00:00")
    }

    func testJSONRoundTripsNumbersExactly() throws {
        let i = try FileInspector.inspect(path: try shared("real/gmao_geos_s2s_rmm1_ens_obs.nc"))
        let back = try JSONDecoder().decode(FileInspection.self, from: Data(try i.json().utf8))
        for (a, b) in zip(i.variables, back.variables) {
            XCTAssertEqual(a.values?.mean, b.values?.mean)
            XCTAssertEqual(a.values?.min, b.values?.min)
        }
        XCTAssertTrue(try i.json().contains("0.010948289750609014")) // numpy's float64 mean of RMM1, all digits
    }

    func testBadFileIsTypedError() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wxens-inspect-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let p = dir.appendingPathComponent("x.nc").path
        try "hello".write(toFile: p, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try FileInspector.inspect(path: p)) { e in XCTAssertEqual(e as? WXIOError, .notNetCDFOrHDF5(path: p)) }
        XCTAssertThrowsError(try FileInspector.inspect(path: try shared("real/nc4uvt.nc"), group: "/nope")) { e in
            guard case WXIOError.groupNotFound = e else { return XCTFail("\(e)") }
        }
    }
}
