import WXCore
import WXKernels

/// A U-Net built from a `UNetConfig`: its layers (shapes only; weights live in `UNet.Parameters`).
///
/// The forward pass is written out as a listing in `UNet+Forward.swift` and the backward pass as the reverse
/// listing in `UNet+Backward.swift` (no hidden tape); `Cache` holds what the backward pass reads.
public struct UNet: Sendable {
    /// One encoder level: residual blocks (each followed by attention where configured) and a strided convolution.
    public struct DownLevel: Sendable {
        public let res: [ResBlock], attn: [AttentionBlock], downsample: ConvLayer?

        /// The level's tensors, named `res.i.`, `attn.i.`, `downsample.`.
        public struct Parameters: ParameterSet {
            public var res: [ResBlock.Parameters], attn: [AttentionBlock.Parameters], downsample: ConvLayer.Parameters?

            /// Visits res, attn, downsample.
            public mutating func visit(_ prefix: String, _ body: (String, inout Tensor) throws -> Void) rethrows {
                try res.visit(prefix + "res.", body)
                try attn.visit(prefix + "attn.", body)
                try downsample.visit(prefix + "downsample.", body)
            }
        }
    }

    /// The middle block at the coarsest level: residual, attention (optional), residual.
    public struct MidLevel: Sendable {
        public let res: [ResBlock], attn: AttentionBlock?

        /// The block's tensors, named `res.0.`, `attn.`, `res.1.`.
        public struct Parameters: ParameterSet {
            public var res: [ResBlock.Parameters], attn: AttentionBlock.Parameters?

            /// Visits res.0, attn, res.1.
            public mutating func visit(_ prefix: String, _ body: (String, inout Tensor) throws -> Void) rethrows {
                try res[0].visit(prefix + "res.0.", body)
                try attn.visit(prefix + "attn.", body)
                try res[1].visit(prefix + "res.1.", body)
            }
        }
    }

    /// One decoder level: residual blocks reading the skips (attention where configured) and an upsampling step.
    public struct UpLevel: Sendable {
        public let res: [ResBlock], attn: [AttentionBlock], upsample: UpsampleLayer?

        /// The level's tensors, named `res.i.`, `attn.i.`, `upsample.`.
        public struct Parameters: ParameterSet {
            public var res: [ResBlock.Parameters], attn: [AttentionBlock.Parameters], upsample: UpsampleLayer.Parameters?

            /// Visits res, attn, upsample.
            public mutating func visit(_ prefix: String, _ body: (String, inout Tensor) throws -> Void) rethrows {
                try res.visit(prefix + "res.", body)
                try attn.visit(prefix + "attn.", body)
                try upsample.visit(prefix + "upsample.", body)
            }
        }
    }

    /// Every tensor of the model, named as the equivalent PyTorch module's `state_dict` keys.
    public struct Parameters: ParameterSet {
        public var embed: ConditioningEmbedding.Parameters?
        public var convIn: ConvLayer.Parameters
        public var down: [DownLevel.Parameters]
        public var mid: MidLevel.Parameters
        public var up: [UpLevel.Parameters]
        public var normOut: GroupNormSiLULayer.Parameters
        public var convOut: ConvLayer.Parameters

        /// Visits embed, conv_in, down.l, mid, up.l, norm_out, conv_out.
        public mutating func visit(_ prefix: String, _ body: (String, inout Tensor) throws -> Void) rethrows {
            try embed.visit(prefix + "embed.", body)
            try convIn.visit(prefix + "conv_in.", body)
            try down.visit(prefix + "down.", body)
            try mid.visit(prefix + "mid.", body)
            try up.visit(prefix + "up.", body)
            try normOut.visit(prefix + "norm_out.", body)
            try convOut.visit(prefix + "conv_out.", body)
        }
    }

    public let config: UNetConfig
    public let embedding: ConditioningEmbedding?
    public let convIn: ConvLayer
    public let down: [DownLevel]
    public let mid: MidLevel
    /// Decoder levels indexed by level (run from the coarsest, `up[levels - 1]`, to `up[0]`).
    public let up: [UpLevel]
    public let normOut: GroupNormSiLULayer
    public let convOut: ConvLayer

