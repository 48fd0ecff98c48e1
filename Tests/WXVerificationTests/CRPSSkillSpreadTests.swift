import XCTest
import WXVerification

/// WB2's skill and spread terms recovered from the standard and fair CRPS, against the plain double sums.
final class CRPSSkillSpreadTests: XCTestCase {
    /// skill = (1/M) Σ|x_i − y|, spread = Σ_ij |x_i − x_j| / (M(M−1)) by the O(M²) sums.
    func direct(_ x: [Double], _ y: Double) -> (skill: Double, spread: Double) {
        let m = Double(x.count)
        var skill = 0.0, pairs = 0.0
        for a in x { skill += abs(a - y); for b in x { pairs += abs(a - b) } }
        return (skill / m, pairs / (m * (m - 1)))
    }

    func testMatchesDirectSumsPointwiseAndForWeightedMeans() throws {
        var rng = SeededRNG(seed: 17)
        for m in [2, 3, 5, 20, 51] {
            var wSum = 0.0, std = 0.0, fair = 0.0, skill = 0.0, spread = 0.0
            for _ in 0..<40 {
                let x = (0..<m).map { _ in 280 + 3 * rng.normal() }, y = 280 + 3 * rng.normal()
                let s = try CRPS.ensemble(x, observation: y, estimator: .standard)
                let f = try CRPS.ensemble(x, observation: y, estimator: .fair)
                let got = CRPSSkillSpread.from(standard: s, fair: f, members: m), want = direct(x, y)
                XCTAssertEqual(got.skill, want.skill, accuracy: 1e-11 * want.skill, "M=\(m) skill")
                XCTAssertEqual(got.spread, want.spread, accuracy: 1e-10 * want.spread, "M=\(m) spread")
                XCTAssertEqual(f, want.skill - want.spread / 2, accuracy: 1e-11 * want.skill, "crps = skill - spread/2")
                let w = Double.random(in: 0.1...1, using: &rng)
                wSum += w; std += w * s; fair += w * f; skill += w * want.skill; spread += w * want.spread
            }
            let mean = CRPSSkillSpread.from(standard: std / wSum, fair: fair / wSum, members: m)
            XCTAssertEqual(mean.skill, skill / wSum, accuracy: 1e-11 * skill / wSum, "M=\(m) weighted mean skill")
            XCTAssertEqual(mean.spread, spread / wSum, accuracy: 1e-10 * spread / wSum, "M=\(m) weighted mean spread")
        }
        XCTAssertTrue(CRPSSkillSpread.from(standard: 1, fair: .nan, members: 1).spread.isNaN)
    }
}
