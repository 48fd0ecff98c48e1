import XCTest
import WXVerification

final class CategoricalTests: XCTestCase {
    /// Loads brier_rank_roc.json's Brier block as member-major arrays and fills an event table (x ≥ 0.5).
    private func brierTable() throws -> (ref: [String: Any], table: ProbabilityEventAccumulator, fct: [Double], obs: [Double], m: Int) {
        let ref = try ReferenceData.load("brier_rank_roc.json")
        let b = try XCTUnwrap(ref["brier"] as? [String: Any])
        let (fct, shape) = ReferenceData.array(b["fct"])
        let obs = ReferenceData.array(b["obs"]).values
        let m = shape[1], n = shape[0]
        XCTAssertEqual(m, 10)
        var mm = [Double](repeating: 0, count: m * n)
        for p in 0..<n { for i in 0..<m { mm[i * n + p] = fct[p * m + i] } }
        var table = try ProbabilityEventAccumulator(members: m)
        try table.add(forecast: mm, observations: obs, event: ThresholdEvent(threshold: 0.5, comparison: .greaterOrEqual))
        return (ref, table, mm, obs, m)
    }

    /// Brier score (standard and fair) against scores/xskillscore/scoringrules, and the exact Murphy decomposition.
    func testGoldenBrier() throws {
        let (ref, table, mm, obs, m) = try brierTable()
        let b = ref["brier"] as! [String: Any]
        let exp = b["expected"] as! [String: Any]
        XCTAssertEqual(table.count, 400)
        assertClose(table.brierScore(), ReferenceData.number(exp["scores.brier_score(p,o) mean"])!, rel: 1e-12)
        assertClose(table.brierScore(), ReferenceData.number(exp["xskillscore.brier_score(o,p) mean"])!, rel: 1e-12)
        assertClose(table.brierScore(fair: true), ReferenceData.number(exp["xskillscore.brier_score(o_bool,members_bool,fair=True) mean"])!, rel: 1e-12)
        let event = ThresholdEvent(threshold: 0.5, comparison: .greaterOrEqual)
        let per = try BrierScore.pointwise(forecast: mm, observations: obs, members: m, event: event)
        let expPer = ReferenceData.array(exp["scoringrules.brier_score(o,p) per point"]).values
        for p in 0..<obs.count { assertClose(per[p], expPer[p], rel: 1e-12, abs: 1e-15, "point \(p)") }
        let fairPer = try BrierScore.pointwise(forecast: mm, observations: obs, members: m, event: event, fair: true)
        let expFair = ReferenceData.array(exp["scores.brier_score_for_ensemble(fair_correction=True, op=ge) per point"]).values
        for p in 0..<obs.count { assertClose(fairPer[p], expFair[p], rel: 1e-12, abs: 1e-14, "fair point \(p)") }
        let dec = table.brierDecomposition
        let own = b["murphy_decomposition_own"] as! [String: Any]
        assertClose(dec.reliability, ReferenceData.number(own["reliability"])!, rel: 1e-12)
        assertClose(dec.resolution, ReferenceData.number(own["resolution"])!, rel: 1e-12)
        assertClose(dec.uncertainty, ReferenceData.number(own["uncertainty"])!, rel: 1e-12)
        XCTAssertEqual(dec.brierScore, table.brierScore(), accuracy: 1e-15)
    }

