import WXCore

extension VAEStatistics {
    /// The reverse of `inputs`: from the gradient of a [B, 2V + 2 + F, H, W], the gradients of x_t and x_{t-step}
    /// [B, V, H, W] (a_k = (x_t - mean) / std, a_{V+k} = (x_t - x_{t-step}) / incrementStd; the static and forcing
    /// channels have none).
    public func inputsBackward(_ g: Tensor) -> (current: [Float], previous: [Float]) {
        let batch = g.shape[0], c = g.shape[1], plane = g.shape[2] * g.shape[3], v = mean.count
        precondition(c >= 2 * v + VAEConfig.staticChannels, "VAEStatistics.inputsBackward: channels")
        var cur = [Float](repeating: 0, count: batch * v * plane), prev = cur
        g.withUnsafeBufferPointer { pg in
            for b in 0..<batch {
                for k in 0..<v {
                    let dst = (b * v + k) * plane, a = (b * c + k) * plane, d = (b * c + v + k) * plane
                    let s = 1 / std[k], si = 1 / incrementStd[k]
                    for p in 0..<plane {
                        let gd = pg[d + p] * si
                        cur[dst + p] = pg[a + p] * s + gd
                        prev[dst + p] = -gd
                    }
                }
            }
        }
        return (cur, prev)
    }
}
