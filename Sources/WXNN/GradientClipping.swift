import WXCore

/// Clipping of gradients by their global norm (torch `nn.utils.clip_grad_norm_`, 2-norm):
/// total = sqrt(sum g^2) over every tensor; g <- g min(1, maxNorm / (total + 1e-6)).
public enum GradientClipping {
    /// The global 2-norm of every gradient (summed in Double, tensor by tensor in order).
    public static func globalNorm<P: ParameterSet>(_ g: P) -> Double {
        var sum = 0.0
        for t in g.tensors { t.withUnsafeBufferPointer { b in for x in b { sum += Double(x) * Double(x) } } }
        return sum.squareRoot()
    }

    /// Scales `g` as PyTorch does and returns the norm before clipping.
    @discardableResult
    public static func clip<P: ParameterSet>(_ g: inout P, maxNorm: Double) -> Double {
        let total = globalNorm(g)
        let coef = Float(min(1, maxNorm / (total + 1e-6)))
        if coef < 1 {
            g.visit("") { _, t in t.withUnsafeMutableBufferPointer { b in for k in 0..<b.count { b[k] *= coef } } }
        }
        return total
    }
}
