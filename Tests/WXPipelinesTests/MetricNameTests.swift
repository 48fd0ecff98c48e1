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

    /// Under `--nan-policy omit` each point has its own member count m: WB2's skill and spread per point with that m,
    /// over the points with m >= 2 (where the fair CRPS is defined), area-weighted per init, then the init mean.
    func testSkillAndSpreadUseEachPointsMemberCount() throws {
        var f = VerifyTestData.forecast()
        let I = 6, M = 5, L = 2, P = 12
        func index(_ i: Int, _ m: Int, _ l: Int, _ p: Int) -> Int { ((i * M + m) * L + l) * P + p }
        // Point 3 of init 0 at 24 h keeps 4 members, point 7 keeps 2, point 9 keeps 1 (no fair CRPS there);
        // init 2 at 48 h loses a member at every other point.
        f.values[index(0, 1, 0, 3)] = .nan
        for m in 0..<3 { f.values[index(0, m, 0, 7)] = .nan }
        for m in 1..<5 { f.values[index(0, m, 0, 9)] = .nan }
        for p in stride(from: 0, to: P, by: 2) { f.values[index(2, p % M, 1, p)] = .nan }
        let t = VerifyTestData.truth()
        let (fs, ts) = VerifyTestData.sources(forecast: f, truth: t)
        let card = try VerifyWorkflow.run(VerifyTestData.options(nanPolicy: .omit), forecast: fs, truth: ts)
        let w = try AreaWeights.gridWeights(latitudes: VerifyTestData.latitudes, longitudeCount: 3, kind: .cellArea)
        for (l, lead) in [24.0, 48.0].enumerated() {
            var skill = 0.0, spread = 0.0, fair = 0.0, inits = 0
            for i in 0..<I {
                let k = (i * 24 + Int(lead)) / 6
                var sw = 0.0, sk = 0.0, sp = 0.0, fc = 0.0
                for p in 0..<P {
                    let x = (0..<M).map { f.values[index(i, $0, l, p)] }.filter(\.isFinite), y = t.values[k * P + p]
                    let m = Double(x.count)
                    guard x.count >= 2 else { continue }
                    let s1 = x.map { abs($0 - y) }.reduce(0, +) / m
                    let s2 = x.map { a in x.map { abs(a - $0) }.reduce(0, +) }.reduce(0, +) / (m * (m - 1))
                    sw += w[p]; sk += w[p] * s1; sp += w[p] * s2; fc += w[p] * (s1 - s2 / 2)
                }
                guard sw > 0 else { continue }
                skill += sk / sw; spread += sp / sw; fair += fc / sw; inits += 1
            }
            let n = Double(inits)
            let a = try XCTUnwrap(card.accumulator("tas", lead))
            XCTAssertLessThan(a.minValidMembers, a.members, "member counts vary at \(lead) h")
            let s = MetricName.values(of: a, hasClimatology: false)
            XCTAssertLessThan(rel(s["crps_skill"]!, skill / n), 1e-12, "crps_skill at \(lead) h")
            XCTAssertLessThan(rel(s["crps_spread"]!, spread / n), 1e-11, "crps_spread at \(lead) h")
            XCTAssertLessThan(rel(s["crps"]!, fair / n), 1e-12, "crps at \(lead) h")
            XCTAssertLessThan(rel(s["crps"]!, s["crps_skill"]! - s["crps_spread"]! / 2), 1e-12, "crps = skill - spread/2 at \(lead) h")
        }
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
