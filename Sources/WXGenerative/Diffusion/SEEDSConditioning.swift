import Foundation
import WXCore
import WXNN

/// The normalisation and conditioning of SEEDS-style generation, per lead time:
/// anomalies a = (x - mu) / s with the training ensemble's mean mu and standard deviation s per variable and grid
/// point; the generated quantity is the residual r = (a_member - mean_k a_seed_k) / q, q the residual's standard
/// deviation per variable (so sigma_data = 1); members come back as x = mu + s (mean_k a_seed_k + q r).
public struct SEEDSConditioning: Sendable {
    /// Static channels appended to the condition: sin lat, cos lat, sin lon, cos lon.
    public static let staticChannels = 4

    /// Climatological mean and standard deviation [L, V, H, W].
    public let mean: Tensor, std: Tensor
    /// Residual standard deviation q [L, V].
    public let residualScale: Tensor
    /// Latitudes and longitudes (degrees).
    public let latitudes: [Double], longitudes: [Double]

    /// Statistics as stored in a checkpoint (`statistics.safetensors`: `mean`, `std`, `residual_scale`, `latitude`, `longitude`).
    public init(mean: Tensor, std: Tensor, residualScale: Tensor, latitudes: [Double], longitudes: [Double]) {
        self.mean = mean
        self.std = std
        self.residualScale = residualScale
        self.latitudes = latitudes
        self.longitudes = longitudes
    }

    /// The statistics as named tensors.
    public var tensors: [String: Tensor] {
        ["mean": mean, "std": std, "residual_scale": residualScale,
         "latitude": Tensor(shape: [latitudes.count], values: latitudes.map(Float.init)),
         "longitude": Tensor(shape: [longitudes.count], values: longitudes.map(Float.init))]
    }

    /// Statistics from named tensors (a checkpoint's).
    public init(tensors t: [String: Tensor], source: String) throws {
        for k in ["mean", "std", "residual_scale", "latitude", "longitude"] where t[k] == nil {
            throw CheckpointError.missingTensor(path: source, tensor: k)
        }
        self.init(mean: t["mean"]!, std: t["std"]!, residualScale: t["residual_scale"]!,
                  latitudes: t["latitude"]!.array.map(Double.init), longitudes: t["longitude"]!.array.map(Double.init))
    }

    var variables: Int { mean.shape[1] }
    var plane: Int { mean.shape[2] * mean.shape[3] }

    /// Standardised anomalies of `x` [.., V, H, W] (any leading count) at lead index `lead`.
    public func anomalies(_ x: [Float], lead: Int) -> [Float] {
        let n = variables * plane, off = lead * n
        return mean.withUnsafeBufferPointer { m in std.withUnsafeBufferPointer { s in
            x.enumerated().map { i, v in let k = off + i % n; return (v - m[k]) / s[k] } } }
    }

    /// The condition [C, H, W] from the seeds' anomalies [K, V, H, W] and the seed mean anomaly [V, H, W].
    public func condition(seedAnomalies a: [Float], seeds k: Int) -> (condition: [Float], seedMean: [Float]) {
        let n = variables * plane
        var mean = [Float](repeating: 0, count: n), spread = [Float](repeating: 0, count: n)
        for i in 0..<n {
            var s: Float = 0
            for j in 0..<k { s += a[j * n + i] }
            mean[i] = s / Float(k)
            var v: Float = 0
            for j in 0..<k { v += (a[j * n + i] - mean[i]) * (a[j * n + i] - mean[i]) }
            spread[i] = (v / Float(k - 1)).squareRoot()
        }
        let h = latitudes.count, w = longitudes.count
        var statics = [Float](repeating: 0, count: 4 * plane)
        for i in 0..<h {
            for j in 0..<w {
                let lat = latitudes[i] * .pi / 180, lon = longitudes[j] * .pi / 180
                statics[i * w + j] = Float(sin(lat))
                statics[plane + i * w + j] = Float(cos(lat))
                statics[2 * plane + i * w + j] = Float(sin(lon))
                statics[3 * plane + i * w + j] = Float(cos(lon))
            }
        }
        return (mean + spread + statics, mean)
    }

    /// The residual r [V, H, W] of a member's anomalies from the seed mean at lead index `lead`.
    public func residual(memberAnomalies a: [Float], seedMean m: [Float], lead: Int) -> [Float] {
        let q = residualScale.array, v = variables, p = plane
        return (0..<a.count).map { i in (a[i] - m[i]) / q[lead * v + i / p] }
    }

    /// A member in physical units [V, H, W] from a residual and the seed mean anomaly at lead index `lead`.
    public func member(residual r: [Float], seedMean m: [Float], lead: Int) -> [Float] {
        let q = residualScale.array, v = variables, p = plane, n = v * p, off = lead * n
        return mean.withUnsafeBufferPointer { mu in std.withUnsafeBufferPointer { s in
            (0..<r.count).map { i in mu[off + i] + s[off + i] * (m[i] + q[lead * v + i / p] * r[i]) } } }
    }
}
