import XCTest
import WXVerification

/// Plain energy score: (1/M)Σ‖x_i − y‖ − c Σ_ij ‖x_i − x_j‖.
func referenceEnergy(_ x: [[Double]], _ y: [Double], fair: Bool) -> Double {
    func norm(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot() }
    let m = Double(x.count)
    var a = 0.0, g = 0.0
    for xi in x { a += norm(xi, y); for xj in x { g += norm(xi, xj) } }
    return a / m - g / (fair ? 2 * m * (m - 1) : 2 * m * m)
}

/// Plain variogram score (standard form).
func referenceVariogram(_ x: [[Double]], _ y: [Double], p: Double, w: [Double]) -> Double {
    let d = y.count, m = Double(x.count)
    var s = 0.0
    for i in 0..<d { for j in 0..<d {
        let vf = x.reduce(0) { $0 + pow(abs($1[i] - $1[j]), p) } / m
        let vo = pow(abs(y[i] - y[j]), p)
        s += w[i * d + j] * (vo - vf) * (vo - vf)
    } }
    return s
}

/// Converts library layout fct[p][m][c], obs[p][c] to member-major (m, c, p) and (c, p).
func memberMajor(_ fct: [Double], _ obs: [Double], points n: Int, members m: Int, components d: Int) -> ([Double], [Double]) {
    var f = [Double](repeating: 0, count: m * d * n), o = [Double](repeating: 0, count: d * n)
    for p in 0..<n { for c in 0..<d {
        o[c * n + p] = obs[p * d + c]
        for i in 0..<m { f[(i * d + c) * n + p] = fct[(p * m + i) * d + c] }
    } }
    return (f, o)
}

final class MultivariateTests: XCTestCase {
    /// Variogram score against scoringrules vs_ensemble (nrg, fair; p = 0.5, 1; unit and random weights).
    func testGoldenVariogram() throws {
        let g = try ReferenceData.loadGolden("verification_extra.json")
        let cases = try XCTUnwrap(g["variogram"] as? [[String: Any]])
        for c in cases {
            let (fct, shape) = ReferenceData.array(c["fct"])
            let obs = ReferenceData.array(c["obs"]).values
            let w = ReferenceData.array(c["weights"]).values
            let n = shape[0], m = shape[1], d = shape[2]
            let (f, o) = memberMajor(fct, obs, points: n, members: m, components: d)
            for (key, value) in c["expected"] as! [String: Any] {
                let p = key.contains("p=0.5") ? 0.5 : 1.0
                let est: CRPSEstimator = key.contains("fair") ? .fair : .standard
                let got = try VariogramScore.ensemble(forecast: f, observations: o, members: m, components: d, order: p,
                                                      weights: key.hasSuffix("weights=w") ? w : nil, estimator: est)
                let e = ReferenceData.array(value).values
                for i in 0..<n { assertClose(got[i], e[i], rel: 1e-12, abs: 1e-14, "VS \(key) point \(i)") }
            }
        }
    }

    /// Energy and variogram scores equal plain double loops on random data; NaN handling per policy.
    func testMultivariateMatchesReference() throws {
        var rng = SeededRNG(seed: 17)
        let n = 9, m = 7, d = 4
        let f = (0..<(m * d * n)).map { _ in rng.normal() }, o = (0..<(d * n)).map { _ in rng.normal() }
        let w = (0..<(d * d)).map { _ in Double.random(in: 0.5..<1.5, using: &rng) }
        let es = try EnergyScore.ensemble(forecast: f, observations: o, members: m, components: d)
        let esFair = try EnergyScore.ensemble(forecast: f, observations: o, members: m, components: d, estimator: .fair)
        let vs = try VariogramScore.ensemble(forecast: f, observations: o, members: m, components: d, order: 0.7, weights: w)
        for p in 0..<n {
            let x = (0..<m).map { i in (0..<d).map { c in f[(i * d + c) * n + p] } }
            let y = (0..<d).map { c in o[c * n + p] }
            assertClose(es[p], referenceEnergy(x, y, fair: false), rel: 1e-12)
            assertClose(esFair[p], referenceEnergy(x, y, fair: true), rel: 1e-12)
            assertClose(vs[p], referenceVariogram(x, y, p: 0.7, w: w), rel: 1e-12)
        }
        var g = f
        g[(2 * d + 1) * n + 3] = .nan  // member 2, component 1, point 3
        XCTAssertTrue(try EnergyScore.ensemble(forecast: g, observations: o, members: m, components: d)[3].isNaN)
        let omitted = try EnergyScore.ensemble(forecast: g, observations: o, members: m, components: d, nanPolicy: .omit)[3]
        let x = (0..<m).filter { $0 != 2 }.map { i in (0..<d).map { c in f[(i * d + c) * n + 3] } }
        assertClose(omitted, referenceEnergy(x, (0..<d).map { o[$0 * n + 3] }, fair: false), rel: 1e-12)
        XCTAssertThrowsError(try EnergyScore.ensemble(forecast: g, observations: o, members: m, components: d, nanPolicy: .raise))
        XCTAssertThrowsError(try EnergyScore.ensemble(forecast: Array(f.dropLast()), observations: o, members: m, components: d))
        XCTAssertThrowsError(try VariogramScore.ensemble(forecast: f, observations: o, members: m, components: d, estimator: .adjusted(ensembleSize: 9)))
    }

