import Foundation
import WXCore
import WXNN

/// What a FuXi-ENS-style VAE forecaster is (`config.json` of its checkpoint): variables, grid, step, latent width
/// and its three U-Nets.
///
/// Every network reads the same inputs a = [normalised x_t (V), normalised x_t - x_{t-step} (V), sin lat, cos lat,
/// forcings at t + step (F, none unless `forcings` names some)]; the prior maps a to the mean and log-variance of a
/// per-grid-point latent (2Z channels), the posterior maps a and the normalised increment to x_{t+step} to the
/// same, and the decoder maps a and a latent draw z (Z channels) to the normalised increment.
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
    /// The prior network: input 2V + 2 + F channels, output 2Z.
    public var prior: UNetConfig
    /// The posterior network: input 2V + 2 + F channels, condition V (the increment), output 2Z.
    public var posterior: UNetConfig
    /// The decoder: input 2V + 2 + F channels, condition Z (the latent), output V.
    public var decoder: UNetConfig
    /// Forcing inputs at the valid time of the step's target state, in channel order (`forcings` in config.json,
    /// absent when empty, so models without forcings keep their files).
    public var forcings: [VAEForcing]

    /// Static channels appended to the inputs: sin lat, cos lat.
    public static let staticChannels = 2

    /// Channels F of the forcings.
    public var forcingChannels: Int { forcings.reduce(0) { $0 + $1.channels } }

    /// Channels of the inputs a.
    public var inputChannels: Int { 2 * variables.count + Self.staticChannels + forcingChannels }

    /// The forcing channels [B, F, H, W] for target states at `validTimes` (one per row); nil without forcings.
    public func forcingFields(validTimes: [CFDateTime]) -> Tensor? {
        forcings.isEmpty ? nil : VAEForcing.fields(forcings, times: validTimes, latitudes: latitudes, longitudes: longitudes)
    }

    /// A configuration from its parts.
    public init(variables: [String], latitudes: [Double], longitudes: [Double], stepHours: Double, latentChannels: Int,
                logVarianceLimit: Double = 6, prior: UNetConfig, posterior: UNetConfig, decoder: UNetConfig,
                forcings: [VAEForcing] = []) {
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
        self.forcings = forcings
    }

    /// Checks that the parts agree; throws `ModelConfigError`.
    public func validate() throws {
        let v = variables.count, z = latentChannels, a = inputChannels
        func bad(_ field: String, _ why: String) -> ModelConfigError { .invalid(field: field, reason: why) }
        guard architecture == "fuxi-vae" else { throw ModelConfigError.unknownArchitecture(architecture) }
        guard v > 0, z > 0 else { throw bad("variables/latent_channels", "must not be empty/zero") }
        guard stepHours > 0 else { throw bad("step_hours", "must be positive") }
        guard Set(forcings).count == forcings.count else { throw bad("forcings", "names a forcing twice: \(forcings.map(\.rawValue))") }
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
        case architecture, variables, latitudes, longitudes, prior, posterior, decoder, forcings
        case stepHours = "step_hours", latentChannels = "latent_channels", logVarianceLimit = "log_variance_limit"
    }

    /// Reads config.json; `forcings` may be absent (none).
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        architecture = try c.decode(String.self, forKey: .architecture)
        variables = try c.decode([String].self, forKey: .variables)
        latitudes = try c.decode([Double].self, forKey: .latitudes)
        longitudes = try c.decode([Double].self, forKey: .longitudes)
        stepHours = try c.decode(Double.self, forKey: .stepHours)
        latentChannels = try c.decode(Int.self, forKey: .latentChannels)
        logVarianceLimit = try c.decode(Double.self, forKey: .logVarianceLimit)
        prior = try c.decode(UNetConfig.self, forKey: .prior)
        posterior = try c.decode(UNetConfig.self, forKey: .posterior)
        self.decoder = try c.decode(UNetConfig.self, forKey: .decoder)
        forcings = try c.decodeIfPresent([VAEForcing].self, forKey: .forcings) ?? []
    }

    /// Writes config.json; `forcings` only when there are some.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(architecture, forKey: .architecture)
        try c.encode(variables, forKey: .variables)
        try c.encode(latitudes, forKey: .latitudes)
        try c.encode(longitudes, forKey: .longitudes)
        try c.encode(stepHours, forKey: .stepHours)
        try c.encode(latentChannels, forKey: .latentChannels)
        try c.encode(logVarianceLimit, forKey: .logVarianceLimit)
        try c.encode(prior, forKey: .prior)
        try c.encode(posterior, forKey: .posterior)
        try c.encode(decoder, forKey: .decoder)
        if !forcings.isEmpty { try c.encode(forcings, forKey: .forcings) }
    }
}
