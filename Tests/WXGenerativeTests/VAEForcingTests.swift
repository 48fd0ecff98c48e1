import Foundation
import XCTest
import WXCore
import WXNN
import WXGenerative

/// The VAE's forcing inputs: the channels are the solar geometry at each row's time and point, they reach the step
/// only through the valid time, the rollout applies them as the step does, its gradients match finite differences,
/// and config.json records them (and stays as it was without them).
final class VAEForcingTests: XCTestCase {
    let stats = VAEStatistics(mean: [0.5, -1], std: [1.5, 0.8], incrementStd: [0.4, 0.25])

    func tensor(_ shape: [Int], _ i: UInt64) -> Tensor {
        var g = Philox(seed: 17, purpose: .trainingNoise, index: [i])
        var t = Tensor(zeros: shape)
        t.withUnsafeMutableBufferPointer { g.fillNormal($0) }
        return t
    }

    func date(_ m: Int, _ d: Int, _ h: Int) throws -> CFDateTime { try CFDateTime(year: 2019, month: m, day: d, hour: h) }

    /// Channel by channel, every value is `SolarGeometry`'s at that row's time and that point, in the configured order.
    func testFieldsAreTheSolarGeometryAtEachPoint() throws {
        let lats = [58.0, 51.5, 0, -70], lons = [-10.0, 0, 2, 90, 179.75]
        let times = [try date(3, 20, 12), try date(3, 22, 6), try date(6, 21, 0)]
        let t = VAEForcing.fields([.solarTime, .toaInsolation], times: times, latitudes: lats, longitudes: lons)
        XCTAssertEqual(t.shape, [3, 3, 4, 5])
        let v = t.array
        var lit = 0
        for (b, time) in times.enumerated() {
            let sun = SolarGeometry(time)
            for (i, lat) in lats.enumerated() {
                for (j, lon) in lons.enumerated() {
                    func at(_ c: Int) -> Float { v[((b * 3 + c) * 4 + i) * 5 + j] }
                    let h = sun.hourAngle(longitude: lon), q = sun.insolation(latitude: lat, longitude: lon)
                    XCTAssertEqual(at(0), Float(sin(h)), accuracy: 1e-6)
                    XCTAssertEqual(at(1), Float(cos(h)), accuracy: 1e-6)
                    XCTAssertEqual(at(2), Float(q), accuracy: 1e-6)
                    if q > 0 { lit += 1 }
                }
            }
        }
        // Both day and night occur among the points, so the check covers both branches.
        XCTAssert(lit > 0 && lit < 60)
    }

    /// Without forcings the step ignores its valid time (the embedded models' bits); with them, the step is the
    /// networks on inputs that carry the forcings at the valid time, and another time gives another state.
    func testTheStepReadsTheValidTimeOnlyThroughItsForcings() throws {
        let x = tensor([2, 2, 4, 8], 1).array, xm = tensor([2, 2, 4, 8], 2).array
        func streams() -> [Philox] { (0..<2).map { Philox(seed: 3, purpose: .latent, index: [0, UInt64($0), 1]) } }
        let noon = try date(3, 20, 12), evening = try date(3, 20, 18)
        for forcings in [[], [VAEForcing.toaInsolation, .solarTime]] {
            let config = VAEGradientTests.smallConfig(forcings: forcings), model = try VAEModel(config)
            var rng = Philox(seed: 4, purpose: .initialization)
            let f = try VAEForecaster(config: config, parameters: model.initialParameters(&rng), statistics: stats)
            var s1 = streams(), s2 = streams(), s3 = streams()
            let atNoon = try f.step(current: x, previous: xm, validTime: noon, streams: &s1)
            let atEvening = try f.step(current: x, previous: xm, validTime: evening, streams: &s2)
            if forcings.isEmpty {
                XCTAssertEqual(atNoon, atEvening)
                continue
            }
            XCTAssertNotEqual(atNoon, atEvening)
            var eps = Tensor(zeros: [2, 2, 4, 8])
            eps.withUnsafeMutableBufferPointer { e in
                for m in 0..<2 { s3[m].fillNormal(UnsafeMutableBufferPointer(rebasing: e[m * 64 ..< (m + 1) * 64])) }
            }
            let a = stats.inputs(current: x, previous: xm, batch: 2, latitudes: config.latitudes, longitudes: 8,
                                 forcing: config.forcingFields(validTimes: [noon, noon]))
            XCTAssertEqual(a.shape[1], 2 * 2 + 2 + 3)
            XCTAssertEqual(atNoon, stats.next(current: x, increment: try model.sampleIncrement(inputs: a, epsilon: eps, f.parameters)))
        }
    }

