import XCTest
import WXVerification

final class DeterministicTests: XCTestCase {
    /// deterministic_and_spread.json: RMSE, bias, ACC, spread, spread/skill and weighted CRPS for three weightings.
    func testGoldenDeterministicAndSpread() throws {
        let ref = try ReferenceData.load("deterministic_and_spread.json")
        let lat = ReferenceData.array(ref["lat"]).values
        let nlon = ReferenceData.array(ref["lon"]).values.count
        let (fct, fshape) = ReferenceData.array(ref["fct"])  // [time][member][lat][lon]
        let obs = ReferenceData.array(ref["obs"]).values      // [time][lat][lon]
        let clim = ReferenceData.array(ref["clim"]).values
        let nt = fshape[0], m = fshape[1], points = lat.count * nlon
        XCTAssertEqual(m, 10)
        let results = try XCTUnwrap(ref["results"] as? [String: Any])
        for (key, kind) in [("unweighted", AreaWeighting.none), ("wb2_cell_area", .cellArea), ("cos_lat", .cosLatitude)] {
            let r = try XCTUnwrap(results[key] as? [String: Any], key)
            let latW = try AreaWeights.latitudeWeights(lat, kind: kind)
            let expW = ReferenceData.array(r["lat_weights"]).values
            for i in 0..<lat.count { assertClose(latW[i], expW[i], rel: 1e-12, abs: 1e-15, "\(key) weight \(i)") }
            let w = try AreaWeights.gridWeights(latitudes: lat, longitudeCount: nlon, kind: kind)
            var total = try SpreadSkillAccumulator(members: m)
            var crpsTotal = [CRPSEstimator.standard: WeightedMean(), .fair: WeightedMean()]
            for t in 0..<nt {
                let f = Array(fct[(t * m * points)..<((t + 1) * m * points)])
                let o = Array(obs[(t * points)..<((t + 1) * points)])
                var err = ErrorAccumulator()
                try err.add(ensemble: f, members: m, observations: o, weights: w)
                var acc = AnomalyCorrelationAccumulator()
                try acc.add(ensemble: f, members: m, observations: o, climatology: clim, weights: w)
                var ss = try SpreadSkillAccumulator(members: m)
                try ss.add(forecast: f, observations: o, weights: w)
                assertClose(err.rmse, ReferenceData.array(r["own_rmse_ensmean_per_time"]).values[t], rel: 1e-12, "\(key) rmse")
                assertClose(err.rmse, ReferenceData.array(r["xskillscore.rmse(ensmean,obs,dim=[lat,lon],weights=W) per time"]).values[t], rel: 1e-12)
                assertClose(ss.rmse, err.rmse, rel: 1e-14)
                assertClose(err.bias, ReferenceData.array(r["scores.additive_bias(ensmean,obs) per time"]).values[t], rel: 1e-12, "\(key) bias")
                assertClose(acc.acc, ReferenceData.array(r["own_acc_uncentered_per_time (WB2 style)"]).values[t], rel: 1e-12, "\(key) acc")
                assertClose(ss.spread, ReferenceData.array(r["own_spread_per_time sqrt(wmean(var_ddof1))"]).values[t], rel: 1e-12, "\(key) spread")
                assertClose(ss.correctedRatio, ReferenceData.array(r["own_spread_skill_ratio_corrected_per_time"]).values[t], rel: 1e-12)
                try total.merge(ss)
                for (est, k) in [(CRPSEstimator.standard, "scoringrules.crps_ensemble[nrg] spatial wmean per time"),
                                 (.fair, "scoringrules.crps_ensemble[fair] spatial wmean per time")] {
                    var wm = WeightedMean()
                    try wm.add(try CRPS.ensemble(forecast: f, observations: o, members: m, estimator: est), weights: w)
                    assertClose(wm.mean, ReferenceData.array(r[k]).values[t], rel: 1e-12, "\(key) \(k)")
                    crpsTotal[est]!.merge(wm)
                }
            }
            assertClose(total.rmse, ReferenceData.number(r["own_rmse_ensmean_sqrt_after_time_mean"])!, rel: 1e-12, "\(key) rmse time")
            assertClose(total.spread, ReferenceData.number(r["own_spread_sqrt_after_time_mean"])!, rel: 1e-12, "\(key) spread time")
            assertClose(total.ratio, ReferenceData.number(r["own_spread_skill_ratio_uncorrected (time-mean first)"])!, rel: 1e-12)
            assertClose(total.correctedRatio, ReferenceData.number(r["own_spread_skill_ratio_corrected sqrt((M+1)/M)*spread/rmse"])!, rel: 1e-12)
            assertClose(crpsTotal[.standard]!.mean, ReferenceData.number(r["scoringrules.crps_ensemble[nrg] spatial+time mean"])!, rel: 1e-12)
            assertClose(crpsTotal[.fair]!.mean, ReferenceData.number(r["scoringrules.crps_ensemble[fair] spatial+time mean"])!, rel: 1e-12)
        }
    }

