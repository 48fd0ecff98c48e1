import WXCore
import WXNN

/// The VAE's three networks built from a `VAEConfig` (weights live in `VAEModel.Parameters`).
///
/// The training pass is written out in `VAEModel+Forward.swift` and its reverse in `VAEModel+Backward.swift`.
public struct VAEModel: Sendable {
    /// Which latent distribution the training members are drawn from.
    public enum LatentSource: String, Codable, Sendable, CaseIterable {
        /// The posterior q(z | a, increment), as in a VAE (FuXi-ENS); the prior is trained by the KL term.
        case posterior
        /// The prior p(z | a), as at inference.
        case prior
    }

    /// Every tensor, named `prior.`, `posterior.`, `decoder.` + the U-Net's `state_dict` keys.
    public struct Parameters: ParameterSet {
        public var prior: UNet.Parameters, posterior: UNet.Parameters, decoder: UNet.Parameters

        /// Visits prior, posterior, decoder.
        public mutating func visit(_ prefix: String, _ body: (String, inout Tensor) throws -> Void) rethrows {
            try prior.visit(prefix + "prior.", body)
            try posterior.visit(prefix + "posterior.", body)
            try decoder.visit(prefix + "decoder.", body)
        }
    }

    public let config: VAEConfig
    public let prior: UNet, posterior: UNet, decoder: UNet

    /// Builds the networks of a valid configuration (throws `ModelConfigError` otherwise).
    public init(_ config: VAEConfig) throws {
        try config.validate()
        self.config = config
        prior = try UNet(config.prior)
        posterior = try UNet(config.posterior)
        decoder = try UNet(config.decoder)
    }

    /// Fresh parameters drawn from `rng` (prior, posterior, decoder in that order).
    public func initialParameters(_ rng: inout some RandomNumberGenerator) -> Parameters {
        Parameters(prior: prior.initialParameters(&rng), posterior: posterior.initialParameters(&rng),
                   decoder: decoder.initialParameters(&rng))
    }

    /// `a` [N, C, H, W] with each example repeated `k` times: [N * K, C, H, W].
    static func repeated(_ a: Tensor, _ k: Int) -> Tensor {
        let n = a.shape[0], block = a.count / max(1, n)
        return Tensor(unsafeUninitializedShape: [n * k] + Array(a.shape.dropFirst())) { out in
            a.withUnsafeBufferPointer { src in
                for r in 0..<(n * k) {
                    let s = (r / k) * block
                    for q in 0..<block { out[r * block + q] = src[s + q] }
                }
            }
        }
    }
}
