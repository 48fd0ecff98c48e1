import WXCore
import WXKernels
import WXNN

extension VAEModel {
    /// The training pass in reverse: from the gradient of the members [N, K, V, H, W] and the gradients of a loss
    /// on the latent distributions (the KL term), the gradients of every parameter.
    public func trainingBackward(gMembers: Tensor, gLatent: GaussianKL.Gradients, output: TrainingOutput,
                                 _ cache: consuming TrainingCache, _ p: Parameters) throws -> Parameters {
        let k = cache.members, s = gMembers.shape
        let gd = gMembers.reshaped([s[0] * k, s[2], s[3], s[4]])
        let gDecoder = try decoder.backward(gd, cache.decoder, p.decoder, inputGradient: true)
        let source = cache.source == .posterior ? output.posterior : output.prior
        let (gMean, gLogVar) = source.sampleBackward(gz: gDecoder.condition!, epsilon: cache.epsilon, members: k)
        var gMuQ = gLatent.muQ, gLvQ = gLatent.logVarQ, gMuP = gLatent.muP, gLvP = gLatent.logVarP
        if cache.source == .posterior {
            gMuQ = try Elementwise.add(gMuQ, gMean)
            gLvQ = try Elementwise.add(gLvQ, gLogVar)
        } else {
            gMuP = try Elementwise.add(gMuP, gMean)
            gLvP = try Elementwise.add(gLvP, gLogVar)
        }
        let gQ = try posterior.backward(output.posterior.backward(gMean: gMuQ, gLogVariance: gLvQ), cache.posterior, p.posterior)
        let gP = try prior.backward(output.prior.backward(gMean: gMuP, gLogVariance: gLvP), cache.prior, p.prior)
        return Parameters(prior: gP.parameters, posterior: gQ.parameters, decoder: gDecoder.parameters)
    }
}