    /// Builds the layers of a valid configuration (throws `ModelConfigError` otherwise).
    public init(_ config: UNetConfig) throws {
        try config.validate()
        self.config = config
        let pad = config.padding.conv3x3, g = config.groups, e = config.embeddingWidth, ch = config.channels
        embedding = config.scalars.isEmpty ? nil : ConditioningEmbedding(scalars: config.scalars, width: e)
        convIn = ConvLayer(inChannels: config.inputChannels + config.conditionChannels, outChannels: ch[0], kernelSize: 3, padding: pad)
        func attention(_ level: Int) -> AttentionBlock { AttentionBlock(channels: ch[level], heads: config.attentionHeads, groups: g) }
        var skipChannels = [ch[0]]
        var down: [DownLevel] = []
        var c = ch[0]
        for l in 0..<config.levels {
            var res: [ResBlock] = [], attn: [AttentionBlock] = []
            for _ in 0..<config.resBlocks {
                res.append(ResBlock(inChannels: c, outChannels: ch[l], embeddingWidth: e, groups: g, padding: pad))
                c = ch[l]
                if config.attentionLevels.contains(l) { attn.append(attention(l)) }
                skipChannels.append(c)
            }
            var ds: ConvLayer? = nil
            if l < config.levels - 1 {
                ds = ConvLayer(inChannels: c, outChannels: c, kernelSize: 3, stride: 2, padding: pad)
                skipChannels.append(c)
            }
            down.append(DownLevel(res: res, attn: attn, downsample: ds))
        }
        self.down = down
        let last = config.levels - 1
        mid = MidLevel(res: [ResBlock(inChannels: c, outChannels: c, embeddingWidth: e, groups: g, padding: pad),
                             ResBlock(inChannels: c, outChannels: c, embeddingWidth: e, groups: g, padding: pad)],
                       attn: config.midAttention ? attention(last) : nil)
        var up = [UpLevel?](repeating: nil, count: config.levels)
        for l in stride(from: last, through: 0, by: -1) {
            var res: [ResBlock] = [], attn: [AttentionBlock] = []
            for _ in 0...config.resBlocks {
                let skip = skipChannels.removeLast()
                res.append(ResBlock(inChannels: c + skip, outChannels: ch[l], embeddingWidth: e, groups: g, padding: pad))
                c = ch[l]
                if config.attentionLevels.contains(l) { attn.append(attention(l)) }
            }
            up[l] = UpLevel(res: res, attn: attn, upsample: l > 0 ? UpsampleLayer(channels: c, padding: pad) : nil)
        }
        self.up = up.map { $0! }
        normOut = GroupNormSiLULayer(channels: c, groups: g)
        convOut = ConvLayer(inChannels: c, outChannels: config.outputChannels, kernelSize: 3, padding: pad)
    }

    /// Fresh parameters: PyTorch's default initialisation drawn from `rng`, zeros where `config.zeroInit` says.
    public func initialParameters(_ rng: inout some RandomNumberGenerator) -> Parameters {
        let z = config.zeroInit
        return Parameters(
            embed: embedding?.initialParameters(&rng),
            convIn: convIn.initialParameters(&rng),
            down: down.map { level in
                DownLevel.Parameters(res: level.res.map { $0.initialParameters(&rng, zeroResidual: z) },
                                     attn: level.attn.map { $0.initialParameters(&rng, zeroResidual: z) },
                                     downsample: level.downsample?.initialParameters(&rng))
            },
            mid: MidLevel.Parameters(res: mid.res.map { $0.initialParameters(&rng, zeroResidual: z) },
                                     attn: mid.attn?.initialParameters(&rng, zeroResidual: z)),
            up: up.map { level in
                UpLevel.Parameters(res: level.res.map { $0.initialParameters(&rng, zeroResidual: z) },
                                   attn: level.attn.map { $0.initialParameters(&rng, zeroResidual: z) },
                                   upsample: level.upsample?.initialParameters(&rng))
            },
            normOut: normOut.initialParameters(),
            convOut: convOut.initialParameters(&rng, zero: z))
    }
}