    /// A calibrated ensemble (obs and members from the same distribution) has a corrected spread/skill ratio near 1.
    func testCalibratedSpreadSkillNearOne() throws {
        var rng = SeededRNG(seed: 21)
        let m = 5, points = 40_000
        var fct = [Double](repeating: 0, count: m * points), obs = [Double](repeating: 0, count: points)
        for p in 0..<points {
            let centre = rng.normal() * 3
            obs[p] = centre + rng.normal()
            for i in 0..<m { fct[i * points + p] = centre + rng.normal() }
        }
        var ss = try SpreadSkillAccumulator(members: m)
        try ss.add(forecast: fct, observations: obs)
        // sd of the ratio estimate is about 1/sqrt(2N) ≈ 0.004 per sum; 0.03 is about 5 sd.
        XCTAssertEqual(ss.correctedRatio, 1, accuracy: 0.03)
        XCTAssertLessThan(ss.ratio, ss.correctedRatio)
    }

    /// Accumulators merged over shards equal one pass (sums within rounding, counts exactly) and survive Codable.
    func testShardMergeEqualsOnePass() throws {
        var rng = SeededRNG(seed: 8)
        let m = 6, points = 1000
        let fct = (0..<(m * points)).map { _ in rng.normal() }
        var obs = (0..<points).map { _ in rng.normal() }
        obs[17] = .nan
        let w = (0..<points).map { _ in Double.random(in: 0.1..<2, using: &rng) }
        let clim = (0..<points).map { _ in rng.normal() * 0.1 }
        var whole = try SpreadSkillAccumulator(members: m), wholeAcc = AnomalyCorrelationAccumulator()
        try whole.add(forecast: fct, observations: obs, weights: w, nanPolicy: .omit)
        let mean = try EnsembleStatistics.mean(forecast: fct, members: m, points: points)
        try wholeAcc.add(forecast: mean, observations: obs, climatology: clim, weights: w, nanPolicy: .omit)
        var merged = try SpreadSkillAccumulator(members: m), mergedAcc = AnomalyCorrelationAccumulator()
        for (a, b) in [(0, 300), (300, 301), (301, 1000)] {
            let f = (0..<m).flatMap { i in fct[(i * points + a)..<(i * points + b)] }
            var part = try SpreadSkillAccumulator(members: m)
            try part.add(forecast: f, observations: Array(obs[a..<b]), weights: Array(w[a..<b]), nanPolicy: .omit)
            let data = try JSONEncoder().encode(part)
            try merged.merge(try JSONDecoder().decode(SpreadSkillAccumulator.self, from: data))
            var pa = AnomalyCorrelationAccumulator()
            try pa.add(forecast: Array(mean[a..<b]), observations: Array(obs[a..<b]), climatology: Array(clim[a..<b]),
                       weights: Array(w[a..<b]), nanPolicy: .omit)
            mergedAcc.merge(pa)
        }
        XCTAssertEqual(merged.squaredError.count, whole.squaredError.count)
        XCTAssertEqual(merged.squaredError.count, points - 1)
        XCTAssertEqual(merged.variance.omitted, 1)
        assertClose(merged.rmse, whole.rmse, rel: 1e-13)
        assertClose(merged.spread, whole.spread, rel: 1e-13)
        assertClose(merged.bias, whole.bias, rel: 1e-12)
        assertClose(mergedAcc.acc, wholeAcc.acc, rel: 1e-13)
        XCTAssertEqual(mergedAcc.count, wholeAcc.count)
        XCTAssertThrowsError(try merged.merge(try SpreadSkillAccumulator(members: m + 1)))
    }

    /// cos(lat) and cell-area weights agree on a grid without poles whose end cells reach ±90°.
    func testAreaWeightsWithoutPoles() throws {
        let lat = (0..<90).map { -89.0 + 2.0 * Double($0) }
        let a = try AreaWeights.latitudeWeights(lat, kind: .cellArea), c = try AreaWeights.latitudeWeights(lat, kind: .cosLatitude)
        for i in 0..<lat.count { XCTAssertEqual(a[i], c[i], accuracy: 2e-4) }
        XCTAssertEqual(a.reduce(0, +) / Double(a.count), 1, accuracy: 1e-14)
        XCTAssertThrowsError(try AreaWeights.latitudeWeights([0, 91], kind: .cosLatitude))
    }

    /// On a regular limited-area grid every cell is a band of the same width, whose area sin(φ + Δ/2) − sin(φ − Δ/2)
    /// = 2 sin(Δ/2) cos φ is proportional to cos φ: the cell-area weights equal the cos-latitude ones (the ERA5 UK grid,
    /// 58° N .. 50° N at 0.25°, and a southern one in increasing order), and no edge row takes the cap up to the pole.
    func testCellAreaWeightsOfALimitedArea() throws {
        let uk = (0..<33).map { 58.0 - 0.25 * Double($0) }, south = (0..<7).map { -45.0 + 2.5 * Double($0) }
        for lat in [uk, south] {
            let a = try AreaWeights.latitudeWeights(lat, kind: .cellArea), c = try AreaWeights.latitudeWeights(lat, kind: .cosLatitude)
            for i in lat.indices { XCTAssertEqual(a[i], c[i], accuracy: 1e-12, "latitude \(lat[i])") }
        }
        // A grid within one spacing of both poles still reaches them (WeatherBench2): the edge rows of a 4-row grid at
        // ±60° (spacing 40°) hold the caps beyond ±40°.
        let global = try AreaWeights.latitudeWeights([-60, -20, 20, 60], kind: .cellArea)
        XCTAssertEqual(global[0] / global[1], (1 - sin(40 * Double.pi / 180)) / sin(40 * Double.pi / 180), accuracy: 1e-12)
    }
}
