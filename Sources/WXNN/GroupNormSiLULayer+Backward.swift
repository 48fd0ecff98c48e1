import WXCore
import WXKernels

extension GroupNormSiLULayer {
    /// Gradients of the input, the parameters and the modulation (nil without one), from the output gradient.
    public func backward(_ gy: Tensor, _ cache: Cache, _ p: Parameters) throws -> (Tensor, Parameters, scale: Tensor?, shift: Tensor?) {
        let g = try GroupNormSiLU.backward(cache.input, groups: groups, gamma: p.weight, beta: p.bias, scale: cache.scale,
                                           shift: cache.shift, statistics: cache.statistics, gradOutput: gy)
        return (g.input, Parameters(weight: g.gamma, bias: g.beta), g.scale, g.shift)
    }
}
