import WXCore
import WXKernels

/// Self-attention over the grid points of a feature map with a pre-norm and a residual:
/// y = x + proj(softmax(q(n)^T k(n) / sqrt(d)) v(n)), n = GroupNorm(x), per head of d = C / heads channels,
/// q, k, v and proj being [C, C] linear maps over channels (torch `nn.Linear` on the tokens).
public struct AttentionBlock: Sendable {
    /// The trainable tensors (and, as the same type, their gradients), named as the PyTorch module's.
    public struct Parameters: ParameterSet {
        public var norm: GroupNormLayer.Parameters
        public var q: LinearLayer.Parameters, k: LinearLayer.Parameters, v: LinearLayer.Parameters
        public var proj: LinearLayer.Parameters

        /// Visits norm, q, k, v, proj.
        public mutating func visit(_ prefix: String, _ body: (String, inout Tensor) throws -> Void) rethrows {
            try norm.visit(prefix + "norm.", body)
            try q.visit(prefix + "q.", body)
            try k.visit(prefix + "k.", body)
            try v.visit(prefix + "v.", body)
            try proj.visit(prefix + "proj.", body)
        }

        /// The projections in the attention kernel's layout.
        func attention(heads: Int) -> AttentionParameters {
            AttentionParameters(queryWeight: q.weight, queryBias: q.bias, keyWeight: k.weight, keyBias: k.bias,
                                valueWeight: v.weight, valueBias: v.bias, outputWeight: proj.weight, outputBias: proj.bias,
                                heads: heads)
        }
    }

    /// What `backward` needs from the forward pass.
    public struct Cache: Sendable {
        var norm: GroupNormLayer.Cache
        /// The normalised input the attention read.
        var normalized: Tensor
        var attention: AttentionCache
    }

    public let norm: GroupNormLayer
    /// Channels and heads.
    public let channels: Int, heads: Int

    /// A block over `channels` channels with `heads` heads.
    public init(channels: Int, heads: Int, groups: Int) {
        self.channels = channels
        self.heads = heads
        norm = GroupNormLayer(channels: channels, groups: groups)
    }

    /// PyTorch's default initialisation, with the output projection zero (`zeroResidual`) so the block starts as identity.
    public func initialParameters(_ rng: inout some RandomNumberGenerator, zeroResidual: Bool) -> Parameters {
        let lin = LinearLayer(inFeatures: channels, outFeatures: channels)
        return Parameters(norm: norm.initialParameters(), q: lin.initialParameters(&rng), k: lin.initialParameters(&rng),
                          v: lin.initialParameters(&rng), proj: lin.initialParameters(&rng, zero: zeroResidual))
    }

    /// y = x + attention(GroupNorm(x)).
    public func forward(_ x: Tensor, _ p: Parameters) throws -> (Tensor, Cache) {
        let (n, cn) = try norm.forward(x, p.norm)
        let (a, ca) = try SpatialAttention.forward(n, parameters: p.attention(heads: heads), residual: false)
        return (try Elementwise.add(x, a), Cache(norm: cn, normalized: n, attention: ca))
    }

    /// y without a cache (inference): the same bits as `forward`.
    public func infer(_ x: Tensor, _ p: Parameters) throws -> Tensor {
        try SpatialAttention.infer(try norm.infer(x, p.norm), parameters: p.attention(heads: heads), adding: x)
    }
}
