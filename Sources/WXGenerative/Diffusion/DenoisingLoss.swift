import WXCore

/// EDM's denoising loss, area-weighted: L = (1/N) sum_n lambda(sigma_n) sum_{v,i,j} w_i (D - y)^2 / (V W sum_i w_i),
/// with lambda(sigma) = (sigma^2 + sd^2) / (sigma sd)^2 (Karras et al. 2022, eq. 2 and Table 1) and w_i the area
/// weight of latitude row i; summed in Double.
public enum DenoisingLoss {
    /// The loss and its gradient with respect to D, for D and y [N, V, H, W].
    public static func evaluate(denoised d: Tensor, target y: Tensor, sigma: [Double], rowWeights w: [Double],
                                preconditioning pc: EDMPreconditioning) -> (loss: Double, gradient: Tensor) {
        precondition(d.shape == y.shape && d.rank == 4 && w.count == d.shape[2], "DenoisingLoss: shapes")
        let n = d.shape[0], v = d.shape[1], h = d.shape[2], wd = d.shape[3]
        let norm = Double(v * wd) * w.reduce(0, +)
        var loss = 0.0
        let g = Tensor(unsafeUninitializedShape: d.shape) { out in
            d.withUnsafeBufferPointer { pd in y.withUnsafeBufferPointer { py in
                for e in 0..<n {
                    let lam = pc.lossWeight(sigma[e])
                    var s = 0.0
                    for c in 0..<v { for i in 0..<h {
                        let base = ((e * v + c) * h + i) * wd
                        let k = 2 * lam * w[i] / (norm * Double(n))
                        var row = 0.0
                        for j in 0..<wd {
                            let diff = Double(pd[base + j]) - Double(py[base + j])
                            row += diff * diff
                            out[base + j] = Float(k * diff)
                        }
                        s += w[i] * row
                    } }
                    loss += lam * s / norm
                }
            } }
        }
        return (loss / Double(n), g)
    }
}
