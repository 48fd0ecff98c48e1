import XCTest
import WXCore
import WXVerification

final class EnsembleBlockTests: XCTestCase {
    /// Fields in different dimension orders give the scores of the plain per-point computation.
    func testFieldScoresByDimensionName() throws {
        var rng = SeededRNG(seed: 31)
        let nlat = 2, nm = 3, nlev = 4, nlon = 5
        let fdims = [Dimension(name: "lat", role: .latitude, size: nlat), Dimension(name: "number", role: .member, size: nm),
                     Dimension(name: "level", role: .level, size: nlev), Dimension(name: "lon", role: .longitude, size: nlon)]
        let fvals = (0..<(nlat * nm * nlev * nlon)).map { _ in rng.normal() }
        let odims = [Dimension(name: "level", role: .level, size: nlev), Dimension(name: "lon", role: .longitude, size: nlon),
                     Dimension(name: "lat", role: .latitude, size: nlat)]
        let ovals = (0..<(nlev * nlon * nlat)).map { _ in rng.normal() }
        let f = Field(name: "t", dimensions: fdims, values: fvals,
                      coordinates: ["lat": Coordinate(name: "lat", values: [10, 20])])
        let o = Field(name: "t", dimensions: odims, values: ovals)
        func fv(_ la: Int, _ m: Int, _ lv: Int, _ lo: Int) -> Double { fvals[((la * nm + m) * nlev + lv) * nlon + lo] }
        func ov(_ la: Int, _ lv: Int, _ lo: Int) -> Double { ovals[(lv * nlon + lo) * nlat + la] }

        let es = try EnergyScore.ensemble(forecast: f, observation: o, componentDimensions: ["level"], estimator: .fair)
        XCTAssertEqual(es.dimensions.map(\.name), ["lat", "lon"])
        XCTAssertEqual(es.coordinates["lat"]?.values, [10, 20])
        let crps = try CRPS.ensemble(forecast: f, observation: o)
        XCTAssertEqual(crps.dimensions.map(\.name), ["lat", "level", "lon"])
        for la in 0..<nlat {
            for lo in 0..<nlon {
                let x = (0..<nm).map { m in (0..<nlev).map { fv(la, m, $0, lo) } }
                let y = (0..<nlev).map { ov(la, $0, lo) }
                assertClose(es.values[la * nlon + lo], referenceEnergy(x, y, fair: true), rel: 1e-12)
                for lv in 0..<nlev {
                    let c = try CRPS.ensemble((0..<nm).map { fv(la, $0, lv, lo) }, observation: ov(la, lv, lo))
                    XCTAssertEqual(crps.values[(la * nlev + lv) * nlon + lo], c, accuracy: 1e-14)
                }
            }
        }
        let bad = Field(name: "t", dimensions: [Dimension(name: "level", role: .level, size: nlev), Dimension(name: "x", role: .other, size: nlon * nlat)], values: ovals)
        XCTAssertThrowsError(try CRPS.ensemble(forecast: f, observation: bad)) { e in XCTAssertTrue("\(e)".contains("lat"), "\(e)") }
        XCTAssertThrowsError(try EnergyScore.ensemble(forecast: f, observation: o, componentDimensions: ["height"]))
        XCTAssertThrowsError(try CRPS.ensemble(forecast: o, observation: o))
    }
}
