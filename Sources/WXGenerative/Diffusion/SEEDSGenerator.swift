import Foundation
import WXCore
import WXNN

/// Generation with a trained SEEDS model: from the K seeds of one (init, lead), members in physical units.
public struct SEEDSGenerator: Sendable {
    /// The model's configuration.
    public let config: SEEDSConfig
    /// Its weights (the moving average).
    public let parameters: UNet.Parameters
    /// Its normalisation.
    public let statistics: SEEDSConditioning
    /// The denoiser.
    public let denoiser: Denoiser
    /// The denoiser's weight transforms, made by the first sampling step and reused by the rest.
    let inferenceWeights = InferenceWeights()

    /// A generator from a model checkpoint's parts.
    public init(config: SEEDSConfig, parameters: UNet.Parameters, statistics: SEEDSConditioning) throws {
        self.config = config
        self.parameters = parameters
        self.statistics = statistics
        denoiser = Denoiser(net: try UNet(config.unet), preconditioning: EDMPreconditioning(sigmaData: config.sigmaData))
    }

    /// Loads the model in checkpoint directory `path`.
    public init(checkpoint path: String) throws {
        let ckpt = try Checkpoint.read(path)
        let config: SEEDSConfig
        do { config = try JSONDecoder().decode(SEEDSConfig.self, from: ckpt.config) } catch {
            throw ModelConfigError.unreadable(path: path + "/" + Checkpoint.File.config, reason: "\(error)")
        }
        try config.validate()
        var rng = SplitMix64(seed: 0)
        var p = try UNet(config.unet).initialParameters(&rng)
        try p.load(ckpt.ema ?? ckpt.weights, source: path + "/" + Checkpoint.File.model)
        try self.init(config: config, parameters: p,
                      statistics: try SEEDSConditioning(tensors: ckpt.statistics, source: path + "/" + Checkpoint.File.statistics))
    }

    /// One seeds case: the seeds' anomalies give the condition and the seed mean.
    public struct Case: Sendable {
        /// Lead index in the model's leads.
        public var lead: Int
        /// Condition [C, H, W] and seed mean anomaly [V, H, W].
        public var condition: [Float], seedMean: [Float]
    }

    /// The case of seeds `seeds` [K, V, H, W] (physical units) at the model's lead index `lead`.
    public func makeCase(seeds: [Float], lead: Int) -> Case {
        let (c, m) = statistics.condition(seedAnomalies: statistics.anomalies(seeds, lead: lead), seeds: config.seedMembers)
        return Case(lead: lead, condition: c, seedMean: m)
    }

    /// Members for `cases` (one member per case, batched), member b drawn from `streams[b]`; [B, V, H, W] physical units.
    public func generate(_ cases: [Case], streams: inout [Philox], sampler: DiffusionSampler) throws -> [[Float]] {
        let b = cases.count, v = config.variables.count, h = config.latitudes, w = config.longitudes
        let cond = Tensor(shape: [b, cases[0].condition.count / (h * w), h, w], values: cases.flatMap(\.condition))
        let leads = cases.map { config.leadTimesHours[$0.lead] / 120 }
        let r = try sampler.sample(shape: [b, v, h, w], streams: &streams) { x, sigma in
            try denoiser.infer(x, sigma: Array(repeating: sigma, count: b), condition: cond, leadHours: leads, parameters,
                               weights: inferenceWeights)
        }
        let n = v * h * w
        return r.withUnsafeBufferPointer { rp in
            cases.enumerated().map { i, c in
                statistics.member(residual: Array(rp[i * n ..< (i + 1) * n]), seedMean: c.seedMean, lead: c.lead)
            }
        }
    }
}
