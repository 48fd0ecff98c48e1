import WXCore
import WXKernels

extension GroupNormLayer {
    /// Gradients of the input and of gamma and beta, from the output gradient.
    public func backward(_ gy: Tensor, _ cache: Cache, _ p: Parameters) throws -> (Tensor, Parameters) {
        let (gx, gg, gb) = try GroupNorm.backward(cache.input, groups: groups, gamma: p.weight, statistics: cache.statistics,
                                                  gradOutput: gy)
        return (gx, Parameters(weight: gg!, bias: gb!))
    }
}
