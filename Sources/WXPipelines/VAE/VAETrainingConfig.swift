import Foundation
import WXCore
import WXGenerative
import WXNN
import Yams

/// The YAML (or JSON) file of `wxens train vae`: data, model size, loss and training options.
/// Relative paths are taken from the current directory.
public struct VAETrainingConfig: Codable, Sendable {
    /// Input file and the frames of its periods.
    public struct DataFiles: Codable, Sendable {
        /// The truth (nature run or reanalysis) with dimensions (time, latitude, longitude).
        public var truth: String
        /// First and last frame (time index, inclusive) of the training period.
        public var trainFrames: [Int]
        /// First and last frame of the validation period.
        public var validationFrames: [Int]
        /// Every how many frames a validation example is taken.
        public var validationEvery: Int
        /// The model's step in hours, a whole multiple of the truth's time spacing (the spacing when absent): an
        /// hourly truth trains a 6-hourly model with `step_hours: 6`, each example's states 6 frames apart, one
        /// example starting at every frame of the period.
        public var stepHours: Double?

        enum CodingKeys: String, CodingKey {
            case truth
            case trainFrames = "train_frames", validationFrames = "validation_frames", validationEvery = "validation_every"
            case stepHours = "step_hours"
        }
    }

    /// One network's size.
    public struct NetworkSize: Codable, Sendable {
        /// Channels per level.
        public var channels: [Int]
        /// Residual blocks per level.
        public var resBlocks: Int
        /// Levels with self-attention.
        public var attentionLevels: [Int]
        /// Attention in the middle block.
        public var midAttention: Bool
        /// Attention heads.
        public var attentionHeads: Int
        /// GroupNorm groups.
        public var groups: Int

        enum CodingKeys: String, CodingKey {
            case channels, groups
            case resBlocks = "res_blocks", attentionLevels = "attention_levels", midAttention = "mid_attention"
            case attentionHeads = "attention_heads"
        }

        /// The U-Net with these sizes, the given channel counts and edge padding.
        func unet(input: Int, condition: Int, output: Int, padding: GlobePadding) -> UNetConfig {
            UNetConfig(inputChannels: input, conditionChannels: condition, outputChannels: output, channels: channels,
                       resBlocks: resBlocks, attentionLevels: attentionLevels, midAttention: midAttention,
                       attentionHeads: attentionHeads, groups: groups, embeddingWidth: 0, scalars: [], padding: padding,
                       zeroInit: true)
        }
    }

    /// The three networks.
    public struct ModelSize: Codable, Sendable {
        /// Prior, posterior and decoder sizes.
        public var prior: NetworkSize, posterior: NetworkSize, decoder: NetworkSize
        /// Edge padding of all three: `globe` (circular longitude, for grids that wrap around the Earth) or `zeros`
        /// (regional grids, any size); when absent, `globe` if the grid's longitudes close the circle, else `zeros`.
        public var padding: GlobePadding?
        /// Forcing inputs (`toa_insolation`, `solar_time`), computed at the valid time of each step's target state
        /// and appended to the inputs of the prior, posterior and decoder, as sin/cos latitude are; none when absent.
        public var forcings: [VAEForcing]?
    }

    /// The loss.
    public struct Loss: Codable, Sendable {
        /// Members K drawn per training example (>= 2, for the fair CRPS).
        public var members: Int
        /// Weight of the KL term.
        public var beta: Double
        /// Which distribution the training members draw their latent from.
        public var latent: VAEModel.LatentSource
        /// Weight of each variable's CRPS (1 for all when absent).
        public var variableWeights: [Double]?
        /// Steps R of the rollout each example is trained on (1 when absent); R > 1 is multi-step fine-tuning,
        /// backpropagating through R forecast steps drawn from the prior (`VAERolloutLoss`).
        public var rolloutSteps: Int?

        enum CodingKeys: String, CodingKey {
            case members, beta, latent
            case variableWeights = "variable_weights", rolloutSteps = "rollout_steps"
        }

