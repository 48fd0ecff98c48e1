import WXCore
import WXKernels

extension UpsampleLayer {
    /// Gradients of the input and of the parameters, from the output gradient.
    public func backward(_ gy: Tensor, _ cache: Cache, _ p: Parameters) throws -> (Tensor, Parameters) {
        let (gu, gc) = try conv.backward(gy, cache.conv, p.conv)
        return (try Upsample.nearest2xBackward(gradOutput: gu!), Parameters(conv: gc))
    }
}
