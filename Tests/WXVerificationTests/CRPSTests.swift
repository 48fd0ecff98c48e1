import XCTest
import WXCore
import WXVerification

/// Plain O(M²) CRPS in Double: (1/M)Σ|x_i − y| − c·Σ_ij|x_i − x_j|.
func referenceCRPS(_ x: [Double], _ y: Double, _ estimator: CRPSEstimator) -> Double {
    let m = Double(x.count)
    var a = 0.0, g = 0.0
    for xi in x { a += abs(xi - y); for xj in x { g += abs(xi - xj) } }
    switch estimator {
    case .standard: return a / m - g / (2 * m * m)
    case .fair: return a / m - g / (2 * m * (m - 1))
    case let .adjusted(r): return a / m - (1 - 1 / Double(r)) * g / (2 * m * (m - 1))
    }
}

/// Splitmix64: a small seeded generator so tests are reproducible.
struct SeededRNG: RandomNumberGenerator {
    var base: SplitMix64
    init(seed: UInt64) { base = SplitMix64(seed: seed) }
    mutating func next() -> UInt64 { base.next() }
    /// A standard normal draw (Box–Muller).
    mutating func normal() -> Double {
        let u1 = Double.random(in: Double.ulpOfOne..<1, using: &self), u2 = Double.random(in: 0..<1, using: &self)
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }
}

final class CRPSTests: XCTestCase {
    /// Every case of crps_ensemble.json, point by point and batched, against the libraries and the exact value.
    func testGoldenCRPSEnsemble() throws {
        let ref = try ReferenceData.load("crps_ensemble.json")
        let cases = try XCTUnwrap(ref["cases"] as? [[String: Any]])
        XCTAssertEqual(cases.count, 39)
        for c in cases {
            let name = c["name"] as! String
            let (fct, shape) = ReferenceData.array(c["fct"])
            let (obs, _) = ReferenceData.array(c["obs"])
            let m = shape.last!, points = obs.count
            let expected = c["expected"] as! [String: Any]
            let large = name.hasPrefix("large_offset")
            let nonFinite = fct.contains { !$0.isFinite } || obs.contains { !$0.isFinite }
            // member-major copy for the batched path
            var mm = [Double](repeating: 0, count: m * points)
            for p in 0..<points { for i in 0..<m { mm[i * points + p] = fct[p * m + i] } }
            for (est, key) in [(CRPSEstimator.standard, "nrg"), (.fair, "fair")] {
                for policy in [NaNPolicy.propagate, .omit] {
                    let batched = try CRPS.ensemble(forecast: mm, observations: obs, members: m, estimator: est, nanPolicy: policy)
                    let exp: [Double]
                    if large || !nonFinite {
                        exp = ReferenceData.array(expected["own_exact_rational[\(key)]"]).values
                    } else {
                        exp = ReferenceData.array(expected["scoringrules.crps_ensemble[estimator=\(key),backend=numba,nan_policy=\(policy.rawValue)]"]).values
                    }
                    let lib = ReferenceData.array(expected["scoringrules.crps_ensemble[estimator=\(key),backend=numba,nan_policy=\(policy.rawValue)]"]).values
                    for p in 0..<points {
                        let single = try CRPS.ensemble(Array(fct[(p * m)..<((p + 1) * m)]), observation: obs[p], estimator: est, nanPolicy: policy)
                        for v in [single, batched[p]] {
                            assertClose(v, exp[p], rel: large ? 1e-9 : 1e-12, abs: 1e-14, "\(name) \(key) \(policy) point \(p)")
                            if !large { assertClose(v, lib[p], rel: 1e-12, abs: 1e-14, "\(name) \(key) \(policy) vs scoringrules point \(p)") }
                        }
                    }
                }
            }
            if !nonFinite {
                let ps = ReferenceData.array(expected["properscoring.crps_ensemble"]).values
                let ours = try CRPS.ensemble(forecast: mm, observations: obs, members: m)
                for p in 0..<points { assertClose(ours[p], ps[p], rel: large ? 1e-9 : 1e-12, abs: 1e-14, "\(name) properscoring") }
            } else {
                XCTAssertThrowsError(try CRPS.ensemble(forecast: mm, observations: obs, members: m, nanPolicy: .raise), name)
            }
        }
    }

