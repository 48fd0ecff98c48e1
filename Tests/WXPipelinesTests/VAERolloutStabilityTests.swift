import Foundation
import XCTest
import WXCore
import WXGenerative
import WXPipelines

/// The embedded VAE (the default of `wxens forecast`, fine-tuned through 4-step rollouts) runs freely from a
/// validation-period state of the nature run without blowing up or drifting: every value stays finite and each
/// variable's area-weighted global mean stays within a fraction of its standard deviation of the truth's global mean
/// at the same time: a quarter over 5 days (the range it is scored on), half over 20 days; over 30 days every value
/// stays finite. Half a standard deviation does not hold to 30 days: from this start msl passes it after ~27 days
/// (0.70 sd at day 30). The model trained on single steps only (data/models/fuxi-vae) drifted far more in the
/// notebook's run from 2000-09-22 (tcwv's global mean halved, msl rose ~2 sd; notebooks-export/vae-perfect-model.md).
final class VAERolloutStabilityTests: XCTestCase {
    func testFiveDayRolloutKeepsGlobalMeans() throws { try rollout(steps: 20, bound: 0.25) }

    func testThirtyDayRolloutStaysFiniteAndTwentyDaysKeepGlobalMeans() throws { try rollout(steps: 120, bound: 0.5, boundSteps: 80) }

    func rollout(steps: Int, bound: Double, boundSteps: Int? = nil) throws {
        let model = VerifyGoldenTests.root.appendingPathComponent("data/models/fuxi-vae-rollout").path
        let truthPath = VerifyGoldenTests.shared.appendingPathComponent("data/perfect-model/truth.nc").path
        guard FileManager.default.fileExists(atPath: model) else { throw XCTSkip("the embedded VAE (data/models/fuxi-vae-rollout) is absent") }
        guard FileManager.default.fileExists(atPath: truthPath) else {
            throw XCTSkip("the shared perfect-model data (../shared/data/perfect-model) is absent")
        }
        let f = try VAEForecaster(checkpoint: model)
        let truth = try TruthSeries.read(truthPath, variables: f.variables)
        let n = truth.stateSize, v = f.variables.count, h = f.latitudes.count, w = f.longitudes.count, plane = h * w
        let rows = f.latitudes.map { cos($0 * .pi / 180) }, norm = rows.reduce(0, +) * Double(w)
        func globalMean(_ x: ArraySlice<Float>, _ k: Int) -> Double {
            var s = 0.0
            for p in 0..<plane { s += rows[p / w] * Double(x[x.startIndex + k * plane + p]) }
            return s / norm
        }
        let start = 744, members = 2, dates = try truth.dates(path: truthPath)
        var previous = Array(repeating: truth.values[(start - 1) * n ..< start * n], count: members).flatMap { $0 }
        var current = Array(repeating: truth.values[start * n ..< (start + 1) * n], count: members).flatMap { $0 }
        for step in 1...steps {
            var streams = (0..<members).map { Philox(seed: 0, purpose: .latent, index: [UInt64(start), UInt64($0), UInt64(step)]) }
            let next = try f.step(current: current, previous: previous, validTime: dates[start + step], streams: &streams)
            (previous, current) = (current, next)
            XCTAssert(current.allSatisfy(\.isFinite), "non-finite value at step \(step)")
            let t = truth.values[(start + step) * n ..< (start + step + 1) * n]
            guard step <= (boundSteps ?? steps) else { continue }
            for m in 0..<members {
                for k in 0..<v {
                    let drift = abs(globalMean(current[m * n ..< (m + 1) * n], k) - globalMean(t, k))
                    XCTAssertLessThan(drift, bound * Double(f.statistics.std[k]), "\(f.variables[k]) member \(m) step \(step)")
                }
            }
        }
    }
}