    /// Float blocks give the same bits as Double blocks holding the same values (both are computed in Double).
    func testMultivariateFloatEqualsDouble() throws {
        var rng = SeededRNG(seed: 19)
        let n = 11, m = 6, d = 3
        let f = (0..<(m * d * n)).map { _ in Float(rng.normal()) }, o = (0..<(d * n)).map { _ in Float(rng.normal()) }
        let fd = f.map(Double.init), od = o.map(Double.init)
        for est in [CRPSEstimator.standard, .fair] {
            let es = try EnergyScore.ensemble(forecast: f, observations: o, members: m, components: d, estimator: est)
            let esD = try EnergyScore.ensemble(forecast: fd, observations: od, members: m, components: d, estimator: est)
            let vs = try VariogramScore.ensemble(forecast: f, observations: o, members: m, components: d, order: 0.5, estimator: est)
            let vsD = try VariogramScore.ensemble(forecast: fd, observations: od, members: m, components: d, order: 0.5, estimator: est)
            XCTAssertEqual(es.map(\.bitPattern), esD.map(\.bitPattern), "\(est)")
            XCTAssertEqual(vs.map(\.bitPattern), vsD.map(\.bitPattern), "\(est)")
        }
        var g = f
        g[4] = .infinity
        XCTAssertThrowsError(try EnergyScore.ensemble(forecast: g, observations: o, members: m, components: d, nanPolicy: .raise))
    }

    /// twCRPS with a Gaussian-CDF weight and a lower tail against scoringrules (v_func), and climatological quantiles
    /// against numpy.
    func testGoldenWeightsAndQuantiles() throws {
        let g = try ReferenceData.loadGolden("verification_extra.json")
        for (key, weightFor) in [("twcrps_gaussian_cdf", { (c: [String: Any]) in
                                    ThresholdWeight.gaussianCDF(location: ReferenceData.number(c["location"])!, scale: ReferenceData.number(c["scale"])!) }),
                                 ("twcrps_lower", { (c: [String: Any]) in ThresholdWeight.below(ReferenceData.number(c["threshold"])!) })] {
            let c = try XCTUnwrap(g[key] as? [String: Any])
            let (fct, shape) = ReferenceData.array(c["fct"])
            let obs = ReferenceData.array(c["obs"]).values
            let n = shape[0], m = shape[1]
            var mm = [Double](repeating: 0, count: m * n)
            for p in 0..<n { for i in 0..<m { mm[i * n + p] = fct[p * m + i] } }
            for (est, k) in [(CRPSEstimator.standard, "nrg"), (.fair, "fair")] {
                guard c[k] != nil else { continue }
                let got = try ThresholdWeightedCRPS.ensemble(forecast: mm, observations: obs, members: m, weight: weightFor(c), estimator: est)
                let e = ReferenceData.array(c[k]).values
                for p in 0..<n { assertClose(got[p], e[p], rel: 1e-12, abs: 1e-15, "\(key) \(k) point \(p)") }
            }
        }
        let q = try XCTUnwrap(g["quantiles"] as? [String: Any])
        let (samples, shape) = ReferenceData.array(q["samples"])
        for (level, values) in q["expected"] as! [String: Any] {
            let got = try ClimatologyThresholds.quantile(samples: samples, sampleCount: shape[0], q: Double(level)!)
            let e = ReferenceData.array(values).values
            for p in 0..<e.count { assertClose(got[p], e[p], rel: 1e-12, "quantile \(level) point \(p)") }
        }
        XCTAssertThrowsError(try ClimatologyThresholds.quantile(samples: samples, sampleCount: shape[0], q: 1.5))
        XCTAssertEqual(try ClimatologyThresholds.anomaly(mean: [1, 2], sd: [0.5, 1], k: -2), [0, 0])
    }
}
