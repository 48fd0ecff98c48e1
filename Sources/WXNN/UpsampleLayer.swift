import WXCore
import WXKernels

/// Nearest-neighbour x2 upsampling followed by a 3x3 convolution (the U-Net's decoder step between levels).
public struct UpsampleLayer: Sendable {
    /// The trainable tensors (and, as the same type, their gradients): the convolution's.
    public struct Parameters: ParameterSet {
        public var conv: ConvLayer.Parameters

        /// Visits conv.
        public mutating func visit(_ prefix: String, _ body: (String, inout Tensor) throws -> Void) rethrows {
            try conv.visit(prefix + "conv.", body)
        }
    }

    /// What `backward` needs: the convolution's input (the upsampled map).
    public struct Cache: Sendable { var conv: ConvLayer.Cache }

    public let conv: ConvLayer

    /// A layer keeping `channels` channels.
    public init(channels: Int, padding: ConvPadding) {
        conv = ConvLayer(inChannels: channels, outChannels: channels, kernelSize: 3, padding: padding)
    }

    /// PyTorch's default initialisation.
    public func initialParameters(_ rng: inout some RandomNumberGenerator) -> Parameters {
        Parameters(conv: conv.initialParameters(&rng))
    }

    /// y = conv(nearest2x(x)).
    public func forward(_ x: Tensor, _ p: Parameters) throws -> (Tensor, Cache) {
        let (y, c) = try conv.forward(try Upsample.nearest2x(x), p.conv)
        return (y, Cache(conv: c))
    }

    /// y without a cache (inference): the same bits as `forward`.
    public func infer(_ x: Tensor, _ p: Parameters, weights: InferenceWeights? = nil) throws -> Tensor {
        try conv.infer(try Upsample.nearest2x(x), p.conv, weights: weights)
    }
}
