import Foundation
import WXCore

/// A per-grid-point diagonal Gaussian read from a network's 2Z output channels: the first Z are the mean, the last Z
/// the raw log-variance, kept in (-limit, limit) by lv = limit * tanh(raw / limit) so that a draw stays finite.
public struct LatentGaussian: Sendable {
    /// Mean and log-variance [N, Z, H, W].
    public var mean: Tensor, logVariance: Tensor
    /// The bound of the log-variance.
    public let limit: Double

    /// Splits `raw` [N, 2Z, H, W].
    public init(raw: Tensor, limit: Double) {
        let n = raw.shape[0], z = raw.shape[1] / 2, plane = raw.shape[2] * raw.shape[3], block = z * plane
        var m = [Float](repeating: 0, count: n * block), lv = m
        raw.withUnsafeBufferPointer { r in
            for e in 0..<n {
                for k in 0..<block {
                    m[e * block + k] = r[e * 2 * block + k]
                    lv[e * block + k] = Float(limit * tanh(Double(r[e * 2 * block + block + k]) / limit))
                }
            }
        }
        let shape = [n, z, raw.shape[2], raw.shape[3]]
        mean = Tensor(shape: shape, values: m)
        logVariance = Tensor(shape: shape, values: lv)
        self.limit = limit
    }

    /// The gradient of the raw output [N, 2Z, H, W] from the gradients of the mean and of the log-variance.
    public func backward(gMean: Tensor, gLogVariance: Tensor) -> Tensor {
        let n = mean.shape[0], block = mean.count / max(1, n)
        var out = [Float](repeating: 0, count: 2 * mean.count)
        gMean.withUnsafeBufferPointer { gm in gLogVariance.withUnsafeBufferPointer { gl in logVariance.withUnsafeBufferPointer { lv in
            for e in 0..<n {
                for k in 0..<block {
                    let t = Double(lv[e * block + k]) / limit
                    out[e * 2 * block + k] = gm[e * block + k]
                    out[e * 2 * block + block + k] = Float(Double(gl[e * block + k]) * (1 - t * t))
                }
            }
        } } }
        return Tensor(shape: [n, 2 * mean.shape[1], mean.shape[2], mean.shape[3]], values: out)
    }

    /// Draws z = mean + exp(lv / 2) * eps for each of `k` members per example: eps and z [N * K, Z, H, W], member k of
    /// example n at row n * K + k.
    public func sample(epsilon eps: Tensor, members k: Int) -> Tensor {
        let n = mean.shape[0], block = mean.count / max(1, n)
        precondition(eps.count == n * k * block, "LatentGaussian.sample: epsilon size")
        return Tensor(unsafeUninitializedShape: [n * k] + Array(mean.shape.dropFirst())) { out in
            mean.withUnsafeBufferPointer { m in logVariance.withUnsafeBufferPointer { lv in eps.withUnsafeBufferPointer { e in
                for r in 0..<(n * k) {
                    let src = (r / k) * block
                    for q in 0..<block { out[r * block + q] = m[src + q] + Float(exp(0.5 * Double(lv[src + q]))) * e[r * block + q] }
                }
            } } }
        }
    }

    /// Gradients of the mean and log-variance from the gradient of the draws gz [N * K, Z, H, W].
    public func sampleBackward(gz: Tensor, epsilon eps: Tensor, members k: Int) -> (gMean: Tensor, gLogVariance: Tensor) {
        let n = mean.shape[0], block = mean.count / max(1, n)
        var gm = [Float](repeating: 0, count: mean.count), gl = gm
        gz.withUnsafeBufferPointer { g in eps.withUnsafeBufferPointer { e in logVariance.withUnsafeBufferPointer { lv in
            for r in 0..<(n * k) {
                let dst = (r / k) * block
                for q in 0..<block {
                    gm[dst + q] += g[r * block + q]
                    gl[dst + q] += g[r * block + q] * e[r * block + q] * 0.5 * Float(exp(0.5 * Double(lv[dst + q])))
                }
            }
        } } }
        return (Tensor(shape: mean.shape, values: gm), Tensor(shape: mean.shape, values: gl))
    }
}
