import WXCore
import WXKernels

/// A fully connected layer (torch `nn.Linear`): y = x W^T + b for x [N, in], W [out, in], b [out].
public struct LinearLayer: Sendable {
    /// The trainable tensors (and, as the same type, their gradients).
    public struct Parameters: ParameterSet {
        /// Weight [out, in].
        public var weight: Tensor
        /// Bias [out].
        public var bias: Tensor

        /// Visits `weight` and `bias`.
        public mutating func visit(_ prefix: String, _ body: (String, inout Tensor) throws -> Void) rethrows {
            try body(prefix + "weight", &weight)
            try body(prefix + "bias", &bias)
        }
    }

    /// What `backward` needs: the input.
    public struct Cache: Sendable {
        /// The layer's input [N, in].
        public var input: Tensor
    }

    /// Input and output features.
    public let inFeatures: Int, outFeatures: Int

    /// A layer of the given width.
    public init(inFeatures: Int, outFeatures: Int) {
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
    }

    /// PyTorch's default initialisation (weight and bias uniform within 1/sqrt(in)), or zeros.
    public func initialParameters(_ rng: inout some RandomNumberGenerator, zero: Bool = false) -> Parameters {
        if zero { return Parameters(weight: Tensor(zeros: [outFeatures, inFeatures]), bias: Tensor(zeros: [outFeatures])) }
        let bound = ParameterInit.defaultBound(fanIn: inFeatures)
        return Parameters(weight: ParameterInit.uniform([outFeatures, inFeatures], bound: bound, &rng),
                          bias: ParameterInit.uniform([outFeatures], bound: bound, &rng))
    }

    /// y = x W^T + b.
    public func forward(_ x: Tensor, _ p: Parameters) throws -> (Tensor, Cache) {
        (try Linear.forward(x, weight: p.weight, bias: p.bias), Cache(input: x))
    }

    /// y without a cache (inference): the same bits as `forward`.
    public func infer(_ x: Tensor, _ p: Parameters) throws -> Tensor {
        try Linear.forward(x, weight: p.weight, bias: p.bias)
    }
}
