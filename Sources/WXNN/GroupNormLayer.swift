import WXCore
import WXKernels

/// GroupNorm alone (torch `nn.GroupNorm(groups, C)`, eps 1e-5): the normalisation before self-attention.
public struct GroupNormLayer: Sendable {
    /// The trainable tensors (and, as the same type, their gradients): gamma and beta [C].
    public typealias Parameters = GroupNormSiLULayer.Parameters

    /// What `backward` needs: the input and its group statistics.
    public struct Cache: Sendable {
        /// The layer's input.
        public var input: Tensor
        /// Mean and 1/std per (sample, group).
        public var statistics: GroupNormStatistics
    }

    /// Channels and groups.
    public let channels: Int, groups: Int

    /// A layer over `channels` channels in `groups` groups.
    public init(channels: Int, groups: Int) {
        self.channels = channels
        self.groups = groups
    }

    /// gamma = 1, beta = 0 (PyTorch's initialisation).
    public func initialParameters() -> Parameters {
        Parameters(weight: Tensor(shape: [channels], repeating: 1), bias: Tensor(zeros: [channels]))
    }

    /// y = (x - mean_g) rstd_g gamma + beta.
    public func forward(_ x: Tensor, _ p: Parameters) throws -> (Tensor, Cache) {
        let (y, stats) = try GroupNorm.forward(x, groups: groups, gamma: p.weight, beta: p.bias)
        return (y, Cache(input: x, statistics: stats))
    }

    /// y without a cache (inference): the same bits as `forward`.
    public func infer(_ x: Tensor, _ p: Parameters) throws -> Tensor {
        try GroupNorm.forward(x, groups: groups, gamma: p.weight, beta: p.bias).output
    }
}