    /// ROC curve, trapezoid and Mann–Whitney areas, reliability diagrams and relative economic value.
    func testGoldenROCReliabilityValue() throws {
        let (ref, table, _, _, m) = try brierTable()
        let roc = ref["roc"] as! [String: Any]
        let curve = roc["scores.roc_curve_data[thresholds=k/M, fcst>=threshold]"] as! [String: Any]
        let pod = ReferenceData.array(curve["POD"]).values, pofd = ReferenceData.array(curve["POFD"]).values
        // scores' thresholds are floats (0.30000000000000004 excludes p = 0.3), so compare at its exact thresholds.
        let ours = table.rocCurve(probabilityThresholds: ReferenceData.array(curve["threshold"]).values)
        XCTAssertEqual(ours.count, pod.count)
        let exact = table.rocCurve
        XCTAssertEqual(exact.count, m + 2)
        XCTAssertEqual(exact[0].hitRate, 1)
        XCTAssertEqual(exact[0].falseAlarmRate, 1)
        XCTAssertEqual(exact[3].hitRate, table.rates(probabilityThreshold: 0.3).hitRate)
        for i in 0..<pod.count {
            assertClose(ours[i].hitRate, pod[i], rel: 1e-12, abs: 1e-15, "POD \(i)")
            assertClose(ours[i].falseAlarmRate, pofd[i], rel: 1e-12, abs: 1e-15, "POFD \(i)")
        }
        assertClose(table.rocArea, ReferenceData.number(roc["scores.roc_auc"])!, rel: 1e-12)
        assertClose(table.rocAreaMannWhitney, ReferenceData.number(roc["own_mann_whitney_auc (ties 1/2)"])!, rel: 1e-12)

        let rel = ref["reliability"] as! [String: Any]
        let edges = [0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0]
        let binned = try table.reliabilityDiagram(binEdges: edges)
        let own = rel["own_numpy_histogram[edges_0_0.2_..._1]"] as! [String: Any]
        XCTAssertEqual(binned.map(\.count), ReferenceData.array(own["counts"]).values.map { Int($0) })
        XCTAssertEqual(binned.map(\.events), ReferenceData.array(own["event_counts"]).values.map { Int($0) })
        let xs = rel["xskillscore.reliability[edges_0_0.2_..._1]"] as! [String: Any]
        let freq = ReferenceData.array(xs["observed_relative_frequency"]).values
        for i in 0..<freq.count { assertClose(binned[i].observedFrequency, freq[i], rel: 1e-12, "bin \(i)") }
        let perK = table.reliabilityDiagram
        let ownK = rel["own_numpy_histogram[edges_M+1_bins]"] as! [String: Any]
        XCTAssertEqual(perK.map(\.count), ReferenceData.array(ownK["counts"]).values.map { Int($0) })
        XCTAssertEqual(perK.map(\.events), ReferenceData.array(ownK["event_counts"]).values.map { Int($0) })
        XCTAssertEqual(perK.count, m + 1)

        let rev = ref["relative_economic_value"] as! [String: Any]
        let ratios = ReferenceData.array(rev["cost_loss_ratios"]).values
        let thresholds = ReferenceData.array(rev["probability_thresholds"]).values
        let v = try table.relativeEconomicValue(costLossRatios: ratios, probabilityThresholds: thresholds)
        let expV = ReferenceData.array((rev["rev_per_threshold"] as! [String: Any])["values"]).values
        for i in 0..<thresholds.count { for j in 0..<ratios.count {
            assertClose(v[i][j], expV[i * ratios.count + j], rel: 1e-12, abs: 1e-14, "REV t=\(thresholds[i]) a=\(ratios[j])")
        } }
        let maxV = try table.maximumRelativeEconomicValue(costLossRatios: ratios, probabilityThresholds: thresholds)
        let expMax = ReferenceData.array((rev["maximum"] as! [String: Any])["values"]).values
        for j in 0..<ratios.count { assertClose(maxV[j], expMax[j], rel: 1e-12, abs: 1e-14, "max REV a=\(ratios[j])") }
    }

    /// Rank histograms with ties split uniformly against scores and the own integer counts.
    func testGoldenRankHistogram() throws {
        let ref = try ReferenceData.load("brier_rank_roc.json")
        let cases = try XCTUnwrap((ref["rank_histogram"] as? [String: Any])?["cases"] as? [[String: Any]])
        XCTAssertEqual(cases.count, 3)
        for c in cases {
            let name = c["name"] as! String
            let (fct, shape) = ReferenceData.array(c["fct"])
            let obs = ReferenceData.array(c["obs"]).values
            let n = shape[0], m = shape[1]
            var mm = [Double](repeating: 0, count: m * n)
            for p in 0..<n { for i in 0..<m { mm[i * n + p] = fct[p * m + i] } }
            var h = try RankHistogramAccumulator(members: m)
            try h.add(forecast: mm, observations: obs)
            let exp = c["expected"] as! [String: Any]
            let counts = ReferenceData.array(exp["own_tie_split_counts (sum = n cases)"]).values
            let freq = ReferenceData.array(exp["scores.rank_histogram relative frequency (ties split equally)"]).values
            XCTAssertEqual(h.count, n)
            for r in 0...m {
                assertClose(h.counts[r], counts[r], rel: 1e-12, "\(name) rank \(r + 1)")
                assertClose(h.frequencies[r], freq[r], rel: 1e-12, "\(name) frequency \(r + 1)")
            }
            let random = ReferenceData.array(exp["xskillscore.rank_histogram(random_for_tied=True, np.random.seed(12345)) counts"]).values
            XCTAssertEqual(random.reduce(0, +), Double(h.count), accuracy: 1e-9, name)
        }
    }

