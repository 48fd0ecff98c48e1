import WXCore
import WXNN

extension VAEModel {
    /// The multi-step pass in reverse: from dL/ds_r for every state of the rollout (physical units, [M, V, H, W]
    /// each), the gradients of the prior's and decoder's parameters (the posterior's are zero: it takes no part).
    ///
    /// Step r's state reaches the loss directly, through s_{r+1} = s_r + ..., and through the inputs of steps r + 1
    /// (as x_t) and r + 2 (as x_{t-step}), so the steps are reversed last to first, each adding to its two predecessors.
    public func rolloutBackward(gStates: [[Float]], statistics: VAEStatistics, _ cache: consuming RolloutCache,
                                _ p: Parameters) throws -> Parameters {
        let steps = gStates.count, m = cache.rows, v = config.variables.count
        let h = config.latitudes.count, w = config.longitudes.count, plane = h * w
        precondition(cache.prior.count == steps, "VAEModel.rolloutBackward: one state gradient per step")
        var g = gStates
        var grads = p.zeros()
        for r in stride(from: steps - 1, through: 0, by: -1) {
            var gd = [Float](repeating: 0, count: g[r].count)
            for row in 0..<(m * v) {
                let s = statistics.incrementStd[row % v]
                for q in row * plane ..< (row + 1) * plane { gd[q] = g[r][q] * s }
            }
            let gDecoder = try decoder.backward(Tensor(shape: [m, v, h, w], values: gd), cache.decoder[r], p.decoder,
                                                inputGradient: true)
            let latent = cache.latent[r]
            let (gMean, gLogVar) = latent.sampleBackward(gz: gDecoder.condition!, epsilon: cache.epsilon[r], members: 1)
            let gPrior = try prior.backward(latent.backward(gMean: gMean, gLogVariance: gLogVar), cache.prior[r], p.prior,
                                            inputGradient: r > 0)
            grads.decoder.add(gDecoder.parameters)
            grads.prior.add(gPrior.parameters)
            // The first step's inputs are data; later steps pass their gradient on to the states they were built from.
            guard r > 0 else { continue }
            var gInputs = gDecoder.input!
            gInputs.withUnsafeMutableBufferPointer { a in
                gPrior.input!.withUnsafeBufferPointer { b in for i in a.indices { a[i] += b[i] } }
            }
            let (gCurrent, gPrevious) = statistics.inputsBackward(gInputs)
            for i in g[r - 1].indices { g[r - 1][i] += g[r][i] + gCurrent[i] }
            if r > 1 { for i in g[r - 2].indices { g[r - 2][i] += gPrevious[i] } }
        }
        return grads
    }
}