    /// The batched SIMD path equals the O(M²) double loop for many ensemble sizes, Double and Float; every finite point
    /// has the same bits as the scalar path, and Float input the same bits as Double input holding the same values.
    func testBatchedMatchesReference() throws {
        var rng = SeededRNG(seed: 7)
        for m in [1, 2, 3, 4, 5, 7, 8, 9, 10, 15, 16, 17, 24, 31, 33, 50, 64, 65, 100, 200] {
            let points = 150  // full tiles, part tiles, single vectors and single points
            let fct = (0..<(m * points)).map { _ in Double(Float(rng.normal() * 2 + 0.3)) }
            let obs = (0..<points).map { _ in Double(Float(rng.normal())) }
            let fctF = fct.map(Float.init), obsF = obs.map(Float.init)
            for est in [CRPSEstimator.standard, .fair, .adjusted(ensembleSize: 20)] {
                if m == 1 && est != .standard { continue }
                let got = try CRPS.ensemble(forecast: fct, observations: obs, members: m, estimator: est)
                let gotF = try CRPS.ensemble(forecast: fctF, observations: obsF, members: m, estimator: est)
                for p in 0..<points {
                    let x = (0..<m).map { fct[$0 * points + p] }
                    assertClose(got[p], referenceCRPS(x, obs[p], est), rel: 1e-12, abs: 1e-14, "m=\(m) \(est) p=\(p)")
                    let scalar = try CRPS.ensemble(x, observation: obs[p], estimator: est)
                    XCTAssertEqual(got[p].bitPattern, scalar.bitPattern, "m=\(m) \(est) p=\(p): batched \(got[p]) vs scalar \(scalar)")
                    XCTAssertEqual(gotF[p].bitPattern, got[p].bitPattern, "m=\(m) \(est) p=\(p): Float \(gotF[p]) vs Double \(got[p])")
                }
            }
        }
    }

    /// Ties, equal members and a large offset with a small spread go through the SIMD tiles exactly as through the scalar path.
    func testBatchedTiesAndOffsets() throws {
        var rng = SeededRNG(seed: 21)
        for m in [8, 12, 50] {
            let points = 256
            var fct = (0..<(m * points)).map { _ in 1e6 + (rng.normal() * 4).rounded() * 0.25 }
            for i in 0..<m { fct[i * points + 3] = 7 }
            let obs = (0..<points).map { p in p == 3 ? 7 : 1e6 + (rng.normal() * 4).rounded() * 0.25 }
            for (f, o) in [(fct, obs), (fct.map { Double(Float($0)) }, obs.map { Double(Float($0)) })] {
                let got = try CRPS.ensemble(forecast: f, observations: o, members: m, estimator: .fair)
                let gotF = try CRPS.ensemble(forecast: f.map(Float.init), observations: o.map(Float.init), members: m, estimator: .fair)
                XCTAssertEqual(got[3], 0)
                for p in 0..<points {
                    let x = (0..<m).map { f[$0 * points + p] }
                    let scalar = try CRPS.ensemble(x, observation: o[p], estimator: .fair)
                    XCTAssertEqual(got[p].bitPattern, scalar.bitPattern, "m=\(m) p=\(p)")
                    if x.allSatisfy({ Double(Float($0)) == $0 }) && Double(Float(o[p])) == o[p] {
                        XCTAssertEqual(gotF[p].bitPattern, scalar.bitPattern, "float m=\(m) p=\(p)")
                    }
                }
            }
        }
    }

