import WXCore
import WXKernels

extension ConditioningEmbedding {
    /// Gradients of the parameters from the gradient of e (the scalars themselves get none).
    public func backward(_ ge: Tensor, _ cache: Cache, _ p: Parameters) throws -> Parameters {
        let go = try Activations.siluBackward(cache.output, gradOutput: ge)
        let (ga, g2) = try mlp2.backward(go, cache.mlp2, p.mlp2)
        let gh = try Activations.siluBackward(cache.hidden, gradOutput: ga)
        let (_, g1) = try mlp1.backward(gh, cache.mlp1, p.mlp1)
        return Parameters(mlp1: g1, mlp2: g2)
    }
}
