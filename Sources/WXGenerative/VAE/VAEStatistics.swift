import Foundation
import WXCore
import WXNN

/// The VAE's normalisation: per variable, the mean and standard deviation of the state and the standard deviation
/// of its one-step increment (area-weighted over the training states).
public struct VAEStatistics: Sendable, Equatable {
    /// Mean and standard deviation of each variable's state.
    public var mean: [Float], std: [Float]
    /// Standard deviation of each variable's one-step increment.
    public var incrementStd: [Float]

    /// Statistics from their parts.
    public init(mean: [Float], std: [Float], incrementStd: [Float]) {
        self.mean = mean
        self.std = std
        self.incrementStd = incrementStd
    }

    /// The checkpoint tensors: `state_mean`, `state_std`, `increment_std`, each [V].
    public var tensors: [String: Tensor] {
        ["state_mean": Tensor(shape: [mean.count], values: mean), "state_std": Tensor(shape: [std.count], values: std),
         "increment_std": Tensor(shape: [incrementStd.count], values: incrementStd)]
    }

    /// Statistics read back from checkpoint tensors of `variables` variables; `source` names the file in errors.
    public init(tensors: [String: Tensor], variables: Int, source: String) throws {
        func get(_ k: String) throws -> [Float] {
            guard let t = tensors[k] else { throw CheckpointError.missingTensor(path: source, tensor: k) }
            guard t.shape == [variables] else {
                throw CheckpointError.shapeMismatch(path: source, tensor: k, expected: [variables], found: t.shape)
            }
            return t.array
        }
        self.init(mean: try get("state_mean"), std: try get("state_std"), incrementStd: try get("increment_std"))
    }

    /// The inputs a [B, 2V + 2 + F, H, W] from states x_t and x_{t-step} [B, V, H, W] (physical units) and the
    /// forcing channels [B, F, H, W] (`VAEConfig.forcingFields`; none when nil), copied last.
    public func inputs(current: [Float], previous: [Float], batch: Int, latitudes: [Double], longitudes: Int,
                       forcing: Tensor? = nil) -> Tensor {
        let v = mean.count, h = latitudes.count, plane = h * longitudes, f = forcing?.shape[1] ?? 0
        let c = 2 * v + VAEConfig.staticChannels + f
        precondition(current.count == batch * v * plane && previous.count == current.count, "VAEStatistics.inputs: sizes")
        precondition(forcing.map { $0.count == batch * f * plane } ?? true, "VAEStatistics.inputs: forcing sizes")
        var out = [Float](repeating: 0, count: batch * c * plane)
        for b in 0..<batch {
            for k in 0..<v {
                let src = (b * v + k) * plane, a = (b * c + k) * plane, d = (b * c + v + k) * plane
                let m = mean[k], s = 1 / std[k], si = 1 / incrementStd[k]
                for p in 0..<plane {
                    out[a + p] = (current[src + p] - m) * s
                    out[d + p] = (current[src + p] - previous[src + p]) * si
                }
            }
            for i in 0..<h {
                let phi = latitudes[i] * .pi / 180, sl = Float(sin(phi)), cl = Float(cos(phi))
                for j in 0..<longitudes {
                    out[(b * c + 2 * v) * plane + i * longitudes + j] = sl
                    out[(b * c + 2 * v + 1) * plane + i * longitudes + j] = cl
                }
            }
            forcing?.withUnsafeBufferPointer { src in
                let o = (b * c + 2 * v + VAEConfig.staticChannels) * plane
                for q in 0..<(f * plane) { out[o + q] = src[b * f * plane + q] }
            }
        }
        return Tensor(shape: [batch, c, h, longitudes], values: out)
    }

    /// The normalised increment (x_next - x_t) / incrementStd, [B, V, H, W].
    public func increment(next: [Float], current: [Float], batch: Int, height: Int, width: Int) -> Tensor {
        let v = mean.count, plane = height * width
        var out = [Float](repeating: 0, count: next.count)
        for b in 0..<batch {
            for k in 0..<v {
                let s = 1 / incrementStd[k], o = (b * v + k) * plane
                for p in o ..< o + plane { out[p] = (next[p] - current[p]) * s }
            }
        }
        return Tensor(shape: [batch, v, height, width], values: out)
    }

    /// The next state x_t + incrementStd * d (physical units) from a normalised increment d [B, V, H, W].
    public func next(current: [Float], increment d: Tensor) -> [Float] {
        let v = mean.count, plane = d.count / max(1, d.shape[0] * v)
        var out = current
        d.withUnsafeBufferPointer { pd in
            for r in 0..<(d.shape[0] * v) {
                let s = incrementStd[r % v]
                for p in r * plane ..< (r + 1) * plane { out[p] += s * pd[p] }
            }
        }
        return out
    }
}
