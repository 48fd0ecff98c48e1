import WXCore

/// The VAE's training loss: L = fCRPS(members, y) + beta KL(q || p), the fair CRPS of the K members of each
/// example (`FairCRPSLoss`, on increments normalised by their climatological standard deviation) and the KL
/// divergence of the posterior from the prior (`GaussianKL`), both area-weighted (FuXi-ENS, Zhong et al. 2024).
public enum VAELoss {
    /// The loss's parts and its gradients with respect to the members and the latent distributions.
    public struct Result: Sendable {
        /// L, its CRPS term and its (unweighted) KL term.
        public var total: Double, crps: Double, kl: Double
        /// dL/d members.
        public var gMembers: Tensor
        /// dL/d of the posterior's and prior's means and log-variances (beta included).
        public var gLatent: GaussianKL.Gradients
    }

    /// The loss of `output` against the normalised increment y [N, V, H, W].
    public static func evaluate(_ output: VAEModel.TrainingOutput, target y: Tensor, rowWeights: [Double],
                                variableWeights: [Double]? = nil, beta: Double) -> Result {
        let (crps, gm) = FairCRPSLoss.evaluate(members: output.members, target: y, rowWeights: rowWeights,
                                               variableWeights: variableWeights)
        var (kl, g) = GaussianKL.evaluate(muQ: output.posterior.mean, logVarQ: output.posterior.logVariance,
                                          muP: output.prior.mean, logVarP: output.prior.logVariance, rowWeights: rowWeights)
        let b = Float(beta)
        for path in [\GaussianKL.Gradients.muQ, \.logVarQ, \.muP, \.logVarP] {
            g[keyPath: path].withUnsafeMutableBufferPointer { t in for i in t.indices { t[i] *= b } }
        }
        return Result(total: crps + beta * kl, crps: crps, kl: kl, gMembers: gm, gLatent: g)
    }
}
