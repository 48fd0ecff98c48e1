import WXKernels

/// How the U-Net pads at the edges of the globe.
public enum GlobePadding: String, Codable, Sendable {
    /// Longitude wraps around (circular); latitude is mirrored about the first and last rows (PyTorch "reflect"),
    /// so the row beyond a pole is the row next to it: no signal from zeros at the poles.
    case globe
    /// Zeros on both axes (for regional grids); a grid whose sides are not multiples of 2^(levels - 1) is run on a
    /// zero-extended canvas and the output cropped (`UNetGridFit`).
    case zeros

    /// The convolution padding of a 3x3 kernel.
    var conv3x3: ConvPadding {
        switch self {
        case .globe: return ConvPadding(height: .reflect(1), width: .circular(1))
        case .zeros: return ConvPadding(.zeros(1))
        }
    }
}

/// The architecture of a U-Net (ADM/DDPM style): what the diffusion denoiser and the VAE's networks are made of.
///
/// Level l works at 1/2^l of the grid with `channels[l]` channels and `res_blocks` residual blocks (self-attention
/// after each where l is in `attention_levels`); a middle block (residual, attention, residual) sits at the coarsest
/// level; the decoder mirrors it with `res_blocks + 1` blocks per level reading the encoder's skips.
public struct UNetConfig: Codable, Equatable, Sendable {
    /// Always "unet".
    public var architecture: String
    /// Channels of the main input and of the conditioning input concatenated to it (0: none).
    public var inputChannels: Int, conditionChannels: Int
    /// Channels of the output.
    public var outputChannels: Int
    /// Channels per level, finest first.
    public var channels: [Int]
    /// Residual blocks per encoder level.
    public var resBlocks: Int
    /// Levels with self-attention after each residual block.
    public var attentionLevels: [Int]
    /// Whether the middle block has self-attention.
    public var midAttention: Bool
    /// Attention heads (divides the channels of every attention level).
    public var attentionHeads: Int
    /// GroupNorm groups (divides every level's channels).
    public var groups: Int
    /// Width of the conditioning embedding (0 with no scalars).
    public var embeddingWidth: Int
    /// The conditioning scalars, in the order the model is given them.
    public var scalars: [ScalarFeatures]
    /// Padding at the globe's edges.
    public var padding: GlobePadding
    /// Whether the last convolution of each residual branch, each attention's output projection and the output
    /// convolution start at zero (blocks start as identities; the output starts at zero).
    public var zeroInit: Bool

    enum CodingKeys: String, CodingKey, CaseIterable {
        case architecture, channels, groups, scalars, padding
        case inputChannels = "input_channels", conditionChannels = "condition_channels", outputChannels = "output_channels"
        case resBlocks = "res_blocks", attentionLevels = "attention_levels", midAttention = "mid_attention"
        case attentionHeads = "attention_heads", embeddingWidth = "embedding_width", zeroInit = "zero_init"
    }

    /// A configuration; `validate()` checks it.
    public init(inputChannels: Int, conditionChannels: Int = 0, outputChannels: Int, channels: [Int], resBlocks: Int,
                attentionLevels: [Int], midAttention: Bool = true, attentionHeads: Int = 1, groups: Int,
                embeddingWidth: Int, scalars: [ScalarFeatures], padding: GlobePadding = .globe, zeroInit: Bool = true) {
        architecture = "unet"
        self.inputChannels = inputChannels
        self.conditionChannels = conditionChannels
        self.outputChannels = outputChannels
        self.channels = channels
        self.resBlocks = resBlocks
        self.attentionLevels = attentionLevels
        self.midAttention = midAttention
        self.attentionHeads = attentionHeads
        self.groups = groups
        self.embeddingWidth = embeddingWidth
        self.scalars = scalars
        self.padding = padding
        self.zeroInit = zeroInit
    }

