import Foundation
import XCTest
import WXCore
import WXIO

/// The sample data in data/sample/ reads through the wxens reader with the documented layout, and the truth
/// file holds every valid time of the forecast.
final class SampleDataTests: XCTestCase {
    func testSampleForecastAndTruthAreConsistent() throws {
        let dir = TestSupport.repositoryRoot.appendingPathComponent("data/sample")
        let forecast = try NetCDFFile(path: dir.appendingPathComponent("forecast.nc").path)
        defer { forecast.close() }
        let truth = try NetCDFFile(path: dir.appendingPathComponent("truth.nc").path)
        defer { truth.close() }
        for name in ["z500", "t2m"] {
            let v = try forecast.variable(name)
            XCTAssertEqual(v.shape, [2, 31, 3, 48, 96], name)
            XCTAssertEqual(try forecast.dimensionRoles(of: v), [.initTime, .member, .leadTime, .latitude, .longitude])
        }
        let inits = try forecast.readDoubles("init_time"), leads = try forecast.readDoubles("lead_time")
        XCTAssertEqual(leads, [24, 72, 120])
        let times = Set(try truth.readDoubles("time"))
        for i in inits {
            for l in leads { XCTAssertTrue(times.contains(i + l), "truth lacks valid time \(i + l)") }
            XCTAssertTrue(times.contains(i) && times.contains(i - 6), "truth lacks init \(i) or \(i - 6)")
        }
        let z = try forecast.readField("z500", as: Float.self,
                                       hyperslab: Hyperslab(start: [0, 0, 0, 0, 0], count: [1, 1, 1, 48, 96]))
        XCTAssertFalse(z.values.contains { $0.isNaN })
        XCTAssertTrue(z.values.allSatisfy { $0 > 45000 && $0 < 60000 }, "z500 outside a plausible range")
        let t = try truth.readField("t2m", as: Float.self)
        XCTAssertEqual(t.dimensions.map(\.role), [.time, .latitude, .longitude])
        XCTAssertEqual(t.units, "K")
    }
}
