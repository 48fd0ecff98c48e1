import WXCore
import WXKernels

/// A 2-D convolution layer (torch `nn.Conv2d` applied to the input padded as `padding` says): weight
/// [Cout, Cin, k, k] and bias [Cout]; k = 1 runs as a matrix product.
public struct ConvLayer: Sendable {
    /// The trainable tensors (and, as the same type, their gradients).
    public struct Parameters: ParameterSet {
        /// Kernel [Cout, Cin, k, k].
        public var weight: Tensor
        /// Bias [Cout].
        public var bias: Tensor

        /// Visits `weight` and `bias`.
        public mutating func visit(_ prefix: String, _ body: (String, inout Tensor) throws -> Void) rethrows {
            try body(prefix + "weight", &weight)
            try body(prefix + "bias", &bias)
        }
    }

    /// What `backward` needs: the input.
    public struct Cache: Sendable {
        /// The layer's input.
        public var input: Tensor
    }

    /// Channels in and out.
    public let inChannels: Int, outChannels: Int
    /// Kernel size (square) and stride.
    public let kernelSize: Int, stride: Int
    /// Padding of each spatial axis.
    public let padding: ConvPadding

    /// A layer of the given shape.
    public init(inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int = 1, padding: ConvPadding) {
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
    }

    /// Whether the layer is a plain 1x1 product (stride 1, no padding).
    var isPointwise: Bool { kernelSize == 1 && stride == 1 && padding.height.amount == 0 && padding.width.amount == 0 }

    /// PyTorch's default initialisation, or zeros (`zero: true`, e.g. a residual branch's last convolution).
    public func initialParameters(_ rng: inout some RandomNumberGenerator, zero: Bool = false) -> Parameters {
        let shape = [outChannels, inChannels, kernelSize, kernelSize]
        if zero { return Parameters(weight: Tensor(zeros: shape), bias: Tensor(zeros: [outChannels])) }
        let bound = ParameterInit.defaultBound(fanIn: inChannels * kernelSize * kernelSize)
        return Parameters(weight: ParameterInit.uniform(shape, bound: bound, &rng),
                          bias: ParameterInit.uniform([outChannels], bound: bound, &rng))
    }

    /// y = conv(x) + bias.
    public func forward(_ x: Tensor, _ p: Parameters) throws -> (Tensor, Cache) {
        let y = isPointwise
            ? try Linear.pointwiseConv(x, weight: p.weight, bias: p.bias)
            : try Conv2D.forward(x, weight: p.weight, bias: p.bias, stride: stride, padding: padding)
        return (y, Cache(input: x))
    }

    /// y = conv(x) + bias (+ residual) without a cache (inference): the same bits as `forward` (then
    /// `Elementwise.add(y, residual)`); a 3x3 convolution adds the residual in its epilogue and takes its Winograd
    /// transform from `weights` when given.
    public func infer(_ x: Tensor, _ p: Parameters, residual: Tensor? = nil, weights: InferenceWeights? = nil) throws -> Tensor {
        if isPointwise {
            let y = try Linear.pointwiseConv(x, weight: p.weight, bias: p.bias)
            return try residual.map { try Elementwise.add(y, $0) } ?? y
        }
        return try Conv2D.forward(x, weight: p.weight, bias: p.bias, stride: stride, padding: padding, residual: residual,
                                  winograd: try weights?.winograd(p.weight, stride: stride))
    }
}