    /// The rollout with forcings repeats the forecast step at each step's valid time.
    func testRolloutRepeatsTheStepWithForcings() throws {
        let config = VAEGradientTests.smallConfig(forcings: [.toaInsolation]), model = try VAEModel(config)
        var rng = Philox(seed: 4, purpose: .initialization)
        let p = model.initialParameters(&rng)
        let m = 2, x0 = tensor([m, 2, 4, 8], 1).array, xm1 = tensor([m, 2, 4, 8], 2).array
        let eps = [tensor([m, 2, 4, 8], 3), tensor([m, 2, 4, 8], 4)]
        let times = [[try date(3, 20, 6), try date(3, 21, 6)], [try date(3, 20, 12), try date(3, 21, 12)]]
        let forcing = times.map { config.forcingFields(validTimes: $0)! }
        let (states, _) = try model.rolloutForward(current: x0, previous: xm1, epsilon: eps, forcing: forcing, statistics: stats, p)
        var s = x0, prev = xm1
        for r in 0..<2 {
            let a = stats.inputs(current: s, previous: prev, batch: m, latitudes: config.latitudes, longitudes: 8, forcing: forcing[r])
            let next = stats.next(current: s, increment: try model.sampleIncrement(inputs: a, epsilon: eps[r], p))
            XCTAssertEqual(states[r], next, "step \(r + 1)")
            (prev, s) = (s, next)
        }
    }

    /// Rollout gradients with forcings (three steps, loss on every step) against central finite differences.
    func testRolloutGradientsWithForcings() throws {
        let config = VAEGradientTests.smallConfig(forcings: [.toaInsolation, .solarTime]), model = try VAEModel(config)
        var rng = Philox(seed: 4, purpose: .initialization)
        let p = model.initialParameters(&rng)
        let n = 2, k = 2, m = n * k, steps = 3, rows = [0.3, 0.9, 0.9, 0.3]
        let x0 = tensor([n, 2, 4, 8], 1).array, xm1 = tensor([n, 2, 4, 8], 2).array
        let truth = (0..<steps).map { tensor([n, 2, 4, 8], 10 + UInt64($0)).array }
        let eps = (0..<steps).map { tensor([m, 2, 4, 8], 20 + UInt64($0)) }
        let forcing = try (0..<steps).map { r in
            config.forcingFields(validTimes: try (0..<m).map { try date(3, 20 + $0 / k, 6 * (r + 1)) })!
        }
        func rep(_ x: [Float]) -> [Float] { (0..<m).flatMap { r in x[(r / k) * 64 ..< (r / k + 1) * 64] } }
        func loss(_ q: VAEModel.Parameters) throws -> (Double, [[Float]], VAEModel.RolloutCache) {
            let (s, cache) = try model.rolloutForward(current: rep(x0), previous: rep(xm1), epsilon: eps, forcing: forcing,
                                                      statistics: stats, q)
            let (l, g) = VAERolloutLoss.evaluate(states: s, initial: x0, truth: truth, members: k, statistics: stats,
                                                 height: 4, width: 8, rowWeights: rows)
            return (l, g, cache)
        }
        let (_, gStates, cache) = try loss(p)
        let grads = Dictionary(uniqueKeysWithValues: try model.rolloutBackward(gStates: gStates, statistics: stats, cache, p)
            .named().map { ($0.name, $0.tensor) })
        let checked = try checkRolloutGradients(p, grads: grads, include: { !$0.hasPrefix("posterior.") }) { try loss($0).0 }
        XCTAssertEqual(checked, ["prior", "decoder"])
    }

    /// config.json: no `forcings` key without forcings (an embedded checkpoint's file decodes to none and encodes
    /// back without one); with forcings the key is written and read back.
    func testConfigRecordsForcings() throws {
        let plain = VAEGradientTests.smallConfig()
        let text = String(decoding: try JSONEncoder().encode(plain), as: UTF8.self)
        XCTAssertFalse(text.contains("forcings"))
        XCTAssertEqual(try JSONDecoder().decode(VAEConfig.self, from: Data(text.utf8)), plain)
        let forced = VAEGradientTests.smallConfig(forcings: [.toaInsolation, .solarTime])
        let data = try JSONEncoder().encode(forced)
        XCTAssert(String(decoding: data, as: UTF8.self).contains("\"forcings\":[\"toa_insolation\",\"solar_time\"]"))
        let back = try JSONDecoder().decode(VAEConfig.self, from: data)
        XCTAssertEqual(back, forced)
        XCTAssertEqual(back.inputChannels, plain.inputChannels + 3)
        XCTAssertNoThrow(try back.validate())
        var twice = forced
        twice.forcings = [.toaInsolation, .toaInsolation]
        XCTAssertThrowsError(try twice.validate()) { XCTAssert("\($0)".contains("forcings"), "\($0)") }
        // A forcing the code does not know is a decoding error, not a silent drop.
        let unknown = String(decoding: data, as: UTF8.self).replacingOccurrences(of: "solar_time", with: "moon_phase")
        XCTAssertThrowsError(try JSONDecoder().decode(VAEConfig.self, from: Data(unknown.utf8)))
    }
}
