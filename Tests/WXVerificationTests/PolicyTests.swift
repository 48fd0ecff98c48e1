import XCTest
import WXVerification

final class PolicyTests: XCTestCase {
    /// WeightedMean under each NaN policy, and its merge.
    func testWeightedMeanPolicies() throws {
        var a = WeightedMean()
        try a.add([1, 2, .nan, 4], weights: [1, 2, 3, 1], nanPolicy: .omit)
        XCTAssertEqual(a.mean, (1 + 4 + 4) / 4.0, accuracy: 1e-15)
        XCTAssertEqual(a.count, 3)
        XCTAssertEqual(a.omitted, 1)
        var b = WeightedMean()
        try b.add([1, .nan])
        XCTAssertTrue(b.mean.isNaN)
        var c = WeightedMean()
        XCTAssertThrowsError(try c.add([1, .infinity], nanPolicy: .raise))
        XCTAssertThrowsError(try c.add([1, 2], weights: [1]))
        XCTAssertTrue(WeightedMean().mean.isNaN)
        var d = WeightedMean()
        try d.add(6, weight: 2)
        XCTAssertEqual(a.merging(d).mean, (9 + 12) / 6.0, accuracy: 1e-15)
    }

    /// Per-point thresholds and the explicit comparison decide events; NaN points are skipped and counted.
    func testThresholdEventsAndSkips() throws {
        // 3 members, 4 points, member-major
        let fct: [Double] = [1, 2, 3, 4,
                             1, 0, 3, .nan,
                             0, 2, 5, 4]
        let obs: [Double] = [1, 2, 2.5, 4]
        let perPoint = ThresholdEvent(thresholds: [1, 1, 3, 0], comparison: .greaterOrEqual)
        var t = try ProbabilityEventAccumulator(members: 3)
        try t.add(forecast: fct, observations: obs, event: perPoint)
        // point 0: members ≥ 1: 1,1,0 → k=2, obs 1 ≥ 1 event; point 1: 2,0,2 ≥ 1 → k=2, event; point 2: 3,3,5 ≥ 3 → k=3, obs 2.5 no
        XCTAssertEqual(t.pointCounts, [0, 0, 2, 1])
        XCTAssertEqual(t.eventCounts, [0, 0, 2, 0])
        XCTAssertEqual(t.skipped, 1)
        let strict = ThresholdEvent(thresholds: [1, 1, 3, 0], comparison: .greater)
        var s = try ProbabilityEventAccumulator(members: 3)
        try s.add(forecast: fct, observations: obs, event: strict)
        // point 0: >1: none → k=0, obs no; point 1: 2,0,2 → k=2, obs 2 > 1 event; point 2: 5 > 3 → k=1, no
        XCTAssertEqual(s.pointCounts, [1, 1, 1, 0])
        XCTAssertEqual(s.eventCounts, [0, 0, 1, 0])
        XCTAssertThrowsError(try s.add(forecast: fct, observations: obs, event: strict, nanPolicy: .raise))
        XCTAssertThrowsError(try s.add(forecast: fct, observations: obs, event: ThresholdEvent(thresholds: [1, 2], comparison: .greater)))
        let bs = try BrierScore.pointwise(forecast: fct, observations: obs, members: 3, event: perPoint)
        XCTAssertEqual(bs[0], (2.0 / 3 - 1) * (2.0 / 3 - 1), accuracy: 1e-15)
        XCTAssertTrue(bs[3].isNaN)
        let bsOmit = try BrierScore.pointwise(forecast: fct, observations: obs, members: 3, event: perPoint, nanPolicy: .omit)
        XCTAssertEqual(bsOmit[3], 0, accuracy: 1e-15)  // members 4, 4 ≥ 0 → p = 1, obs 4 ≥ 0

        var rh = try RankHistogramAccumulator(members: 3)
        try rh.add(forecast: fct, observations: obs)
        XCTAssertEqual(rh.count, 3)
        XCTAssertEqual(rh.skipped, 1)
        XCTAssertThrowsError(try rh.merge(try RankHistogramAccumulator(members: 4)))

        var ct = ContingencyTable()
        try ct.add(forecast: [1, 0, 1, .nan], observations: [1, 1, 0, 0], event: ThresholdEvent(threshold: 0.5, comparison: .greater))
        XCTAssertEqual([ct.hits, ct.misses, ct.falseAlarms, ct.correctNegatives], [1, 1, 1, 0])
        XCTAssertEqual(ct.skipped, 1)
    }

    /// Errors name what was wrong.
    func testErrorsAreDescriptive() {
        XCTAssertThrowsError(try CRPS.ensemble(forecast: [1, 2, 3] as [Double], observations: [1, 2] as [Double], members: 2)) { e in
            XCTAssertTrue("\(e)".contains("forecast"), "\(e)")
            XCTAssertTrue("\(e)".contains("expected 4"), "\(e)")
        }
        XCTAssertThrowsError(try CRPS.gaussian(mean: 0, sd: -1, observation: 0)) { e in XCTAssertTrue("\(e)".contains("sd"), "\(e)") }
        XCTAssertThrowsError(try SpreadSkillAccumulator(members: 1))
        XCTAssertThrowsError(try ThresholdWeightedCRPS.ensemble([1, 2], observation: 0, weight: .interval(lower: 1, upper: 0)))
    }
}