    /// Contingency scores against scores 2.7 and the own EDI/SEDI.
    func testGoldenContingency() throws {
        let ref = try ReferenceData.load("brier_rank_roc.json")
        let cases = try XCTUnwrap((ref["contingency"] as? [String: Any])?["cases"] as? [[String: Any]])
        for c in cases {
            let name = c["name"] as! String
            let t = ContingencyTable(hits: ReferenceData.number(c["hits"])!, falseAlarms: ReferenceData.number(c["false_alarms"])!,
                                     misses: ReferenceData.number(c["misses"])!, correctNegatives: ReferenceData.number(c["correct_negatives"])!)
            let e = c["expected"] as! [String: Any]
            let pairs: [(String, Double)] = [
                ("scores.hit_rate(POD)", t.probabilityOfDetection), ("scores.false_alarm_rate(POFD)", t.probabilityOfFalseDetection),
                ("scores.false_alarm_ratio", t.falseAlarmRatio), ("scores.frequency_bias", t.frequencyBias),
                ("scores.critical_success_index", t.criticalSuccessIndex), ("scores.equitable_threat_score", t.equitableThreatScore),
                ("scores.peirce_skill_score", t.peirceSkillScore), ("scores.heidke_skill_score", t.heidkeSkillScore),
                ("scores.odds_ratio", t.oddsRatio), ("own_EDI (lnF-lnH)/(lnF+lnH)", t.extremalDependenceIndex),
                ("own_SEDI", t.symmetricExtremalDependenceIndex),
                ("scores.symmetric_extremal_dependence_index", t.symmetricExtremalDependenceIndex)]
            for (k, v) in pairs {
                guard let x = ReferenceData.number(e[k]) else { XCTFail("\(name): no \(k)"); continue }
                assertClose(v, x, rel: 1e-12, abs: 1e-15, "\(name) \(k)")
            }
        }
    }

    /// The Brier score integrated over all thresholds equals the CRPS: exactly, as a sum over the gaps between the
    /// sorted values, for an ensemble; and merging shards of event tables and rank histograms is exact.
    func testBrierIntegralEqualsCRPSAndExactMerge() throws {
        var rng = SeededRNG(seed: 13)
        let m = 9
        let x = (0..<m).map { _ in rng.normal() }, y = 0.37
        let crps = try CRPS.ensemble(x, observation: y)
        // On each gap between consecutive sorted values (with y), the Brier score for "value ≤ t" is constant.
        let knots = (x + [y]).sorted()
        var integral = 0.0
        for i in 0..<(knots.count - 1) {
            let t = (knots[i] + knots[i + 1]) / 2
            let p = Double(x.filter { $0 <= t }.count) / Double(m), o: Double = y <= t ? 1 : 0
            integral += (p - o) * (p - o) * (knots[i + 1] - knots[i])
        }
        XCTAssertEqual(integral, crps, accuracy: 1e-14)

        let points = 500
        let fct = (0..<(m * points)).map { _ in (rng.normal() * 2).rounded() / 2 }
        let obs = (0..<points).map { _ in (rng.normal() * 2).rounded() / 2 }
        let event = ThresholdEvent(threshold: 0.5, comparison: .greater)
        var whole = try ProbabilityEventAccumulator(members: m), merged = try ProbabilityEventAccumulator(members: m)
        var rh = try RankHistogramAccumulator(members: m), rhMerged = try RankHistogramAccumulator(members: m)
        try whole.add(forecast: fct, observations: obs, event: event)
        try rh.add(forecast: fct, observations: obs)
        for (a, b) in [(0, 123), (123, 500)] {
            let f = (0..<m).flatMap { i in fct[(i * points + a)..<(i * points + b)] }
            var part = try ProbabilityEventAccumulator(members: m)
            try part.add(forecast: f, observations: Array(obs[a..<b]), event: event)
            try merged.merge(try JSONDecoder().decode(ProbabilityEventAccumulator.self, from: JSONEncoder().encode(part)))
            var rp = try RankHistogramAccumulator(members: m)
            try rp.add(forecast: f, observations: Array(obs[a..<b]))
            try rhMerged.merge(rp)
        }
        XCTAssertEqual(merged.pointCounts, whole.pointCounts)
        XCTAssertEqual(merged.eventCounts, whole.eventCounts)
        XCTAssertEqual(merged.brierScore(), whole.brierScore())
        XCTAssertEqual(rhMerged, rh)
    }