        /// R, 1 when absent.
        public var steps: Int { rolloutSteps ?? 1 }
    }

    /// The run's seed.
    public var seed: UInt64
    /// Model directory written at the end (the training checkpoint is `<output>.training`).
    public var output: String
    /// Input file and periods.
    public var data: DataFiles
    /// Variables in channel order.
    public var variables: [String]
    /// Latent channels Z per grid point.
    public var latentChannels: Int
    /// Bound of the latent log-variances.
    public var logVarianceLimit: Double
    /// Network sizes.
    public var model: ModelSize
    /// The loss.
    public var loss: Loss
    /// Optimisation.
    public var training: TrainingSection
    /// A model directory whose weights and normalisation start the training (fine-tuning); fresh weights when absent.
    public var initialWeights: String?

    enum CodingKeys: String, CodingKey {
        case seed, output, data, variables, model, loss, training
        case latentChannels = "latent_channels", logVarianceLimit = "log_variance_limit", initialWeights = "initial_weights"
    }

    /// Reads a YAML or JSON configuration file.
    public static func read(_ path: String) throws -> VAETrainingConfig {
        guard let text = FileManager.default.contents(atPath: path).flatMap({ String(data: $0, encoding: .utf8) }) else {
            throw ModelConfigError.unreadable(path: path, reason: "no such file or not UTF-8 text")
        }
        do { return try YAMLDecoder().decode(VAETrainingConfig.self, from: text) } catch {
            throw ModelConfigError.unreadable(path: path, reason: "\(error)")
        }
    }

    /// The model configuration this file describes on the grid `latitudes` x `longitudes` with step `stepHours`.
    public func modelConfig(latitudes: [Double], longitudes: [Double], stepHours: Double) throws -> VAEConfig {
        let forcings = model.forcings ?? [], f = forcings.reduce(0) { $0 + $1.channels }
        let v = variables.count, z = latentChannels, a = 2 * v + VAEConfig.staticChannels + f
        guard loss.members >= 2 else { throw ModelConfigError.invalid(field: "loss.members", reason: "the fair CRPS needs at least 2") }
        guard loss.beta >= 0 else { throw ModelConfigError.invalid(field: "loss.beta", reason: "must be >= 0") }
        guard (1...8).contains(loss.steps) else {
            throw ModelConfigError.invalid(field: "loss.rollout_steps", reason: "must be between 1 and 8")
        }
        guard loss.steps == 1 || loss.latent == .prior else {
            throw ModelConfigError.invalid(field: "loss.latent",
                                           reason: "a rollout (rollout_steps > 1) draws its latents from the prior, as a forecast does")
        }
        if let w = loss.variableWeights, w.count != v {
            throw ModelConfigError.invalid(field: "loss.variable_weights", reason: "needs one weight per variable (\(v))")
        }
        let wraps = LatLonGrid(latitudes: latitudes, longitudes: longitudes).isGlobalInLongitude
        let padding = model.padding ?? (wraps ? .globe : .zeros)
        guard padding != .globe || wraps else {
            throw ModelConfigError.invalid(field: "model.padding",
                reason: "globe padding wraps longitude, but the grid's \(longitudes.count) longitudes (\(longitudes.first ?? 0) .. \(longitudes.last ?? 0)) do not close the circle (a limited area: use zeros)")
        }
        let c = VAEConfig(variables: variables, latitudes: latitudes, longitudes: longitudes, stepHours: stepHours,
                          latentChannels: z, logVarianceLimit: logVarianceLimit,
                          prior: model.prior.unet(input: a, condition: 0, output: 2 * z, padding: padding),
                          posterior: model.posterior.unet(input: a, condition: v, output: 2 * z, padding: padding),
                          decoder: model.decoder.unet(input: a, condition: z, output: v, padding: padding), forcings: forcings)
        try c.validate()
        return c
    }
}
