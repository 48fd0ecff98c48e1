import WXCore
import WXKernels

/// GroupNorm (torch `nn.GroupNorm(groups, C)`, eps 1e-5) followed by an optional feature-wise modulation
/// x (1 + scale) + shift and SiLU, fused in one kernel (`GroupNormSiLU`): the pre-activation of the residual blocks
/// and of the output head.
public struct GroupNormSiLULayer: Sendable {
    /// The trainable tensors (and, as the same type, their gradients).
    public struct Parameters: ParameterSet {
        /// Per-channel scale gamma [C].
        public var weight: Tensor
        /// Per-channel offset beta [C].
        public var bias: Tensor

        /// Visits `weight` and `bias`.
        public mutating func visit(_ prefix: String, _ body: (String, inout Tensor) throws -> Void) rethrows {
            try body(prefix + "weight", &weight)
            try body(prefix + "bias", &bias)
        }
    }

    /// What `backward` needs: the input, its group statistics and the modulation.
    public struct Cache: Sendable {
        /// The layer's input.
        public var input: Tensor
        /// Mean and 1/std per (sample, group).
        public var statistics: GroupNormStatistics
        /// The modulation [N, C], if any.
        public var scale: Tensor?, shift: Tensor?
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

    /// y = silu(GN(x) (1 + scale) + shift), modulation optional.
    public func forward(_ x: Tensor, _ p: Parameters, scale: Tensor? = nil, shift: Tensor? = nil) throws -> (Tensor, Cache) {
        let (y, stats) = try GroupNormSiLU.forward(x, groups: groups, gamma: p.weight, beta: p.bias, scale: scale, shift: shift)
        return (y, Cache(input: x, statistics: stats, scale: scale, shift: shift))
    }

    /// y without a cache (inference): the same bits as `forward`.
    public func infer(_ x: Tensor, _ p: Parameters, scale: Tensor? = nil, shift: Tensor? = nil) throws -> Tensor {
        try GroupNormSiLU.forward(x, groups: groups, gamma: p.weight, beta: p.bias, scale: scale, shift: shift).output
    }
}
