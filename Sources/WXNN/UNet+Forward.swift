import WXCore
import WXKernels

extension UNet {
    /// What the backward pass reads, level by level as the forward pass wrote it.
    public struct Cache: Sendable {
        struct Down: Sendable { var res: [ResBlock.Cache] = [], attn: [AttentionBlock.Cache] = [], downsample: ConvLayer.Cache? }
        struct Mid: Sendable { var res: [ResBlock.Cache] = [], attn: AttentionBlock.Cache? }
        struct Up: Sendable {
            var res: [ResBlock.Cache] = [], attn: [AttentionBlock.Cache] = [], upsample: UpsampleLayer.Cache?
            /// Channels of the running map and of the skip concatenated before each residual block.
            var split: [(Int, Int)] = []
        }
        var embed: ConditioningEmbedding.Cache?
        var embedding: Tensor?
        var convIn: ConvLayer.Cache
        var down: [Down] = []
        var mid = Mid()
        var up: [Up] = []
        var normOut: GroupNormSiLULayer.Cache?
        var convOut: ConvLayer.Cache?
        /// The canvas the pass ran on.
        var fit: UNetGridFit

        /// Bytes held by the distinct tensors of the cache (activation memory of a training step).
        public var bytes: Int {
            var seen = Set<ObjectIdentifier>(), total = 0
            func walk(_ value: Any) {
                if let t = value as? Tensor {
                    if seen.insert(ObjectIdentifier(t.storage)).inserted { total += t.count * MemoryLayout<Float>.stride }
                    return
                }
                for child in Mirror(reflecting: value).children { walk(child.value) }
            }
            walk(self)
            return total
        }
    }

    /// y [N, out, H, W] for x [N, in, H, W], the conditioning channels [N, cond, H, W] (nil when the config has none)
    /// and the conditioning scalars [N, S] (nil when the config has none).
    public func forward(_ x: Tensor, condition: Tensor? = nil, scalars: Tensor? = nil,
                        _ p: Parameters) throws -> (Tensor, Cache) {
        try checkInputs(x, condition: condition, scalars: scalars)
        let fit = config.gridFit(height: x.shape[2], width: x.shape[3])
        var embed: ConditioningEmbedding.Cache? = nil, e: Tensor? = nil
        if let embedding, let scalars, let pe = p.embed { (e, embed) = try embedding.forward(scalars, pe) }
        let input = fit.pad(try condition.map { try ChannelConcat.forward([x, $0]) } ?? x)
        var (h, ci) = try convIn.forward(input, p.convIn)
        var cache = Cache(embed: embed, embedding: e, convIn: ci, fit: fit)
        var skips = [h]

        for l in 0..<config.levels {
            var c = Cache.Down()
            for b in 0..<config.resBlocks {
                let cr: ResBlock.Cache
                (h, cr) = try down[l].res[b].forward(h, embedding: e, p.down[l].res[b])
                c.res.append(cr)
                if !down[l].attn.isEmpty {
                    let ca: AttentionBlock.Cache
                    (h, ca) = try down[l].attn[b].forward(h, p.down[l].attn[b])
                    c.attn.append(ca)
                }
                skips.append(h)
            }
            if let ds = down[l].downsample {
                let cd: ConvLayer.Cache
                (h, cd) = try ds.forward(h, p.down[l].downsample!)
                c.downsample = cd
                skips.append(h)
            }
            cache.down.append(c)
        }

        for r in 0..<2 {
            let cr: ResBlock.Cache
            (h, cr) = try mid.res[r].forward(h, embedding: e, p.mid.res[r])
            cache.mid.res.append(cr)
            if r == 0, let attn = mid.attn {
                let ca: AttentionBlock.Cache
                (h, ca) = try attn.forward(h, p.mid.attn!)
                cache.mid.attn = ca
            }
        }

        cache.up = [Cache.Up](repeating: Cache.Up(), count: config.levels)
        for l in stride(from: config.levels - 1, through: 0, by: -1) {
            var c = Cache.Up()
            for b in 0...config.resBlocks {
                let s = skips.removeLast()
                c.split.append((h.shape[1], s.shape[1]))
                let cr: ResBlock.Cache
                (h, cr) = try up[l].res[b].forward(try ChannelConcat.forward([h, s]), embedding: e, p.up[l].res[b])
                c.res.append(cr)
                if !up[l].attn.isEmpty {
                    let ca: AttentionBlock.Cache
                    (h, ca) = try up[l].attn[b].forward(h, p.up[l].attn[b])
                    c.attn.append(ca)
                }
            }
            if let us = up[l].upsample {
                let cu: UpsampleLayer.Cache
                (h, cu) = try us.forward(h, p.up[l].upsample!)
                c.upsample = cu
            }
            cache.up[l] = c
        }

        let (a, cn) = try normOut.forward(h, p.normOut)
        let (y, co) = try convOut.forward(a, p.convOut)
        (cache.normOut, cache.convOut) = (cn, co)
        return (fit.crop(y), cache)
    }

