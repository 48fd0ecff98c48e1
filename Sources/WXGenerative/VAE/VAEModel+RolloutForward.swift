import WXCore
import WXNN

extension VAEModel {
    /// What `rolloutBackward` reads: each step's networks' activations, latent distribution and draws.
    public struct RolloutCache: Sendable {
        var prior: [UNet.Cache], decoder: [UNet.Cache]
        var latent: [LatentGaussian], epsilon: [Tensor]
        var rows: Int

        /// Bytes of the networks' activations over all steps.
        public var bytes: Int { prior.reduce(0) { $0 + $1.bytes } + decoder.reduce(0) { $0 + $1.bytes } }
    }

    /// The multi-step training pass (fine-tuning for long rollouts): M trajectories (rows) start from x_t and
    /// x_{t-step} [M, V, H, W] (physical units) and take R = `epsilon.count` steps as a forecast does, each step's
    /// latent drawn from the prior with standard normal `epsilon[r]` [M, Z, H, W]:
    ///   a_r = inputs(s_{r-1}, s_{r-2}),  z_r = mu_p(a_r) + exp(lv_p(a_r) / 2) eps_r,  s_r = s_{r-1} + incrementStd * D(a_r, z_r),
    /// with s_0 = x_t and s_{-1} = x_{t-step}; with forcings, `forcing[r]` [M, F, H, W] holds those at the time of
    /// s_{r+1} (`VAEConfig.forcingFields`). Returns the states s_1 ... s_R, each [M, V, H, W].
    public func rolloutForward(current: [Float], previous: [Float], epsilon: [Tensor], forcing: [Tensor]? = nil,
                               statistics: VAEStatistics, _ p: Parameters) throws -> (states: [[Float]], cache: RolloutCache) {
        let h = config.latitudes.count, w = config.longitudes.count, m = epsilon.first?.shape[0] ?? 0
        precondition(current.count == m * config.variables.count * h * w && previous.count == current.count,
                     "VAEModel.rolloutForward: sizes")
        precondition(config.forcings.isEmpty ? forcing == nil : forcing?.count == epsilon.count,
                     "VAEModel.rolloutForward: one forcing tensor per step exactly when the model has forcings")
        var states: [[Float]] = [], cache = RolloutCache(prior: [], decoder: [], latent: [], epsilon: epsilon, rows: m)
        var s = current, sPrev = previous
        for (r, eps) in epsilon.enumerated() {
            let a = statistics.inputs(current: s, previous: sPrev, batch: m, latitudes: config.latitudes, longitudes: w,
                                      forcing: forcing?[r])
            let (raw, cp) = try prior.forward(a, p.prior)
            let g = LatentGaussian(raw: raw, limit: config.logVarianceLimit)
            let (d, cd) = try decoder.forward(a, condition: g.sample(epsilon: eps, members: 1), p.decoder)
            let next = statistics.next(current: s, increment: d)
            cache.prior.append(cp)
            cache.decoder.append(cd)
            cache.latent.append(g)
            states.append(next)
            sPrev = s
            s = next
        }
        return (states, cache)
    }
}
