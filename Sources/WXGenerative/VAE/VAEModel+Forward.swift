import WXCore
import WXNN

extension VAEModel {
    /// What the training pass produces: K members per example and both latent distributions.
    public struct TrainingOutput: Sendable {
        /// Normalised increments [N, K, V, H, W].
        public var members: Tensor
        /// The posterior and the prior.
        public var posterior: LatentGaussian, prior: LatentGaussian
    }

    /// What `trainingBackward` reads.
    public struct TrainingCache: Sendable {
        var prior: UNet.Cache, posterior: UNet.Cache, decoder: UNet.Cache
        var epsilon: Tensor, members: Int, source: LatentSource

        /// Bytes of the three networks' activations (the memory of a training step).
        public var bytes: Int { prior.bytes + posterior.bytes + decoder.bytes }
    }

    /// The training pass for inputs a [N, 2V + 2, H, W] and the normalised increment y [N, V, H, W]: the prior
    /// from a, the posterior from (a, y), K draws of z from `source` with standard normal `epsilon` [N * K, Z, H, W],
    /// and the decoder's increment for each draw.
    public func trainingForward(inputs a: Tensor, increment y: Tensor, epsilon: Tensor, members k: Int,
                                source: LatentSource, _ p: Parameters) throws -> (TrainingOutput, TrainingCache) {
        let n = a.shape[0], v = config.variables.count, h = a.shape[2], w = a.shape[3]
        let (rawP, cp) = try prior.forward(a, p.prior)
        let (rawQ, cq) = try posterior.forward(a, condition: y, p.posterior)
        let gp = LatentGaussian(raw: rawP, limit: config.logVarianceLimit)
        let gq = LatentGaussian(raw: rawQ, limit: config.logVarianceLimit)
        let z = (source == .posterior ? gq : gp).sample(epsilon: epsilon, members: k)
        var (d, cd) = try decoder.forward(Self.repeated(a, k), condition: z, p.decoder)
        d = d.reshaped([n, k, v, h, w])
        return (TrainingOutput(members: d, posterior: gq, prior: gp),
                TrainingCache(prior: cp, posterior: cq, decoder: cd, epsilon: epsilon, members: k, source: source))
    }

    /// The inference pass: normalised increments [N, V, H, W] for inputs a and one standard normal draw per example,
    /// `epsilon` [N, Z, H, W], through the prior (the U-Nets' inference passes: no caches; `weights` keeps their
    /// weight transforms between calls with the same parameters).
    public func sampleIncrement(inputs a: Tensor, epsilon: Tensor, _ p: Parameters, weights: InferenceWeights? = nil) throws -> Tensor {
        let rawP = try prior.infer(a, p.prior, weights: weights)
        let z = LatentGaussian(raw: rawP, limit: config.logVarianceLimit).sample(epsilon: epsilon, members: 1)
        return try decoder.infer(a, condition: z, p.decoder, weights: weights)
    }
}