    /// y as `forward` gives it, the same bits, without a cache (inference): each activation is freed once the
    /// layers that read it have run, so only the skips the decoder has yet to read stay alive. `weights` keeps the
    /// convolutions' weight transforms for the next pass with the same parameters.
    public func infer(_ x: Tensor, condition: Tensor? = nil, scalars: Tensor? = nil, _ p: Parameters,
                      weights: InferenceWeights? = nil) throws -> Tensor {
        try checkInputs(x, condition: condition, scalars: scalars)
        let fit = config.gridFit(height: x.shape[2], width: x.shape[3])
        var e: Tensor? = nil
        if let embedding, let scalars, let pe = p.embed { e = try embedding.infer(scalars, pe) }
        var h = try convIn.infer(fit.pad(try condition.map { try ChannelConcat.forward([x, $0]) } ?? x), p.convIn, weights: weights)
        var skips = [h]

        for l in 0..<config.levels {
            for b in 0..<config.resBlocks {
                h = try down[l].res[b].infer(h, embedding: e, p.down[l].res[b], weights: weights)
                if !down[l].attn.isEmpty { h = try down[l].attn[b].infer(h, p.down[l].attn[b]) }
                skips.append(h)
            }
            if let ds = down[l].downsample {
                h = try ds.infer(h, p.down[l].downsample!, weights: weights)
                skips.append(h)
            }
        }

        for r in 0..<2 {
            h = try mid.res[r].infer(h, embedding: e, p.mid.res[r], weights: weights)
            if r == 0, let attn = mid.attn { h = try attn.infer(h, p.mid.attn!) }
        }

        for l in stride(from: config.levels - 1, through: 0, by: -1) {
            for b in 0...config.resBlocks {
                h = try up[l].res[b].infer(try ChannelConcat.forward([h, skips.removeLast()]), embedding: e, p.up[l].res[b],
                                           weights: weights)
                if !up[l].attn.isEmpty { h = try up[l].attn[b].infer(h, p.up[l].attn[b]) }
            }
            if let us = up[l].upsample { h = try us.infer(h, p.up[l].upsample!, weights: weights) }
        }

        return fit.crop(try convOut.infer(try normOut.infer(h, p.normOut), p.convOut, weights: weights))
    }

    /// Checks the inputs against the configuration.
    func checkInputs(_ x: Tensor, condition: Tensor?, scalars: Tensor?) throws {
        guard x.rank == 4, x.shape[1] == config.inputChannels else {
            throw KernelError.shapeMismatch(op: "unet", detail: "input is \(x.shape), expected [N, \(config.inputChannels), H, W]")
        }
        try config.validate(height: x.shape[2], width: x.shape[3])
        if config.conditionChannels > 0 {
            guard let condition, condition.shape == [x.shape[0], config.conditionChannels, x.shape[2], x.shape[3]] else {
                throw KernelError.shapeMismatch(op: "unet", detail: "condition is \(condition?.shape.description ?? "missing"), expected [\(x.shape[0]), \(config.conditionChannels), \(x.shape[2]), \(x.shape[3])]")
            }
        } else if condition != nil {
            throw KernelError.shapeMismatch(op: "unet", detail: "a condition was given but the model has no condition channels")
        }
        if !config.scalars.isEmpty {
            guard let scalars, scalars.shape == [x.shape[0], config.scalars.count] else {
                throw KernelError.shapeMismatch(op: "unet", detail: "scalars are \(scalars?.shape.description ?? "missing"), expected [\(x.shape[0]), \(config.scalars.count)]")
            }
        }
    }
}
