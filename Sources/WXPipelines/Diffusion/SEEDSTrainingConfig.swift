import Foundation
import WXGenerative
import WXNN
import Yams

/// The YAML (or JSON) file of `wxens train diffusion`: data, model size, training options, default sampler.
/// Relative paths are taken from the current directory.
public struct SEEDSTrainingConfig: Codable, Sendable {
    /// Input files.
    public struct DataFiles: Codable, Sendable {
        /// Training reforecast block (init_time, member, lead_time, latitude, longitude).
        public var train: String
        /// Validation block (same layout).
        public var validation: String
        /// Truth with a time axis (GPP only).
        public var truth: String?
    }

    /// The denoiser's size.
    public struct ModelSize: Codable, Sendable {
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
        /// Width of the noise/lead embedding.
        public var embeddingWidth: Int
        /// Fourier features of the noise level.
        public var noiseFeatures: Int

        enum CodingKeys: String, CodingKey {
            case channels, groups
            case resBlocks = "res_blocks", attentionLevels = "attention_levels", midAttention = "mid_attention"
            case attentionHeads = "attention_heads", embeddingWidth = "embedding_width", noiseFeatures = "noise_features"
        }
    }

    /// GEE or GPP.
    public var mode: SEEDSConfig.Mode
    /// The run's seed.
    public var seed: UInt64
    /// Model directory written at the end (the training checkpoint is `<output>.training`).
    public var output: String
    /// Input files.
    public var data: DataFiles
    /// Variables in channel order.
    public var variables: [String]
    /// Seeds K.
    public var seedMembers: Int
    /// GPP: probability of a truth target.
    public var truthWeight: Double
    /// The denoiser's size.
    public var model: ModelSize
    /// Optimisation.
    public var training: TrainingSection
    /// The default sampler stored with the model.
    public var sampler: DiffusionSampler
    /// Training noise levels (EDM's when absent).
    public var trainingNoise: TrainingNoiseLevels?
    /// A model directory whose weights and normalisation start the training (fine-tuning, e.g. with another
    /// truth_weight); fresh weights when absent.
    public var initialWeights: String?

    enum CodingKeys: String, CodingKey {
        case mode, seed, output, data, variables, model, training, sampler
        case seedMembers = "seed_members", truthWeight = "truth_weight", trainingNoise = "training_noise"
        case initialWeights = "initial_weights"
    }

    /// Reads a YAML or JSON configuration file.
    public static func read(_ path: String) throws -> SEEDSTrainingConfig {
        guard let text = FileManager.default.contents(atPath: path).flatMap({ String(data: $0, encoding: .utf8) }) else {
            throw ModelConfigError.unreadable(path: path, reason: "no such file or not UTF-8 text")
        }
        do { return try YAMLDecoder().decode(SEEDSTrainingConfig.self, from: text) } catch {
            throw ModelConfigError.unreadable(path: path, reason: "\(error)")
        }
    }

    /// The model configuration this file describes, for a grid of `latitudes` x `longitudes` and these leads.
    public func modelConfig(latitudes: Int, longitudes: Int, leadHours: [Double]) throws -> SEEDSConfig {
        let v = variables.count
        let unet = UNetConfig(inputChannels: v, conditionChannels: SEEDSConfig.conditionChannels(variables: v), outputChannels: v,
                              channels: model.channels, resBlocks: model.resBlocks, attentionLevels: model.attentionLevels,
                              midAttention: model.midAttention, attentionHeads: model.attentionHeads, groups: model.groups,
                              embeddingWidth: model.embeddingWidth,
                              scalars: [ScalarFeatures(name: "noise", features: model.noiseFeatures, minPeriod: 0.05, maxPeriod: 20),
                                        ScalarFeatures(name: "lead", features: 4, minPeriod: 0.5, maxPeriod: 8)],
                              padding: .globe, zeroInit: true)
        let c = SEEDSConfig(architecture: "seeds-edm", mode: mode, variables: variables, leadTimesHours: leadHours,
                            seedMembers: seedMembers, latitudes: latitudes, longitudes: longitudes, sigmaData: 1,
                            trainingNoise: trainingNoise ?? TrainingNoiseLevels(), sampler: sampler, unet: unet,
                            truthWeight: mode == .gpp ? truthWeight : 0)
        try c.validate()
        return c
    }

    /// The trainer's options.
    public var trainerOptions: TrainerOptions { training.trainerOptions(seed: seed) }
}
