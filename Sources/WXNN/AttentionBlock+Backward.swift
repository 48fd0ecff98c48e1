import WXCore
import WXKernels

extension AttentionBlock {
    /// Gradients of the input and of the parameters, from the output gradient.
    public func backward(_ gy: Tensor, _ cache: Cache, _ p: Parameters) throws -> (Tensor, Parameters) {
        let (gn, ga) = try SpatialAttention.backward(cache.normalized, parameters: p.attention(heads: heads),
                                                     cache: cache.attention, gradOutput: gy, residual: false)
        let (gx, gnorm) = try norm.backward(gn, cache.norm, p.norm)
        let grads = Parameters(norm: gnorm,
                               q: .init(weight: ga.queryWeight, bias: ga.queryBias), k: .init(weight: ga.keyWeight, bias: ga.keyBias),
                               v: .init(weight: ga.valueWeight, bias: ga.valueBias), proj: .init(weight: ga.outputWeight, bias: ga.outputBias))
        return (try Elementwise.add(gy, gx), grads)
    }
}
