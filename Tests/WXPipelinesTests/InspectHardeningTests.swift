import Foundation
import XCTest
import WXCore
import WXIO
import WXPipelines

/// `inspect` on unusual but valid files: statistics at full precision, sane text and JSON for extreme values,
/// empty record variables, rotated-pole grids, fields over the memory cap.
final class InspectHardeningTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("wxens-inspect-hard-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    /// Writes `cdl` with ncgen as a `kind` file, or skips without ncgen.
    func ncgen(_ cdl: String, kind: String = "nc4", name: String = "f.nc") throws -> String {
        let ncgen = "/usr/bin/ncgen"
        guard FileManager.default.isExecutableFile(atPath: ncgen) else { throw XCTSkip("ncgen (Debian netcdf-bin) not installed") }
        let cdlURL = dir.appendingPathComponent(name + ".cdl")
        try cdl.write(to: cdlURL, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent(name).path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: ncgen)
        p.arguments = ["-k", kind, "-o", out, cdlURL.path]
        try p.run()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
        return out
    }

    func testDoubleStatisticsAreNotNarrowedToFloat() throws {
        let p = try ncgen("""
        netcdf d { dimensions: time = 3 ; x = 2 ;
        variables: double rmm(time, x) ;
        data: rmm = -3.9263, 1.1, 0.3, 2.5, 4.3087902, 0.1 ; }
        """)
        let v = try XCTUnwrap(try FileInspector.inspect(path: p).variables.first?.values)
        XCTAssertEqual(v.min, -3.9263)
        XCTAssertEqual(v.max, 4.3087902)
        XCTAssertEqual(v.mean!, (-3.9263 + 1.1 + 0.3 + 2.5 + 4.3087902 + 0.1) / 6, accuracy: 1e-15)
    }

    func testExtremeAndNonFiniteValuesGiveSaneTextAndValidJSON() throws {
        let p = try ncgen("""
        netcdf e { dimensions: time = 2 ; x = 2 ;
        variables: double big(time, x) ; float inf(time, x) ;
        data: big = 1e308, -1e308, 1e308, 1e308 ; inf = 1, Infinity, 2, 3 ; }
        """)
        let i = try FileInspector.inspect(path: p)
        let big = try XCTUnwrap(i.variables.first { $0.path == "/big" }?.values)
        XCTAssertEqual(big.min, -1e308); XCTAssertEqual(big.max, 1e308)
        XCTAssertEqual(big.mean!, 0.5e308, accuracy: 1e293)
        XCTAssertTrue(i.text.contains("min -1e+308, max 1e+308"), i.text)
        XCTAssertFalse(i.text.contains("nan"), i.text)
        let obj = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(try i.json().utf8)) as? [String: Any])
        let vars = try XCTUnwrap(obj["variables"] as? [[String: Any]])
        let inf = try XCTUnwrap(vars.first { $0["path"] as? String == "/inf" }?["values"] as? [String: Any])
        XCTAssertEqual(inf["max"] as? String, "Infinity")
    }

    func testEmptyRecordVariableHasNoValues() throws {
        let p = try ncgen("""
        netcdf r { dimensions: time = UNLIMITED ; x = 3 ;
        variables: float t(time, x) ; float s(time) ; }
        """, kind: "classic")
        let i = try FileInspector.inspect(path: p)
        for v in i.variables {
            let s = try XCTUnwrap(v.values, v.path)
            XCTAssertNil(s.min, v.path); XCTAssertNil(s.max, v.path); XCTAssertNil(s.mean, v.path)
            XCTAssertEqual(s.count, 0)
        }
        XCTAssertTrue(i.text.contains("values: min -, max -, mean -"), i.text)
    }

    func testRotatedPoleGridIsDescribed() throws {
        let p = try ncgen("""
        netcdf cordex { dimensions: rlat = 3 ; rlon = 4 ;
        variables:
          char rotated_pole ; rotated_pole:grid_mapping_name = "rotated_latitude_longitude" ;
            rotated_pole:grid_north_pole_latitude = 39.25 ; rotated_pole:grid_north_pole_longitude = -162. ;
          double rlat(rlat) ; rlat:standard_name = "grid_latitude" ; rlat:units = "degrees" ; rlat:axis = "Y" ;
          double rlon(rlon) ; rlon:standard_name = "grid_longitude" ; rlon:units = "degrees" ; rlon:axis = "X" ;
          float tas(rlat, rlon) ; tas:units = "K" ; tas:grid_mapping = "rotated_pole" ;
        data: rlat = -1, 0, 1 ; rlon = -2, -1, 0, 1 ; tas = 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 ; }
        """)
        let i = try FileInspector.inspect(path: p)
        let g = try XCTUnwrap(i.variables.first { $0.path == "/tas" }?.grid)
        XCTAssertEqual(g.kind, "rotated pole")
        XCTAssertEqual(g.mapping, "rotated_latitude_longitude")
        XCTAssertEqual(g.northPole, [39.25, -162])
        XCTAssertFalse(g.globalWrap)
        XCTAssertTrue(i.text.contains("rotated pole (grid_mapping rotated_latitude_longitude, north pole lat 39.25 lon -162)"), i.text)
    }
}