    /// Adjusted to R = M is the standard estimator; M = 1 gives the absolute error; a perfect ensemble scores 0.
    func testProperties() throws {
        var rng = SeededRNG(seed: 11)
        let x = (0..<12).map { _ in rng.normal() }
        XCTAssertEqual(try CRPS.ensemble(x, observation: 0.3, estimator: .adjusted(ensembleSize: 12)),
                       try CRPS.ensemble(x, observation: 0.3), accuracy: 1e-15)
        XCTAssertEqual(try CRPS.ensemble([2.5], observation: -1.25), 3.75)
        XCTAssertEqual(try CRPS.ensemble([Double](repeating: 4.2, count: 9), observation: 4.2), 0)
        XCTAssertEqual(try CRPS.ensemble([Double](repeating: 4.2, count: 9), observation: 4.2, estimator: .fair), 0)
        XCTAssertThrowsError(try CRPS.ensemble(x, observation: 0, estimator: .adjusted(ensembleSize: 0)))
        XCTAssertThrowsError(try CRPS.ensemble(forecast: [1, 2, 3] as [Double], observations: [1, 2] as [Double], members: 2))
        XCTAssertTrue(try CRPS.ensemble([1, .nan, 3] as [Double], observation: 2).isNaN)
        XCTAssertEqual(try CRPS.ensemble([1, .nan, 3] as [Double], observation: 2, nanPolicy: .omit), try CRPS.ensemble([1, 3] as [Double], observation: 2))
    }

    /// Non-finite values inside SIMD tiles fall back to the scalar rules: batched equals point by point.
    func testBatchedNonFiniteMatchesPointwise() throws {
        var rng = SeededRNG(seed: 4)
        let m = 12, points = 140
        var fct = (0..<(m * points)).map { _ in Double(Float(rng.normal())) }
        var obs = (0..<points).map { _ in Double(Float(rng.normal())) }
        for (i, v) in [(5, Double.nan), (70 + 3 * points, .infinity), (131 + 11 * points, -.infinity), (90, .nan), (90 + points, .nan)] { fct[i] = v }
        obs[20] = .nan; obs[100] = .infinity; obs[137] = -.infinity
        for policy in [NaNPolicy.propagate, .omit] {
            for est in [CRPSEstimator.standard, .fair] {
                let batched = try CRPS.ensemble(forecast: fct, observations: obs, members: m, estimator: est, nanPolicy: policy)
                let batchedF = try CRPS.ensemble(forecast: fct.map(Float.init), observations: obs.map(Float.init), members: m,
                                                 estimator: est, nanPolicy: policy)
                for p in 0..<points {
                    let single = try CRPS.ensemble((0..<m).map { fct[$0 * points + p] }, observation: obs[p], estimator: est, nanPolicy: policy)
                    if single.isNaN {
                        XCTAssertTrue(batched[p].isNaN, "p=\(p)")
                        XCTAssertTrue(batchedF[p].isNaN, "float p=\(p)")
                    } else {
                        XCTAssertEqual(batched[p].bitPattern, single.bitPattern, "p=\(p) \(policy)")
                        XCTAssertEqual(batchedF[p].bitPattern, single.bitPattern, "float p=\(p) \(policy)")
                    }
                }
                XCTAssertTrue(batched[5].isNaN == (policy == .propagate))
                XCTAssertTrue(batched[70].isNaN)
                XCTAssertEqual(batched[100], .infinity)
                XCTAssertEqual(batched[137], .infinity)
                XCTAssertTrue(batched[20].isNaN)
            }
        }
        XCTAssertThrowsError(try CRPS.ensemble(forecast: fct, observations: obs, members: m, nanPolicy: .raise)) { e in
            XCTAssertTrue("\(e)".contains("forecast[5]"), "\(e)")
        }
    }

    /// The same bits at 1, 2 and 3 threads over many chunks.
    func testBitwiseSameAtAnyThreadCount() throws {
        var rng = SeededRNG(seed: 3)
        let m = 10, points = 20_011
        let fct = (0..<(m * points)).map { _ in rng.normal() }
        var obs = (0..<points).map { _ in rng.normal() }
        obs[5] = .nan
        let one = try Parallel.withThreads(1) { try CRPS.ensemble(forecast: fct, observations: obs, members: m, estimator: .fair) }
        for t in [2, 3] {
            let many = try Parallel.withThreads(t) { try CRPS.ensemble(forecast: fct, observations: obs, members: m, estimator: .fair) }
            XCTAssertEqual(one.map(\.bitPattern), many.map(\.bitPattern), "threads=\(t)")
        }
    }
}