    /// A calibrated ensemble gives a flat rank histogram: chi-square with M degrees of freedom below its 0.1% point.
    func testCalibratedRankHistogramIsFlat() throws {
        var rng = SeededRNG(seed: 99)
        let m = 10, points = 20_000
        var fct = [Double](repeating: 0, count: m * points), obs = [Double](repeating: 0, count: points)
        for p in 0..<points {
            let c = rng.normal()
            obs[p] = c + rng.normal()
            for i in 0..<m { fct[i * points + p] = c + rng.normal() }
        }
        var h = try RankHistogramAccumulator(members: m)
        try h.add(forecast: fct, observations: obs)
        let e = Double(points) / Double(m + 1)
        let chi2 = h.counts.reduce(0) { $0 + ($1 - e) * ($1 - e) / e }
        XCTAssertLessThan(chi2, 29.59, "chi-square \(chi2) with 10 degrees of freedom (0.1% point 29.59)")
        // δ = χ²/M here, so about 1 for a reliable ensemble; an under-dispersive one is far above.
        XCTAssertEqual(h.unreliability, chi2 / Double(m), accuracy: 1e-9)
        var narrow = try RankHistogramAccumulator(members: m)
        try narrow.add(forecast: fct.map { $0 * 0.3 }, observations: obs)
        XCTAssertGreaterThan(narrow.unreliability, 10 * max(h.unreliability, 0.5))
    }

    /// Equal-width weighted reliability bins against a point-by-point reference (numpy `histogram` edges i/B, the last
    /// bin closed), at an ensemble size whose probabilities fall on the edges (M = 20) and one whose do not (M = 31).
    func testWeightedReliabilityBinsMatchPointwiseReference() throws {
        var rng = SeededRNG(seed: 7)
        for (m, bins) in [(20, 10), (31, 10), (31, 7), (3, 10)] {
            var table = try ProbabilityEventAccumulator(members: m)
            var refCount = [Int](repeating: 0, count: bins)
            var refW = [Double](repeating: 0, count: bins), refO = refW, refP = refW
            for _ in 0..<5_000 {
                let k = Int.random(in: 0...m, using: &rng)
                let observed = Double.random(in: 0..<1, using: &rng) < Double(k) / Double(m) * 0.8 + 0.05
                let w = [0.25, 0.5, 1, 2][Int.random(in: 0..<4, using: &rng)]  // dyadic, so weight sums are exact
                table.add(memberCount: k, event: observed, weight: w)
                let p = Double(k) / Double(m)
                var b = 0
                while b < bins - 1 && p >= Double(b + 1) / Double(bins) { b += 1 }
                refCount[b] += 1; refW[b] += w; refP[b] += w * p
                if observed { refO[b] += w }
            }
            let got = try table.reliabilityDiagram(bins: bins)
            XCTAssertEqual(got.count, bins)
            XCTAssertEqual(got.map(\.count), refCount, "M = \(m), B = \(bins)")
            XCTAssertEqual(got.map(\.weight), refW, "M = \(m), B = \(bins)")
            XCTAssertEqual(got.map(\.count).reduce(0, +), table.count)
            for b in 0..<bins {
                XCTAssertEqual(got[b].lower, Double(b) / Double(bins))
                if refW[b] == 0 {
                    XCTAssertTrue(got[b].observedFrequency.isNaN && got[b].forecastProbability.isNaN, "empty bin \(b)")
                    continue
                }
                XCTAssertEqual(got[b].observedFrequency, refO[b] / refW[b], "M = \(m), bin \(b)")
                assertClose(got[b].forecastProbability, refP[b] / refW[b], rel: 1e-14, "M = \(m), bin \(b)")
                XCTAssertTrue(got[b].forecastProbability >= got[b].lower - 1e-15 && got[b].forecastProbability <= got[b].upper + 1e-15)
            }
        }
        var t = try ProbabilityEventAccumulator(members: 4)
        t.add(memberCount: 2, event: true, weight: 1)
        let pw = try t.reliabilityDiagram(bins: 2, probabilityWeights: [0, 0, 0.45, 0, 0])
        XCTAssertEqual(pw[1].forecastProbability, 0.45, "given probability weights replace k/M")
        XCTAssertThrowsError(try t.reliabilityDiagram(bins: 0))
        XCTAssertThrowsError(try t.reliabilityDiagram(bins: 10, probabilityWeights: [1, 2]))
    }
}
