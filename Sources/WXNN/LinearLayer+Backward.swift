import WXCore
import WXKernels

extension LinearLayer {
    /// Gradients of the input and of the parameters, from the output gradient.
    public func backward(_ gy: Tensor, _ cache: Cache, _ p: Parameters) throws -> (Tensor, Parameters) {
        let (gx, gw, gb) = try Linear.backward(cache.input, weight: p.weight, gradOutput: gy)
        return (gx, Parameters(weight: gw, bias: gb!))
    }
}
