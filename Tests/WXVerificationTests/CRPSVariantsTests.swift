import XCTest
import WXVerification

final class CRPSVariantsTests: XCTestCase {
    /// crps_gaussian cases: every library key, σ ≤ 0 rejected.
    func testGoldenGaussian() throws {
        let ref = try ReferenceData.load("crps_gaussian_twcrps_energy.json")
        let cases = try XCTUnwrap((ref["crps_gaussian"] as? [String: Any])?["cases"] as? [[String: Any]])
        XCTAssertEqual(cases.count, 13)
        for c in cases {
            let name = c["name"] as! String
            let y = ReferenceData.array(c["obs"]).values, mu = ReferenceData.array(c["mu"]).values
            let s = ReferenceData.array(c["sigma"]).values
            let exp = c["expected"] as! [String: Any]
            if s.contains(where: { $0 <= 0 }) {
                XCTAssertThrowsError(try CRPS.gaussian(means: mu, sds: s, observations: y), name)
                continue
            }
            let got = try CRPS.gaussian(means: mu, sds: s, observations: y)
            // edge cases hold the library keys only
            for key in ["scoringrules.crps_normal[numba]", "properscoring.crps_gaussian", "own_closed_form_erf"] where exp[key] != nil {
                let e = ReferenceData.array(exp[key]).values
                for i in 0..<y.count { assertClose(got[i], e[i], rel: 1e-12, abs: 1e-15, "\(name) \(key)") }
            }
        }
        XCTAssertThrowsError(try CRPS.gaussian(mean: 0, sd: 0, observation: 1))
    }

    /// twcrps_ensemble cases against scoringrules (v = max(x, t)), scores and properscoring.
    func testGoldenThresholdWeighted() throws {
        let ref = try ReferenceData.load("crps_gaussian_twcrps_energy.json")
        let cases = try XCTUnwrap((ref["twcrps_ensemble"] as? [String: Any])?["cases"] as? [[String: Any]])
        for c in cases {
            let name = c["name"] as! String
            let t = ReferenceData.number(c["threshold"])!
            let (fct, shape) = ReferenceData.array(c["fct"])
            let obs = ReferenceData.array(c["obs"]).values
            let m = shape.last!, points = obs.count
            var mm = [Double](repeating: 0, count: m * points)
            for p in 0..<points { for i in 0..<m { mm[i * points + p] = fct[p * m + i] } }
            let exp = c["expected"] as! [String: Any]
            for (est, keys) in [(CRPSEstimator.standard, ["scoringrules.twcrps_ensemble[v_func=max(x,t),estimator=nrg]",
                                                           "scores.tail_tw_crps_for_ensemble[threshold=t,tail=upper,method=ecdf]",
                                                           "properscoring.crps_ensemble(max(obs,t),max(fct,t))"]),
                                (.fair, ["scoringrules.twcrps_ensemble[v_func=max(x,t),estimator=fair]",
                                         "scores.tail_tw_crps_for_ensemble[threshold=t,tail=upper,method=fair]"])] {
                let got = try ThresholdWeightedCRPS.ensemble(forecast: mm, observations: obs, members: m, weight: .above(t), estimator: est)
                for key in keys {
                    let e = ReferenceData.array(exp[key]).values
                    for p in 0..<points { assertClose(got[p], e[p], rel: 1e-12, abs: 1e-15, "\(name) \(key)") }
                }
            }
        }
    }

    /// The twCRPS equals ∫ (F(z) − 1{y ≤ z})² w(z) dz by quadrature for every weight kind.
    func testThresholdWeightedMatchesQuadrature() throws {
        var rng = SeededRNG(seed: 5)
        let x = (0..<7).map { _ in rng.normal() }
        let y = 0.4
        for w in [ThresholdWeight.above(0.2), .below(-0.1), .interval(lower: -0.5, upper: 0.8),
                  .gaussianCDF(location: 0.3, scale: 0.6), .ramp(lower: -0.4, upper: 0.9)] {
            let got = try ThresholdWeightedCRPS.ensemble(x, observation: y, weight: w)
            // weight by finite differences of the chaining function, integrand on a fine grid (midpoint rule)
            let lo = -12.0, hi = 12.0, n = 400_000
            let h = (hi - lo) / Double(n)
            var integral = 0.0
            for k in 0..<n {
                let z = lo + (Double(k) + 0.5) * h
                let weight = (w.chain(z + h / 2) - w.chain(z - h / 2)) / h
                let f = Double(x.filter { $0 <= z }.count) / Double(x.count)
                let step = y <= z ? 1.0 : 0.0
                integral += (f - step) * (f - step) * weight * h
            }
            XCTAssertEqual(got, integral, accuracy: 2e-4, "\(w)")
        }
    }

