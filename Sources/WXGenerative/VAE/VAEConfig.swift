import Foundation
import WXNN

/// What a FuXi-ENS-style VAE forecaster is (`config.json` of its checkpoint): variables, grid, step, latent width
/// and its three U-Nets.
///
/// Every network reads the same inputs a = [normalised x_t (V), normalised x_t - x_{t-step} (V), sin lat, cos lat];
/// the prior maps a to the mean and log-variance of a per-grid-point latent (2Z channels), the posterior maps a and
/// the normalised increment to x_{t+step} to the same, and the decoder maps a and a latent draw z (Z channels) to
/// the normalised increment.
public struct VAEConfig: Codable, Equatable, Sendable {
    /// "fuxi-vae".
    public var architecture: String
    /// Variable names, in channel order.
    public var variables: [String]
    /// Grid latitudes (degrees north) and longitudes (degrees east).
    public var latitudes: [Double], longitudes: [Double]
    /// Hours between states.
    public var stepHours: Double
    /// Latent channels Z per grid point.
    public var latentChannels: Int
    /// Log-variances are kept in (-limit, limit) by limit * tanh(raw / limit).
    public var logVarianceLimit: Double
    /// The prior network: input 2V + 2 channels, output 2Z.
    public var prior: UNetConfig
    /// The posterior network: input 2V + 2 channels, condition V (the increment), output 2Z.
    public var posterior: UNetConfig
    /// The decoder: input 2V + 2 channels, condition Z (the latent), output V.
    public var decoder: UNetConfig

    /// Static channels appended to the inputs: sin lat, cos lat.
    public static let staticChannels = 2

    /// Channels of the inputs a.
    public var inputChannels: Int { 2 * variables.count + Self.staticChannels }

    /// A configuration from its parts.
    public init(variables: [String], latitudes: [Double], longitudes: [Double], stepHours: Double, latentChannels: Int,
                logVarianceLimit: Double = 6, prior: UNetConfig, posterior: UNetConfig, decoder: UNetConfig) {
        architecture = "fuxi-vae"
        self.variables = variables
        self.latitudes = latitudes
        self.longitudes = longitudes
        self.stepHours = stepHours
        self.latentChannels = latentChannels
        self.logVarianceLimit = logVarianceLimit
        self.prior = prior
        self.posterior = posterior
        self.decoder = decoder
    }

    /// Checks that the parts agree; throws `ModelConfigError`.
    public func validate() throws {
        let v = variables.count, z = latentChannels, a = inputChannels
        func bad(_ field: String, _ why: String) -> ModelConfigError { .invalid(field: field, reason: why) }
        guard architecture == "fuxi-vae" else { throw ModelConfigError.unknownArchitecture(architecture) }
        guard v > 0, z > 0 else { throw bad("variables/latent_channels", "must not be empty/zero") }
        guard stepHours > 0 else { throw bad("step_hours", "must be positive") }
        guard logVarianceLimit > 0 else { throw bad("log_variance_limit", "must be positive") }
        guard prior.inputChannels == a, prior.conditionChannels == 0, prior.outputChannels == 2 * z else {
            throw bad("prior", "needs input \(a), condition 0, output \(2 * z) channels")
        }
        guard posterior.inputChannels == a, posterior.conditionChannels == v, posterior.outputChannels == 2 * z else {
            throw bad("posterior", "needs input \(a), condition \(v), output \(2 * z) channels")
        }
        guard decoder.inputChannels == a, decoder.conditionChannels == z, decoder.outputChannels == v else {
            throw bad("decoder", "needs input \(a), condition \(z), output \(v) channels")
        }
        for (name, net) in [("prior", prior), ("posterior", posterior), ("decoder", decoder)] {
            guard net.scalars.isEmpty else { throw bad(name + ".scalars", "the VAE's networks take no scalars") }
            try net.validate(height: latitudes.count, width: longitudes.count)
        }
    }

    enum CodingKeys: String, CodingKey {
        case architecture, variables, latitudes, longitudes, prior, posterior, decoder
        case stepHours = "step_hours", latentChannels = "latent_channels", logVarianceLimit = "log_variance_limit"
    }
}
