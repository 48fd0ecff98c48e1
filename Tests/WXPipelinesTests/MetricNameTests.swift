import XCTest
import WXCore
import WXPipelines
import WXVerification

/// Published metric names and values (`MetricName`): WeatherBench2's definitions, against plain reference code.
final class MetricNameTests: XCTestCase {
    func rel(_ a: Double, _ b: Double) -> Double { abs(a - b) / max(abs(b), 1e-300) }

    func testPublishedScoresAreWeatherBench2sDefinitions() throws {
        let f = VerifyTestData.forecast(), t = VerifyTestData.truth()
        let (fs, ts) = VerifyTestData.sources(forecast: f, truth: t)
        let card = try VerifyWorkflow.run(VerifyTestData.options(), forecast: fs, truth: ts)
        let w = try AreaWeights.gridWeights(latitudes: VerifyTestData.latitudes, longitudeCount: 3, kind: .cellArea)
        let I = 6, M = 5, L = 2, P = 12
        for (l, lead) in [24.0, 48.0].enumerated() {
            // WB2: CRPSSkill = E|X - Y|, CRPSSpread = E|X - X'| (fair, M(M-1) pairs), CRPS = skill - spread/2,
            // area-weighted per init, then the mean over inits.
            var skill = 0.0, spread = 0.0, mse = 0.0, variance = 0.0
            for i in 0..<I {
                let k = (i * 24 + Int(lead)) / 6
                var sw = 0.0, sk = 0.0, sp = 0.0, se = 0.0, v = 0.0
                for p in 0..<P {
                    let x = (0..<M).map { f.values[(((i * M + $0) * L + l) * P) + p] }, y = t.values[k * P + p]
                    let mean = x.reduce(0, +) / Double(M)
                    sw += w[p]
                    sk += w[p] * x.map { abs($0 - y) }.reduce(0, +) / Double(M)
                    sp += w[p] * x.map { a in x.map { abs(a - $0) }.reduce(0, +) }.reduce(0, +) / Double(M * (M - 1))
                    se += w[p] * (mean - y) * (mean - y)
                    v += w[p] * x.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(M - 1)
                }
                skill += sk / sw; spread += sp / sw; mse += se / sw; variance += v / sw
            }
            let n = Double(I)
            let a = try XCTUnwrap(card.accumulator("tas", lead))
            let s = MetricName.values(of: a, hasClimatology: false), own = Scorecard.scores(of: a, hasClimatology: false)
            XCTAssertLessThan(rel(s["crps_skill"]!, skill / n), 1e-12)
            XCTAssertLessThan(rel(s["crps_spread"]!, spread / n), 1e-11)
            XCTAssertLessThan(rel(s["crps"]!, (skill - spread / 2) / n), 1e-12, "WB2's crps is the fair estimator")
            XCTAssertEqual(s["crps"], own["crps_fair"])
            XCTAssertEqual(s["crps_standard"], own["crps"])
            XCTAssertLessThan(rel(s["ensemble_mean_mse"]!, mse / n), 1e-12)
            XCTAssertLessThan(rel(s["ensemble_variance"]!, variance / n), 1e-12)
            XCTAssertEqual(s["ensemble_mean_rmse"], own["rmse"])
            XCTAssertEqual(s["ensemble_stddev"], own["spread"])
            XCTAssertEqual(s["brier_score_gt281"], own["brier_gt281"])
            XCTAssertEqual(s["debiased_brier_score_gt281"], own["brier_fair_gt281"])
            XCTAssertEqual(Set(s.keys), Set(MetricName.all(for: a, hasClimatology: false).map(\.name)))
        }
    }

    func testSkillAndSpreadAreNaNWhenMembersVaryByPoint() throws {
        let f = VerifyTestData.forecast(nanAt: 3)
        let (fs, ts) = VerifyTestData.sources(forecast: f)
        let card = try VerifyWorkflow.run(VerifyTestData.options(nanPolicy: .omit), forecast: fs, truth: ts)
        let a = try XCTUnwrap(card.accumulator("tas", 24))
        XCTAssertLessThan(a.minValidMembers, a.members)
        let s = MetricName.values(of: a, hasClimatology: false)
        XCTAssertTrue(s["crps_skill"]!.isNaN && s["crps_spread"]!.isNaN)
        XCTAssertFalse(s["crps"]!.isNaN)
    }

    func testUnitsOfEachPower() {
        let crps = MetricName("crps", unitsPower: 1), v = MetricName("ensemble_variance", unitsPower: 2), r = MetricName("acc", unitsPower: 0)
        XCTAssertEqual(crps.units(variableUnits: "K"), "K")
        XCTAssertEqual(v.units(variableUnits: "K"), "K2")
        XCTAssertEqual(v.units(variableUnits: "m s-1"), "(m s-1)2")
        XCTAssertEqual(r.units(variableUnits: "K"), "1")
        XCTAssertNil(crps.units(variableUnits: ""))
        XCTAssertEqual(r.units(variableUnits: nil), "1")
    }
}