    /// energy_score cases against scoringrules and own numpy; d = 1 equals the CRPS.
    func testGoldenEnergyScore() throws {
        let ref = try ReferenceData.load("crps_gaussian_twcrps_energy.json")
        let cases = try XCTUnwrap((ref["energy_score"] as? [String: Any])?["cases"] as? [[String: Any]])
        XCTAssertEqual(cases.count, 5)
        for c in cases {
            let name = c["name"] as! String
            let (fct, shape) = ReferenceData.array(c["fct"])
            let (obs, oshape) = ReferenceData.array(c["obs"])
            let d = shape.last!, m = shape[shape.count - 2]
            let points = oshape.count == 1 ? 1 : oshape[0]
            // fct[p][m][c] -> [(m*d + c)*points + p]; obs[p][c] -> [c*points + p]
            var mm = [Double](repeating: 0, count: m * d * points), oo = [Double](repeating: 0, count: d * points)
            for p in 0..<points {
                for c in 0..<d {
                    oo[c * points + p] = obs[p * d + c]
                    for i in 0..<m { mm[(i * d + c) * points + p] = fct[(p * m + i) * d + c] }
                }
            }
            let exp = c["expected"] as! [String: Any]
            for (est, key) in [(CRPSEstimator.standard, "nrg"), (.fair, "fair")] {
                let got = try EnergyScore.ensemble(forecast: mm, observations: oo, members: m, components: d, estimator: est)
                for k in ["scoringrules.es_ensemble[estimator=\(key),backend=numba]", "own_numpy[\(key)]"] {
                    let e = ReferenceData.array(exp[k]).values
                    for p in 0..<points { assertClose(got[p], e[p], rel: 1e-12, abs: 1e-15, "\(name) \(k)") }
                }
                if d == 1 {
                    let crps = try CRPS.ensemble(forecast: mm, observations: oo, members: m, estimator: est)
                    for p in 0..<points { assertClose(got[p], crps[p], rel: 1e-13, "\(name) ES = CRPS") }
                }
            }
        }
    }

    /// gaussian_identity: library values for the stored M = 10000 ensemble, and the closed form within 5 sd.
    func testGoldenGaussianIdentity() throws {
        let ref = try ReferenceData.load("gaussian_identity.json")
        let ens = ReferenceData.array(ref["ensemble"]).values
        let mu = ReferenceData.number(ref["mu"])!, sigma = ReferenceData.number(ref["sigma"])!
        let cases = try XCTUnwrap(ref["cases"] as? [[String: Any]])
        for c in cases {
            let y = ReferenceData.number(c["obs"])!
            let exp = c["expected"] as! [String: Any]
            let std = try CRPS.ensemble(ens, observation: y), fair = try CRPS.ensemble(ens, observation: y, estimator: .fair)
            for (k, v) in exp {
                guard let e = ReferenceData.number(v) else { continue }
                if k.hasPrefix("own_closed_form") {
                    assertClose(try CRPS.gaussian(mean: mu, sd: sigma, observation: y), e, rel: 1e-12, "closed form y=\(y)")
                    XCTAssertLessThanOrEqual(abs(fair - e), 0.17, "fair ensemble CRPS vs closed form at y=\(y)")
                } else if k.contains("fair") || k.contains("pwm") {
                    assertClose(fair, e, rel: 1e-12, "\(k) y=\(y)")
                } else if k.contains("nrg") || k.contains("qd") || k.contains("properscoring") {
                    assertClose(std, e, rel: 1e-12, "\(k) y=\(y)")
                }
            }
        }
    }
}
