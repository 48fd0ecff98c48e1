import XCTest
import WXCore
import WXIO

final class NetCDFSmokeTests: XCTestCase {
    func testReadsEnsembleWithRoles() throws {
        let f = try NetCDFFile(path: try SharedData.path("real/era5_eda_members_t_z_2017-01.nc"))
        let t: Field<Float> = try f.readField("t")
        XCTAssertEqual(t.dimensions.map(\.role), [.member, .time, .level, .latitude, .longitude])
        XCTAssertEqual(t.shape, [10, 4, 2, 61, 120])
        XCTAssertEqual(t.grid?.latitudeDescending, true)
        XCTAssertEqual(t.grid?.isGlobalInLongitude, true)
    }

    func testGroupsAndPacking() throws {
        let g = try NetCDFFile(path: try SharedData.path("real/gmao_geos_s2s_rmm1_groups.nc"))
        XCTAssertEqual(try g.groupPaths(), ["/", "/forecast", "/observation"])
        let r: Field<Double> = try g.readField("/forecast/RMM1")
        XCTAssertEqual(r.dimensions.map(\.role), [.initTime, .member, .leadTime])
        let z = try NetCDFFile(path: try SharedData.path("real/eraint_uvz.nc"))
        let zf: Field<Float> = try z.readField("z", hyperslab: Hyperslab(start: [0, 0, 0, 0], count: [1, 1, 3, 4], stride: [1, 1, 10, 20]))
        XCTAssertEqual(zf.shape, [1, 1, 3, 4])
        XCTAssertEqual(zf.dimensions.map(\.role), [.other, .level, .latitude, .longitude])
        print(zf.values, zf.coordinates["latitude"]!.values)
    }
}
