import ArgumentParser
import Foundation
import WXCore
import WXGenerative
import WXNN
import WXPipelines

extension ForecastBench {
    /// The checkpoint both sides load: `--checkpoint`, else the embedded model if present, else a random-weight model
    /// with the embedded model's training-config sizes, written to `scratch`; with a description for the report.
    func resolveCheckpoint(scratch: URL) throws -> (path: String, description: String) {
        if let checkpoint { return (checkpoint, checkpoint) }
        if FileManager.default.fileExists(atPath: Self.embeddedModel + "/" + Checkpoint.File.config) {
            return (Self.embeddedModel, Self.embeddedModel + " (embedded model)")
        }
        let path = scratch.appendingPathComponent("random-vae").path
        try Self.writeRandomModel(sizes: trainConfig, height: randomHeight, width: randomWidth, to: path)
        return (path, "random weights, sizes of \(trainConfig), \(randomHeight) x \(randomWidth) grid")
    }

    /// Writes a VAE checkpoint with the sizes of training config `sizes` on a regular `height` x `width` grid
    /// (cell-centre latitudes), random weights everywhere (no zero-initialised layers) and unit statistics.
    static func writeRandomModel(sizes: String, height: Int, width: Int, to path: String) throws {
        let latitudes = (0..<height).map { 90 - (Double($0) + 0.5) * 180 / Double(height) }
        let longitudes = (0..<width).map { Double($0) * 360 / Double(width) }
        var config = try VAETrainingConfig.read(sizes).modelConfig(latitudes: latitudes, longitudes: longitudes, stepHours: 6)
        config.prior.zeroInit = false
        config.posterior.zeroInit = false
        config.decoder.zeroInit = false
        let model = try VAEModel(config)
        var rng = Philox(seed: 2026, purpose: .initialization)
        let p = model.initialParameters(&rng)
        let v = config.variables.count
        let stats = VAEStatistics(mean: Array(repeating: 0, count: v), std: Array(repeating: 1, count: v),
                                  incrementStd: Array(repeating: 1, count: v))
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        try Checkpoint(config: try enc.encode(config),
                       weights: Dictionary(uniqueKeysWithValues: p.named().map { ($0.name, $0.tensor) }),
                       ema: nil, statistics: stats.tensors).write(to: path)
    }

    /// States x_t and x_{t-step} [B, V, H, W] drawn around the model's climatology (mean + std * N(0, 1), and an
    /// increment of increment_std * N(0, 1)), written to `file` as `current` and `previous` for the peer.
    static func states(_ f: VAEForecaster, batch b: Int, file: String) throws -> (current: [Float], previous: [Float]) {
        let v = f.variables.count, plane = f.latitudes.count * f.longitudes.count
        var rng = Philox(seed: 7, purpose: .sampling, index: [UInt64(b)])
        var noise = [Float](repeating: 0, count: 2 * b * v * plane)
        noise.withUnsafeMutableBufferPointer { rng.fillNormal($0) }
        var current = [Float](repeating: 0, count: b * v * plane), previous = current
        for i in 0..<(b * v * plane) {
            let k = (i / plane) % v, s = f.statistics
            current[i] = s.mean[k] + s.std[k] * noise[i]
            previous[i] = current[i] - s.incrementStd[k] * noise[b * v * plane + i]
        }
        let shape = [b, v, f.latitudes.count, f.longitudes.count]
        try SafeTensors.write([("current", Tensor(shape: shape, values: current)), ("previous", Tensor(shape: shape, values: previous))],
                              to: file)
        return (current, previous)
    }
}
