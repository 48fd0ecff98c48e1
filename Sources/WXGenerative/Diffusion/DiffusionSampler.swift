import Foundation
import WXCore

/// How samples are drawn from a denoiser D(x; sigma): EDM's Heun solver with optional churn, or DPM-Solver++(2M).
public struct DiffusionSampler: Codable, Equatable, Sendable {
    /// The solver.
    public enum Method: String, Codable, Sendable, CaseIterable { case heun, dpmpp2m }

    /// The solver.
    public var method: Method
    /// Solver steps N (Heun evaluates D 2N - 1 times, DPM-Solver++(2M) N times).
    public var steps: Int
    /// The noise levels.
    public var schedule: NoiseSchedule
    /// EDM's stochasticity: S_churn, S_tmin, S_tmax, S_noise (Heun only; churn 0 = deterministic ODE).
    public var churn: Double, churnMin: Double, churnMax: Double, churnNoise: Double

    /// A sampler (defaults: Heun, 20 steps, no churn).
    public init(method: Method = .heun, steps: Int = 20, schedule: NoiseSchedule = NoiseSchedule(), churn: Double = 0,
                churnMin: Double = 0, churnMax: Double = 1000, churnNoise: Double = 1) {
        self.method = method
        self.steps = steps
        self.schedule = schedule
        self.churn = churn
        self.churnMin = churnMin
        self.churnMax = churnMax
        self.churnNoise = churnNoise
    }

    /// Denoiser evaluations per sample.
    public var evaluations: Int { method == .heun ? 2 * steps - 1 : steps }

    /// Draws a batch of samples of `shape` ([B, ...]) with denoiser `denoise(x, sigma)`; sample b takes its randomness
    /// (the initial noise, then churn noise step by step) from `streams[b]` alone, so it does not depend on the batch.
    public func sample(shape: [Int], streams: inout [Philox], denoise: (Tensor, Double) throws -> Tensor) throws -> Tensor {
        precondition(shape.first == streams.count, "DiffusionSampler: one stream per sample")
        let sigmas = schedule.levels(steps: steps)
        var x = normal(shape, &streams)
        scale(&x, Float(sigmas[0]))
        switch method {
        case .heun: return try heun(x, sigmas, &streams, denoise)
        case .dpmpp2m: return try dpmSolver(x, sigmas, denoise)
        }
    }

    /// Standard normal noise of `shape`, sample b from `streams[b]`.
    private func normal(_ shape: [Int], _ streams: inout [Philox]) -> Tensor {
        var x = Tensor(zeros: shape)
        let per = x.count / max(streams.count, 1)
        x.withUnsafeMutableBufferPointer { buf in
            for b in streams.indices { streams[b].fillNormal(UnsafeMutableBufferPointer(rebasing: buf[b * per ..< (b + 1) * per])) }
        }
        return x
    }

    /// EDM Algorithm 2: churn raises sigma_i to sigma_hat = sigma_i (1 + gamma), an Euler step to sigma_{i+1},
    /// and Heun's correction unless sigma_{i+1} = 0.
    private func heun(_ start: Tensor, _ sigmas: [Double], _ streams: inout [Philox],
                      _ denoise: (Tensor, Double) throws -> Tensor) throws -> Tensor {
        var x = start
        let n = sigmas.count - 1
        for i in 0..<n {
            let s = sigmas[i], next = sigmas[i + 1]
            let gamma = (s >= churnMin && s <= churnMax) ? min(churn / Double(n), 2.squareRoot() - 1) : 0
            let sHat = s * (1 + gamma)
            if gamma > 0 {
                let eps = normal(x.shape, &streams)
                axpy(&x, Float((sHat * sHat - s * s).squareRoot() * churnNoise), eps)
            }
            let d = slope(x, try denoise(x, sHat), sHat)
            var xNext = x
            axpy(&xNext, Float(next - sHat), d)
            if next > 0 {
                let d2 = slope(xNext, try denoise(xNext, next), next)
                xNext = x
                axpy(&xNext, Float((next - sHat) / 2), d)
                axpy(&xNext, Float((next - sHat) / 2), d2)
            }
            x = xNext
        }
        return x
    }

    /// DPM-Solver++(2M) (Lu et al. 2022, Algorithm 2) in EDM's parametrisation (alpha = 1, sigma_t = sigma), with
    /// t = -ln sigma, h = t_{i+1} - t_i: x_{i+1} = (sigma_{i+1} / sigma_i) x_i - (e^{-h} - 1) D', D' = D_i on the first
    /// and last step, else (1 + 1/(2r)) D_i - 1/(2r) D_{i-1}, r = h_{i-1} / h_i.
    private func dpmSolver(_ start: Tensor, _ sigmas: [Double], _ denoise: (Tensor, Double) throws -> Tensor) throws -> Tensor {
        var x = start
        var previous: Tensor? = nil
        var previousH = 0.0
        let n = sigmas.count - 1
        for i in 0..<n {
            let s = sigmas[i], next = sigmas[i + 1]
            let d = try denoise(x, s)
            if next == 0 {
                x = d
                break
            }
            let h = log(s / next)
            var dEff = d
            if let previous {
                let r = previousH / h
                dEff = combine(d, Float(1 + 1 / (2 * r)), previous, Float(-1 / (2 * r)))
            }
            scale(&x, Float(next / s))
            axpy(&x, Float(-expm1(-h)), dEff)
            previous = d
            previousH = h
        }
        return x
    }

    /// (x - D) / sigma, the ODE's slope dx/dsigma.
    private func slope(_ x: Tensor, _ d: Tensor, _ sigma: Double) -> Tensor {
        combine(x, Float(1 / sigma), d, Float(-1 / sigma))
    }

    private func combine(_ a: Tensor, _ wa: Float, _ b: Tensor, _ wb: Float) -> Tensor {
        Tensor(unsafeUninitializedShape: a.shape) { out in
            a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in
                for k in 0..<out.count { out[k] = wa * pa[k] + wb * pb[k] } } }
        }
    }

    private func axpy(_ y: inout Tensor, _ a: Float, _ x: Tensor) {
        x.withUnsafeBufferPointer { px in y.withUnsafeMutableBufferPointer { py in for k in 0..<py.count { py[k] += a * px[k] } } }
    }

    private func scale(_ y: inout Tensor, _ a: Float) {
        y.withUnsafeMutableBufferPointer { py in for k in 0..<py.count { py[k] *= a } }
    }

    enum CodingKeys: String, CodingKey {
        case method, steps, schedule, churn
        case churnMin = "churn_min", churnMax = "churn_max", churnNoise = "churn_noise"
    }
}
