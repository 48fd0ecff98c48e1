import WXCore

/// The fair (almost unbiased) CRPS of a K-member ensemble as a training loss:
/// fCRPS = (1/K) sum_k |x_k - y| - 1 / (2 K (K - 1)) sum_{j,k} |x_j - x_k|  (Ferro 2014, eq. 4; scoringrules
/// `crps_ensemble(estimator="fair")`), averaged over variables (each weighted by `variableWeights`), over grid points
/// with the area weights of their latitude rows, and over the N examples; summed in Double.
public enum FairCRPSLoss {
    /// The loss and its gradient with respect to the members, for members [N, K, V, H, W] (K >= 2) and target [N, V, H, W].
    public static func evaluate(members x: Tensor, target y: Tensor, rowWeights w: [Double],
                                variableWeights vw: [Double]? = nil) -> (loss: Double, gradient: Tensor) {
        precondition(x.rank == 5 && y.rank == 4 && x.shape[0] == y.shape[0] && Array(x.shape[2...]) == Array(y.shape[1...])
                     && w.count == y.shape[2] && x.shape[1] >= 2, "FairCRPSLoss: shapes")
        let n = x.shape[0], kk = x.shape[1], v = x.shape[2], h = x.shape[3], wd = x.shape[4]
        let plane = h * wd, vWeights = vw ?? Array(repeating: 1, count: v)
        precondition(vWeights.count == v, "FairCRPSLoss: one weight per variable")
        let norm = Double(n * v * wd) * w.reduce(0, +)
        let kd = Double(kk), pair = 1 / (2 * kd * (kd - 1))
        var g = Tensor(zeros: x.shape)
        var loss = 0.0
        x.withUnsafeBufferPointer { px in y.withUnsafeBufferPointer { py in g.withUnsafeMutableBufferPointer { pg in
            var xs = [Double](repeating: 0, count: kk)
            for e in 0..<n {
                for c in 0..<v {
                    for p in 0..<plane {
                        let scale = vWeights[c] * w[p / wd] / norm
                        let obs = Double(py[(e * v + c) * plane + p])
                        var s = 0.0
                        for k in 0..<kk { xs[k] = Double(px[((e * kk + k) * v + c) * plane + p]) }
                        for k in 0..<kk {
                            let d = xs[k] - obs
                            s += abs(d) / kd
                            var gk = (d > 0 ? 1.0 : (d < 0 ? -1.0 : 0.0)) / kd
                            for j in 0..<kk where j != k {
                                let dj = xs[k] - xs[j]
                                s -= pair * abs(dj)
                                gk -= 2 * pair * (dj > 0 ? 1.0 : (dj < 0 ? -1.0 : 0.0))
                            }
                            pg[((e * kk + k) * v + c) * plane + p] = Float(scale * gk)
                        }
                        loss += scale * s
                    }
                }
            }
        } } }
        return (loss, g)
    }
}
