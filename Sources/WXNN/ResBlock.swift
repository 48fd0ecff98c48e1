import WXCore
import WXKernels

/// A residual block with FiLM conditioning (the ADM/DDPM U-Net block, dropout left out):
/// h = conv1(silu(norm1(x))); [scale | shift] = emb(e); y = conv2(silu(norm2(h) (1 + scale) + shift)) + skip(x),
/// where e is the model's conditioning embedding (already through SiLU) and skip is a 1x1 convolution when the
/// width changes, else the identity. Without an embedding (`embeddingWidth` 0) there is no modulation.
public struct ResBlock: Sendable {
    /// The trainable tensors (and, as the same type, their gradients), named as the PyTorch module's.
    public struct Parameters: ParameterSet {
        public var norm1: GroupNormSiLULayer.Parameters
        public var conv1: ConvLayer.Parameters
        public var emb: LinearLayer.Parameters?
        public var norm2: GroupNormSiLULayer.Parameters
        public var conv2: ConvLayer.Parameters
        public var skip: ConvLayer.Parameters?

        /// Visits norm1, conv1, emb, norm2, conv2, skip.
        public mutating func visit(_ prefix: String, _ body: (String, inout Tensor) throws -> Void) rethrows {
            try norm1.visit(prefix + "norm1.", body)
            try conv1.visit(prefix + "conv1.", body)
            try emb.visit(prefix + "emb.", body)
            try norm2.visit(prefix + "norm2.", body)
            try conv2.visit(prefix + "conv2.", body)
            try skip.visit(prefix + "skip.", body)
        }
    }

    /// What `backward` needs from the forward pass.
    public struct Cache: Sendable {
        var norm1: GroupNormSiLULayer.Cache, conv1: ConvLayer.Cache
        var emb: LinearLayer.Cache?
        var norm2: GroupNormSiLULayer.Cache, conv2: ConvLayer.Cache
        var skip: ConvLayer.Cache?
    }

    public let norm1: GroupNormSiLULayer, conv1: ConvLayer, emb: LinearLayer?
    public let norm2: GroupNormSiLULayer, conv2: ConvLayer, skip: ConvLayer?
    /// Channels in and out.
    public let inChannels: Int, outChannels: Int

    /// A block from `inChannels` to `outChannels` conditioned on an embedding of `embeddingWidth` (0: none).
    public init(inChannels: Int, outChannels: Int, embeddingWidth: Int, groups: Int, padding: ConvPadding) {
        self.inChannels = inChannels
        self.outChannels = outChannels
        norm1 = GroupNormSiLULayer(channels: inChannels, groups: groups)
        conv1 = ConvLayer(inChannels: inChannels, outChannels: outChannels, kernelSize: 3, padding: padding)
        emb = embeddingWidth > 0 ? LinearLayer(inFeatures: embeddingWidth, outFeatures: 2 * outChannels) : nil
        norm2 = GroupNormSiLULayer(channels: outChannels, groups: groups)
        conv2 = ConvLayer(inChannels: outChannels, outChannels: outChannels, kernelSize: 3, padding: padding)
        skip = inChannels != outChannels
            ? ConvLayer(inChannels: inChannels, outChannels: outChannels, kernelSize: 1, padding: .none) : nil
    }

    /// PyTorch's default initialisation, with the last convolution zero (`zeroResidual`) so the block starts as its skip.
    public func initialParameters(_ rng: inout some RandomNumberGenerator, zeroResidual: Bool) -> Parameters {
        Parameters(norm1: norm1.initialParameters(), conv1: conv1.initialParameters(&rng),
                   emb: emb?.initialParameters(&rng), norm2: norm2.initialParameters(),
                   conv2: conv2.initialParameters(&rng, zero: zeroResidual), skip: skip?.initialParameters(&rng))
    }

    /// y for input x [N, Cin, H, W] and embedding e [N, E] (nil without conditioning).
    public func forward(_ x: Tensor, embedding e: Tensor?, _ p: Parameters) throws -> (Tensor, Cache) {
        let (a1, cn1) = try norm1.forward(x, p.norm1)
        let (h1, cc1) = try conv1.forward(a1, p.conv1)
        var scale: Tensor? = nil, shift: Tensor? = nil, ce: LinearLayer.Cache? = nil
        if let emb, let e, let pe = p.emb {
            let (st, c) = try emb.forward(e, pe)
            let parts = try ChannelConcat.backward(gradOutput: st, channels: [outChannels, outChannels])
            (scale, shift, ce) = (parts[0], parts[1], c)
        }
        let (a2, cn2) = try norm2.forward(h1, p.norm2, scale: scale, shift: shift)
        let (h2, cc2) = try conv2.forward(a2, p.conv2)
        var residual = x, cs: ConvLayer.Cache? = nil
        if let skip, let ps = p.skip { (residual, cs) = try skip.forward(x, ps) }
        let y = try Elementwise.add(h2, residual)
        return (y, Cache(norm1: cn1, conv1: cc1, emb: ce, norm2: cn2, conv2: cc2, skip: cs))
    }

    /// y without a cache (inference): the same bits as `forward`, each intermediate freed once read.
    public func infer(_ x: Tensor, embedding e: Tensor?, _ p: Parameters, weights: InferenceWeights? = nil) throws -> Tensor {
        let h1 = try conv1.infer(try norm1.infer(x, p.norm1), p.conv1, weights: weights)
        var scale: Tensor? = nil, shift: Tensor? = nil
        if let emb, let e, let pe = p.emb {
            let parts = try ChannelConcat.backward(gradOutput: try emb.infer(e, pe), channels: [outChannels, outChannels])
            (scale, shift) = (parts[0], parts[1])
        }
        let a2 = try norm2.infer(h1, p.norm2, scale: scale, shift: shift)
        var residual = x
        if let skip, let ps = p.skip { residual = try skip.infer(x, ps) }
        return try conv2.infer(a2, p.conv2, residual: residual, weights: weights)
    }
}
