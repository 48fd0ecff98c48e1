import XCTest
import WXCore
import WXGenerative

/// The samplers on Gaussian data, whose exact denoiser is known: for x0 ~ N(mu, s^2),
/// D(x; sigma) = mu + s^2 / (s^2 + sigma^2) (x - mu); samples must have mean mu and variance s^2.
/// From sigma_max = 80 the discretisation inflates the variance (a numpy run of the same recursions: DPM-Solver++(2M)
/// +27% at 12 steps, +2% at 64; Heun +11% at 18, +3% at 32), so the step counts here are where it is below 3%.
final class SamplerTests: XCTestCase {
    private let mu: [Float] = [1.0, -0.5], s: [Float] = [0.5, 2.0]

    private func samples(_ sampler: DiffusionSampler, count: Int = 4000) throws -> Tensor {
        var streams = (0..<count).map { Philox(seed: 11, purpose: .sampling, index: [UInt64($0)]) }
        let mu = self.mu, s = self.s
        return try sampler.sample(shape: [count, 1, 1, 2], streams: &streams) { x, sigma in
            Tensor(unsafeUninitializedShape: x.shape) { out in
                x.withUnsafeBufferPointer { px in
                    for k in 0..<out.count {
                        let j = k % 2, v = Double(s[j] * s[j])
                        out[k] = mu[j] + Float(v / (v + sigma * sigma)) * (px[k] - mu[j])
                    }
                }
            }
        }
    }

    private func check(_ t: Tensor, _ what: String) {
        let n = t.count / 2
        for j in 0..<2 {
            let xs = (0..<n).map { Double(t.array[2 * $0 + j]) }
            let m = xs.reduce(0, +) / Double(n)
            let v = xs.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(n - 1)
            let sd = Double(s[j])
            // 4 standard errors of the mean and of the variance (sqrt(2/n) relative) plus 3% left by the discretisation.
            XCTAssertEqual(m, Double(mu[j]), accuracy: 4 * sd / Double(n).squareRoot() + 0.03 * sd, "\(what): mean of element \(j)")
            XCTAssertEqual(v / (sd * sd), 1, accuracy: 4 * (2 / Double(n)).squareRoot() + 0.03, "\(what): variance of element \(j)")
        }
    }

    func testHeunMatchesGaussian() throws {
        check(try samples(DiffusionSampler(method: .heun, steps: 32)), "Heun 32 steps")
    }

    func testHeunWithChurnMatchesGaussian() throws {
        check(try samples(DiffusionSampler(method: .heun, steps: 64, churn: 20, churnMin: 0.05, churnMax: 50, churnNoise: 1)), "Heun 64 steps with churn")
    }

    func testDPMSolverMatchesGaussian() throws {
        check(try samples(DiffusionSampler(method: .dpmpp2m, steps: 64)), "DPM-Solver++(2M) 64 steps")
    }

    /// Too few steps is visibly wrong: the test can fail (one Euler step from sigma_max lands on the mean).
    func testOneStepCollapsesToTheMean() throws {
        let t = try samples(DiffusionSampler(method: .heun, steps: 1), count: 500)
        let xs = (0..<250).map { Double(t.array[2 * $0 + 1]) }
        let m = xs.reduce(0, +) / 250
        let v = xs.reduce(0) { $0 + ($1 - m) * ($1 - m) } / 249
        XCTAssertLessThan(v, 0.5 * 4, "one step should not reach the data variance")
    }

    /// Sample b depends on its own stream only, not on the batch it is drawn in.
    func testSamplesDoNotDependOnTheBatch() throws {
        let sampler = DiffusionSampler(method: .heun, steps: 6, churn: 5)
        let all = try samples(sampler, count: 6)
        var streams = [Philox(seed: 11, purpose: .sampling, index: [4])]
        let one = try sampler.sample(shape: [1, 1, 1, 2], streams: &streams) { x, sigma in
            Tensor(shape: x.shape, values: x.array.enumerated().map { k, v in
                let j = k % 2, q = Double(self.s[j] * self.s[j])
                return self.mu[j] + Float(q / (q + sigma * sigma)) * (v - self.mu[j]) })
        }
        XCTAssertEqual(one.array.map(\.bitPattern), Array(all.array[8..<10]).map(\.bitPattern))
    }

    /// EDM's schedule and preconditioning identities.
    func testScheduleAndPreconditioning() {
        let levels = NoiseSchedule().levels(steps: 5)
        XCTAssertEqual(levels.count, 6)
        XCTAssertEqual(levels[0], 80, accuracy: 1e-9)
        XCTAssertEqual(levels[4], 0.002, accuracy: 1e-12)
        XCTAssertEqual(levels[5], 0)
        XCTAssert(zip(levels, levels.dropFirst()).allSatisfy { $0 > $1 })
        let pc = EDMPreconditioning(sigmaData: 0.5)
        for sigma in [0.01, 0.5, 3.0] {
            // c_skip^2 sd^2 + c_out^2 ... : the effective target of F has unit variance: lambda c_out^2 = 1.
            XCTAssertEqual(pc.lossWeight(sigma) * pc.cOut(sigma) * pc.cOut(sigma), 1, accuracy: 1e-12)
            XCTAssertEqual(pc.cIn(sigma) * (sigma * sigma + 0.25).squareRoot(), 1, accuracy: 1e-12)
            XCTAssertEqual(pc.cSkip(sigma) + sigma * sigma / (sigma * sigma + 0.25), 1, accuracy: 1e-12)
        }
    }
}
