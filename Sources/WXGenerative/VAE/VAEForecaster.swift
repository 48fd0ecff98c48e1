import Foundation
import WXCore
import WXNN

/// Forecasting with a trained VAE: one step draws each member's latent from the prior with that member's stream.
public struct VAEForecaster: StepForecaster {
    /// The model's configuration.
    public let config: VAEConfig
    /// Its networks.
    public let model: VAEModel
    /// Its weights (the moving average).
    public let parameters: VAEModel.Parameters
    /// Its normalisation.
    public let statistics: VAEStatistics
    /// The networks' weight transforms, made by the first step and reused by the rest.
    let inferenceWeights = InferenceWeights()
    /// Scale of the prior's standard deviation when drawing latents, z = mu + latentScale * sigma * eps (1: the
    /// trained prior; above 1 widens the ensemble).
    public var latentScale: Float = 1

    /// A forecaster from a model checkpoint's parts.
    public init(config: VAEConfig, parameters: VAEModel.Parameters, statistics: VAEStatistics) throws {
        self.config = config
        model = try VAEModel(config)
        self.parameters = parameters
        self.statistics = statistics
    }

    /// Loads the model in checkpoint directory `path`.
    public init(checkpoint path: String) throws {
        let ckpt = try Checkpoint.read(path)
        let config: VAEConfig
        do { config = try JSONDecoder().decode(VAEConfig.self, from: ckpt.config) } catch {
            throw ModelConfigError.unreadable(path: path + "/" + Checkpoint.File.config, reason: "\(error)")
        }
        let model = try VAEModel(config)
        var rng = SplitMix64(seed: 0)
        var p = model.initialParameters(&rng)
        try p.load(ckpt.ema ?? ckpt.weights, source: path + "/" + Checkpoint.File.model)
        let stats = try VAEStatistics(tensors: ckpt.statistics, variables: config.variables.count,
                                      source: path + "/" + Checkpoint.File.statistics)
        try self.init(config: config, parameters: p, statistics: stats)
    }

    public var variables: [String] { config.variables }
    public var latitudes: [Double] { config.latitudes }
    public var longitudes: [Double] { config.longitudes }
    public var stepHours: Double { config.stepHours }

    /// States at t + step (`validTime`) for `current` and `previous` [B, V, H, W], member b's latent drawn from
    /// `streams[b]`.
    public func step(current: [Float], previous: [Float], validTime: CFDateTime, streams: inout [Philox]) throws -> [Float] {
        let b = streams.count, h = config.latitudes.count, w = config.longitudes.count, z = config.latentChannels
        let a = statistics.inputs(current: current, previous: previous, batch: b, latitudes: config.latitudes, longitudes: w,
                                  forcing: config.forcingFields(validTimes: Array(repeating: validTime, count: b)))
        var eps = Tensor(zeros: [b, z, h, w])
        let block = z * h * w
        eps.withUnsafeMutableBufferPointer { e in
            for i in 0..<b { streams[i].fillNormal(UnsafeMutableBufferPointer(rebasing: e[i * block ..< (i + 1) * block])) }
            if latentScale != 1 { for j in e.indices { e[j] *= latentScale } }
        }
        let d = try model.sampleIncrement(inputs: a, epsilon: eps, parameters, weights: inferenceWeights)
        return statistics.next(current: current, increment: d)
    }
}
