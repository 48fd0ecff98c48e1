import XCTest
import WXCore
import WXNN
import WXGenerative

/// Multi-step fine-tuning: the rollout pass repeats the forecast step, and its gradients (through every step's prior,
/// draws and decoder, and through the states that feed the next steps) match central finite differences of the loss.
final class VAERolloutGradientTests: XCTestCase {
    let stats = VAEStatistics(mean: [0.5, -1], std: [1.5, 0.8], incrementStd: [0.4, 0.25])

    func tensor(_ shape: [Int], _ i: UInt64, scale: Float = 1) -> Tensor {
        var g = Philox(seed: 11, purpose: .trainingNoise, index: [i])
        var t = Tensor(zeros: shape)
        t.withUnsafeMutableBufferPointer { g.fillNormal($0); for q in $0.indices { $0[q] *= scale } }
        return t
    }

    func testRolloutRepeatsTheForecastStep() throws {
        let config = VAEGradientTests.smallConfig(), model = try VAEModel(config)
        var rng = Philox(seed: 4, purpose: .initialization)
        let p = model.initialParameters(&rng)
        let m = 3, x0 = tensor([m, 2, 4, 8], 1).array, xm1 = tensor([m, 2, 4, 8], 2).array
        let eps = [tensor([m, 2, 4, 8], 3), tensor([m, 2, 4, 8], 4)]
        let (states, _) = try model.rolloutForward(current: x0, previous: xm1, epsilon: eps, statistics: stats, p)
        var s = x0, prev = xm1
        for r in 0..<2 {
            let a = stats.inputs(current: s, previous: prev, batch: m, latitudes: config.latitudes, longitudes: 8)
            let next = stats.next(current: s, increment: try model.sampleIncrement(inputs: a, epsilon: eps[r], p))
            XCTAssertEqual(states[r], next, "step \(r + 1)")
            (prev, s) = (s, next)
        }
    }

    func testGradientsThroughThreeSteps() throws {
        let config = VAEGradientTests.smallConfig(), model = try VAEModel(config)
        var rng = Philox(seed: 4, purpose: .initialization)
        let p = model.initialParameters(&rng)
        let n = 2, k = 2, m = n * k, steps = 3, rows = [0.3, 0.9, 0.9, 0.3]
        let x0 = tensor([n, 2, 4, 8], 1).array, xm1 = tensor([n, 2, 4, 8], 2).array
        let truth = (0..<steps).map { tensor([n, 2, 4, 8], 10 + UInt64($0)).array }
        let eps = (0..<steps).map { tensor([m, 2, 4, 8], 20 + UInt64($0)) }
        func rep(_ x: [Float]) -> [Float] { (0..<m).flatMap { r in x[(r / k) * 64 ..< (r / k + 1) * 64] } }
        func loss(_ q: VAEModel.Parameters) throws -> (Double, [[Float]], VAEModel.RolloutCache) {
            let (s, cache) = try model.rolloutForward(current: rep(x0), previous: rep(xm1), epsilon: eps, statistics: stats, q)
            let (l, g) = VAERolloutLoss.evaluate(states: s, initial: x0, truth: truth, members: k, statistics: stats,
                                                 height: 4, width: 8, rowWeights: rows)
            return (l, g, cache)
        }
        let (_, gStates, cache) = try loss(p)
        let grads = Dictionary(uniqueKeysWithValues: try model.rolloutBackward(gStates: gStates, statistics: stats, cache, p)
            .named().map { ($0.name, $0.tensor) })
        for (name, g) in grads where name.hasPrefix("posterior.") {
            XCTAssertTrue(g.array.allSatisfy { $0 == 0 }, name)
        }
        let checked = try checkRolloutGradients(p, grads: grads, include: { !$0.hasPrefix("posterior.") }) { try loss($0).0 }
        XCTAssertEqual(checked, ["prior", "decoder"])
    }

    /// The state gradients that cross steps: with the loss on the last step only, the first step's decoder still
    /// gets its gradient (through the states), and it matches finite differences of that one-step-removed loss.
    func testLastStepLossReachesTheFirstStep() throws {
        let config = VAEGradientTests.smallConfig(), model = try VAEModel(config)
        var rng = Philox(seed: 6, purpose: .initialization)
        let p = model.initialParameters(&rng)
        let m = 2, x0 = tensor([m, 2, 4, 8], 1).array, xm1 = tensor([m, 2, 4, 8], 2).array
        let eps = [tensor([m, 2, 4, 8], 3), tensor([m, 2, 4, 8], 4)]
        let weights = tensor([m, 2, 4, 8], 5).array
        func loss(_ q: VAEModel.Parameters) throws -> Double {
            let (s, _) = try model.rolloutForward(current: x0, previous: xm1, epsilon: eps, statistics: stats, q)
            return zip(s[1], weights).reduce(0) { $0 + Double($1.0 * $1.1) }
        }
        let (_, cache) = try model.rolloutForward(current: x0, previous: xm1, epsilon: eps, statistics: stats, p)
        let g = try model.rolloutBackward(gStates: [[Float](repeating: 0, count: weights.count), weights],
                                          statistics: stats, cache, p)
        // Perturbing the decoder's output bias moves s_1 and so, through the second step's inputs, s_2.
        let name = "decoder.conv_out.bias"
        let analytic = g.named().first { $0.name == name }!.tensor.array
        for idx in analytic.indices {
            func shifted(_ delta: Float) throws -> Double {
                var q = p
                q.visit("") { nm, u in if nm == name { u.withUnsafeMutableBufferPointer { $0[idx] += delta } } }
                return try loss(q)
            }
            let fd = (try shifted(1e-2) - shifted(-1e-2)) / 2e-2
            XCTAssertEqual(fd, Double(analytic[idx]), accuracy: 0.02 * abs(fd) + 2e-3, "\(name)[\(idx)]")
        }
    }
}