    /// Decodes strictly: unknown keys are errors; optional keys take the defaults of `init`.
    public init(from decoder: Decoder) throws {
        try StrictKeys<CodingKeys>.check(decoder, section: "model")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        architecture = try c.decodeIfPresent(String.self, forKey: .architecture) ?? "unet"
        inputChannels = try c.decode(Int.self, forKey: .inputChannels)
        conditionChannels = try c.decodeIfPresent(Int.self, forKey: .conditionChannels) ?? 0
        outputChannels = try c.decode(Int.self, forKey: .outputChannels)
        channels = try c.decode([Int].self, forKey: .channels)
        resBlocks = try c.decode(Int.self, forKey: .resBlocks)
        attentionLevels = try c.decodeIfPresent([Int].self, forKey: .attentionLevels) ?? []
        midAttention = try c.decodeIfPresent(Bool.self, forKey: .midAttention) ?? true
        attentionHeads = try c.decodeIfPresent(Int.self, forKey: .attentionHeads) ?? 1
        groups = try c.decode(Int.self, forKey: .groups)
        embeddingWidth = try c.decodeIfPresent(Int.self, forKey: .embeddingWidth) ?? 0
        scalars = try c.decodeIfPresent([ScalarFeatures].self, forKey: .scalars) ?? []
        let pad = try c.decodeIfPresent(String.self, forKey: .padding) ?? "globe"
        guard let p = GlobePadding(rawValue: pad) else {
            throw ModelConfigError.invalid(field: "padding", reason: "'\(pad)' is not one of globe, zeros")
        }
        padding = p
        zeroInit = try c.decodeIfPresent(Bool.self, forKey: .zeroInit) ?? true
    }

    /// Number of levels.
    public var levels: Int { channels.count }

    /// The canvas a `height` x `width` grid runs on: itself with globe padding (which needs sides divisible by
    /// 2^(levels - 1)), the next multiples with zero padding.
    public func gridFit(height: Int, width: Int) -> UNetGridFit {
        padding == .zeros ? UNetGridFit(height: height, width: width, levels: levels)
            : UNetGridFit(height: height, width: width, levels: 1)
    }

    /// Checks that the architecture can be built, and on a `height` x `width` grid when given (any size with zero
    /// padding, sides divisible by 2^(levels - 1) with globe padding).
    public func validate(height: Int? = nil, width: Int? = nil) throws {
        guard architecture == "unet" else { throw ModelConfigError.unknownArchitecture(architecture) }
        func positive(_ v: Int, _ field: String) throws {
            guard v > 0 else { throw ModelConfigError.invalid(field: field, reason: "must be positive, got \(v)") }
        }
        try positive(inputChannels, "input_channels")
        try positive(outputChannels, "output_channels")
        guard conditionChannels >= 0 else { throw ModelConfigError.invalid(field: "condition_channels", reason: "must be >= 0") }
        guard !channels.isEmpty else { throw ModelConfigError.invalid(field: "channels", reason: "needs at least one level") }
        try positive(resBlocks, "res_blocks")
        try positive(groups, "groups")
        for (l, c) in channels.enumerated() {
            try positive(c, "channels[\(l)]")
            guard c % groups == 0 else {
                throw ModelConfigError.invalid(field: "groups", reason: "\(groups) groups do not divide \(c) channels of level \(l)")
            }
        }
        for l in attentionLevels where !(0..<levels).contains(l) {
            throw ModelConfigError.invalid(field: "attention_levels", reason: "level \(l) is not in 0..<\(levels)")
        }
        try positive(attentionHeads, "attention_heads")
        for l in Set(attentionLevels + (midAttention ? [levels - 1] : [])) where channels[l] % attentionHeads != 0 {
            throw ModelConfigError.invalid(field: "attention_heads",
                                           reason: "\(attentionHeads) heads do not divide \(channels[l]) channels of level \(l)")
        }
        if scalars.isEmpty {
            guard embeddingWidth == 0 else {
                throw ModelConfigError.invalid(field: "embedding_width", reason: "must be 0 without scalars")
            }
        } else {
            try positive(embeddingWidth, "embedding_width")
        }
        for s in scalars {
            guard s.features > 0, s.features % 2 == 0 else {
                throw ModelConfigError.invalid(field: "scalars.\(s.name).features", reason: "must be positive and even, got \(s.features)")
            }
            guard s.minPeriod > 0, s.maxPeriod >= s.minPeriod, s.maxPeriod.isFinite else {
                throw ModelConfigError.invalid(field: "scalars.\(s.name)", reason: "periods must satisfy 0 < min_period <= max_period")
            }
        }
        if let height, let width {
            let f = padding == .zeros ? 1 : 1 << (levels - 1)
            guard height > 0, width > 0, height % f == 0, width % f == 0 else {
                throw ModelConfigError.gridNotDivisible(height: height, width: width, levels: levels)
            }
        }
    }
}
