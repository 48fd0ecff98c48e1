import Foundation
import XCTest
import WXCore
import WXGenerative
import WXVerification

/// The VAE's loss units against closed forms, the verification library and finite differences.
final class VAELossTests: XCTestCase {
    func normal(_ shape: [Int], _ i: UInt64, scale: Float = 1) -> Tensor {
        var g = Philox(seed: 11, purpose: .trainingNoise, index: [i])
        var t = Tensor(zeros: shape)
        t.withUnsafeMutableBufferPointer { g.fillNormal($0); for k in $0.indices { $0[k] *= scale } }
        return t
    }

    /// KL(q || p) of one element against a quadrature of the integral of q log(q / p).
    func testKLElementMatchesQuadrature() {
        for (mq, lq, mp, lp) in [(0.3, -0.5, -0.2, 0.4), (1.5, 0.7, 0.0, 0.0), (-2.0, -2.0, 1.0, 1.2)] {
            let sq = exp(0.5 * lq), sp = exp(0.5 * lp)
            func logPdf(_ x: Double, _ m: Double, _ s: Double) -> Double { -0.5 * pow((x - m) / s, 2) - log(s) - 0.5 * log(2 * .pi) }
            let lo = mq - 12 * sq, step = 24 * sq / 200_000
            var integral = 0.0
            for i in 0..<200_000 {
                let x = lo + (Double(i) + 0.5) * step
                integral += exp(logPdf(x, mq, sq)) * (logPdf(x, mq, sq) - logPdf(x, mp, sp)) * step
            }
            XCTAssertEqual(GaussianKL.element(muQ: mq, logVarQ: lq, muP: mp, logVarP: lp), integral, accuracy: 1e-7)
        }
    }

    /// The tensor KL is the area-weighted mean of the elements summed over channels, and its gradients match
    /// central differences.
    func testKLTensorAndGradients() {
        let shape = [2, 3, 4, 5], rows = [0.2, 0.8, 0.9, 0.4]
        let mq = normal(shape, 1), lq = normal(shape, 2, scale: 0.5), mp = normal(shape, 3), lp = normal(shape, 4, scale: 0.5)
        let (loss, g) = GaussianKL.evaluate(muQ: mq, logVarQ: lq, muP: mp, logVarP: lp, rowWeights: rows)
        var direct = 0.0
        for e in 0..<2 { for c in 0..<3 { for i in 0..<4 { for j in 0..<5 {
            let k = ((e * 3 + c) * 4 + i) * 5 + j
            direct += rows[i] * GaussianKL.element(muQ: Double(mq.array[k]), logVarQ: Double(lq.array[k]),
                                                   muP: Double(mp.array[k]), logVarP: Double(lp.array[k]))
        } } } }
        XCTAssertEqual(loss, direct / (2 * 5 * rows.reduce(0, +)), accuracy: 1e-9)
        let inputs = [mq, lq, mp, lp], grads = [g.muQ, g.logVarQ, g.muP, g.logVarP]
        for which in 0..<4 {
            for k in [0, 17, 59, 101] {
                func shifted(_ d: Float) -> Double {
                    var t = inputs
                    t[which].withUnsafeMutableBufferPointer { $0[k] += d }
                    return GaussianKL.evaluate(muQ: t[0], logVarQ: t[1], muP: t[2], logVarP: t[3], rowWeights: rows).loss
                }
                let h: Float = 1e-2
                let fd = (shifted(h) - shifted(-h)) / Double(2 * h)
                XCTAssertEqual(fd, Double(grads[which].array[k]), accuracy: 1e-3 * abs(fd) + 1e-6, "input \(which)[\(k)]")
            }
        }
    }

    /// The fair CRPS loss equals the area-weighted mean of WXVerification's fair CRPS at each point.
    func testFairCRPSMatchesVerificationLibrary() throws {
        let n = 2, k = 4, v = 3, h = 4, w = 5, rows = [0.2, 0.8, 0.9, 0.4], vw = [1.0, 0.5, 2.0]
        let x = normal([n, k, v, h, w], 5), y = normal([n, v, h, w], 6)
        let (loss, _) = FairCRPSLoss.evaluate(members: x, target: y, rowWeights: rows, variableWeights: vw)
        var direct = 0.0
        for e in 0..<n { for c in 0..<v { for p in 0..<(h * w) {
            let members = (0..<k).map { x.array[((e * k + $0) * v + c) * h * w + p] }
            direct += vw[c] * rows[p / w] * (try CRPS.ensemble(members, observation: y.array[(e * v + c) * h * w + p], estimator: .fair))
        } } }
        XCTAssertEqual(loss, direct / Double(n * v * w) / rows.reduce(0, +), accuracy: 1e-9)
    }

    /// The fair CRPS of K Gaussian samples is unbiased for the Gaussian's closed-form CRPS.
    func testFairCRPSOfSamplesMatchesGaussianClosedForm() throws {
        let points = 40_000, k = 3, mu = 0.4, sd = 1.3, y: Float = -0.6
        let x = normal([1, k, 1, 1, points], 7)
        let members = Tensor(shape: x.shape, values: x.array.map { Float(mu) + Float(sd) * $0 })
        let (loss, _) = FairCRPSLoss.evaluate(members: members, target: Tensor(shape: [1, 1, 1, points], values: .init(repeating: y, count: points)),
                                              rowWeights: [1])
        let exact = try CRPS.gaussian(mean: mu, sd: sd, observation: Double(y))
        // Standard error of the mean of 40000 fair CRPS values is ~0.005 here.
        XCTAssertEqual(loss, exact, accuracy: 0.02)
    }

    /// Gradients of the fair CRPS loss match central differences (away from ties, where it is smooth).
    func testFairCRPSGradients() {
        let n = 2, k = 3, v = 2, h = 3, w = 4, rows = [0.5, 1.0, 0.5]
        let x = normal([n, k, v, h, w], 8), y = normal([n, v, h, w], 9)
        let (_, g) = FairCRPSLoss.evaluate(members: x, target: y, rowWeights: rows)
        for idx in [0, 13, 40, 97, 143] {
            func shifted(_ d: Float) -> Double {
                var t = x
                t.withUnsafeMutableBufferPointer { $0[idx] += d }
                return FairCRPSLoss.evaluate(members: t, target: y, rowWeights: rows).loss
            }
            let hh: Float = 1e-3
            let fd = (shifted(hh) - shifted(-hh)) / Double(2 * hh)
            XCTAssertEqual(fd, Double(g.array[idx]), accuracy: 1e-3 * abs(fd) + 1e-5, "member value \(idx)")
        }
    }
}
