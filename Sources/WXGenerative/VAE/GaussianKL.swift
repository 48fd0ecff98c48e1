import Foundation
import WXCore

/// KL divergence between diagonal Gaussians, per element:
/// KL(q || p) = 0.5 (lv_p - lv_q + (exp(lv_q) + (mu_q - mu_p)^2) / exp(lv_p) - 1), lv = log-variance
/// (Kingma & Welling 2014, appendix B; torch.distributions.kl_divergence(Normal, Normal)).
///
/// Over tensors [N, Z, H, W] the loss is summed over the Z latent channels, averaged over grid points with the
/// area weights of their latitude rows and averaged over N; summed in Double.
public enum GaussianKL {
    /// KL(q || p) of one element.
    @inlinable
    public static func element(muQ: Double, logVarQ: Double, muP: Double, logVarP: Double) -> Double {
        let d = muQ - muP
        return 0.5 * (logVarP - logVarQ + (exp(logVarQ) + d * d) / exp(logVarP) - 1)
    }

    /// Gradients of the loss with respect to mu_q, lv_q, mu_p, lv_p.
    public struct Gradients: Sendable {
        /// d/d mu_q and d/d lv_q.
        public var muQ: Tensor, logVarQ: Tensor
        /// d/d mu_p and d/d lv_p.
        public var muP: Tensor, logVarP: Tensor
    }

    /// The loss and its gradients for tensors [N, Z, H, W] and latitude-row weights [H].
    public static func evaluate(muQ: Tensor, logVarQ: Tensor, muP: Tensor, logVarP: Tensor,
                                rowWeights w: [Double]) -> (loss: Double, gradients: Gradients) {
        precondition(muQ.rank == 4 && [logVarQ.shape, muP.shape, logVarP.shape].allSatisfy { $0 == muQ.shape }
                     && w.count == muQ.shape[2], "GaussianKL: shapes")
        let n = muQ.shape[0], z = muQ.shape[1], h = muQ.shape[2], wd = muQ.shape[3]
        let norm = Double(n * wd) * w.reduce(0, +)
        var gmq = Tensor(zeros: muQ.shape), glq = Tensor(zeros: muQ.shape)
        var gmp = Tensor(zeros: muQ.shape), glp = Tensor(zeros: muQ.shape)
        var loss = 0.0
        muQ.withUnsafeBufferPointer { mq in logVarQ.withUnsafeBufferPointer { lq in
        muP.withUnsafeBufferPointer { mp in logVarP.withUnsafeBufferPointer { lp in
        gmq.withUnsafeMutableBufferPointer { a in glq.withUnsafeMutableBufferPointer { b in
        gmp.withUnsafeMutableBufferPointer { c in glp.withUnsafeMutableBufferPointer { e in
            for row in 0..<(n * z * h) {
                let i = row % h, k = w[i] / norm
                var s = 0.0
                for j in row * wd ..< (row + 1) * wd {
                    let vq = exp(Double(lq[j])), ip = exp(-Double(lp[j])), d = Double(mq[j]) - Double(mp[j])
                    s += 0.5 * (Double(lp[j]) - Double(lq[j]) + (vq + d * d) * ip - 1)
                    a[j] = Float(k * d * ip)
                    c[j] = Float(-k * d * ip)
                    b[j] = Float(k * 0.5 * (vq * ip - 1))
                    e[j] = Float(k * 0.5 * (1 - (vq + d * d) * ip))
                }
                loss += k * s
            }
        } } } } } } } }
        return (loss, Gradients(muQ: gmq, logVarQ: glq, muP: gmp, logVarP: glp))
    }
}
