import WXCore
import WXKernels

extension UNet {
    /// The gradients of a backward pass: every parameter's, and the inputs' when asked for.
    public struct Gradients: Sendable {
        /// Gradients of the parameters (the same structure and names as the parameters).
        public var parameters: Parameters
        /// Gradients of x and of the condition (nil unless `inputGradient`).
        public var input: Tensor?, condition: Tensor?
    }

    /// The backward pass: the forward listing in reverse, from the gradient of the output.
    ///
    /// Skip connections: the decoder's blocks return the gradients of the skips they read, which the encoder adds
    /// to the gradient of the map that produced each skip. The cache is consumed (activations are freed as it goes).
    public func backward(_ gy: Tensor, _ cache: consuming Cache, _ p: Parameters,
                         inputGradient: Bool = false) throws -> Gradients {
        var gE: Tensor? = nil
        func addEmbedding(_ g: Tensor?) throws {
            guard let g else { return }
            gE = try gE.map { try Elementwise.add($0, g) } ?? g
        }

        let fit = cache.fit
        let (ga, gConvOut) = try convOut.backward(fit.pad(gy), cache.convOut!, p.convOut)
        var (gh, gNormOut, _, _) = try normOut.backward(ga!, cache.normOut!, p.normOut)
        (cache.convOut, cache.normOut) = (nil, nil)

        var skipGrads: [Tensor] = []
        var gUp: [UpLevel.Parameters] = []
        for l in 0..<config.levels {
            let c = cache.up[l]
            cache.up[l] = Cache.Up()
            var gUpsample: UpsampleLayer.Parameters? = nil
            if let us = up[l].upsample { (gh, gUpsample) = try us.backward(gh, c.upsample!, p.up[l].upsample!) }
            var gRes: [ResBlock.Parameters] = [], gAttn: [AttentionBlock.Parameters] = []
            for b in (0...config.resBlocks).reversed() {
                if !up[l].attn.isEmpty {
                    let g: AttentionBlock.Parameters
                    (gh, g) = try up[l].attn[b].backward(gh, c.attn[b], p.up[l].attn[b])
                    gAttn.insert(g, at: 0)
                }
                let (gin, g, ge) = try up[l].res[b].backward(gh, c.res[b], p.up[l].res[b])
                gRes.insert(g, at: 0)
                try addEmbedding(ge)
                let parts = try ChannelConcat.backward(gradOutput: gin, channels: [c.split[b].0, c.split[b].1])
                gh = parts[0]
                skipGrads.append(parts[1])
            }
            gUp.append(UpLevel.Parameters(res: gRes, attn: gAttn, upsample: gUpsample))
        }

        var gMidRes = [ResBlock.Parameters](), gMidAttn: AttentionBlock.Parameters? = nil
        for r in (0..<2).reversed() {
            if r == 0, let attn = mid.attn { (gh, gMidAttn) = try attn.backward(gh, cache.mid.attn!, p.mid.attn!) }
            let (gin, g, ge) = try mid.res[r].backward(gh, cache.mid.res[r], p.mid.res[r])
            (gh, _) = (gin, gMidRes.insert(g, at: 0))
            try addEmbedding(ge)
        }
        cache.mid = Cache.Mid()

        var skip = skipGrads.count - 1
        gh = try Elementwise.add(gh, skipGrads[skip])
        var gDown: [DownLevel.Parameters] = []
        for l in (0..<config.levels).reversed() {
            let c = cache.down[l]
            cache.down[l] = Cache.Down()
            var gDownsample: ConvLayer.Parameters? = nil
            if let ds = down[l].downsample {
                let (gin, g) = try ds.backward(gh, c.downsample!, p.down[l].downsample!)
                skip -= 1
                (gh, gDownsample) = (try Elementwise.add(gin!, skipGrads[skip]), g)
            }
            var gRes: [ResBlock.Parameters] = [], gAttn: [AttentionBlock.Parameters] = []
            for b in (0..<config.resBlocks).reversed() {
                if !down[l].attn.isEmpty {
                    let g: AttentionBlock.Parameters
                    (gh, g) = try down[l].attn[b].backward(gh, c.attn[b], p.down[l].attn[b])
                    gAttn.insert(g, at: 0)
                }
                let (gin, g, ge) = try down[l].res[b].backward(gh, c.res[b], p.down[l].res[b])
                gRes.insert(g, at: 0)
                try addEmbedding(ge)
                skip -= 1
                gh = try Elementwise.add(gin, skipGrads[skip])
            }
            gDown.insert(DownLevel.Parameters(res: gRes, attn: gAttn, downsample: gDownsample), at: 0)
        }
        precondition(skip == 0, "UNet.backward: skip bookkeeping is off")

        let (gInput, gConvIn) = try convIn.backward(gh, cache.convIn, p.convIn, inputGradient: inputGradient)
        var gEmbed: ConditioningEmbedding.Parameters? = nil
        if let embedding, let gE, let ce = cache.embed, let pe = p.embed { gEmbed = try embedding.backward(gE, ce, pe) }

        var gx: Tensor? = nil, gc: Tensor? = nil
        if let gInput = gInput.map(fit.crop) {
            if config.conditionChannels > 0 {
                let parts = try ChannelConcat.backward(gradOutput: gInput, channels: [config.inputChannels, config.conditionChannels])
                (gx, gc) = (parts[0], parts[1])
            } else {
                gx = gInput
            }
        }
        let grads = Parameters(embed: gEmbed, convIn: gConvIn, down: gDown,
                               mid: MidLevel.Parameters(res: gMidRes, attn: gMidAttn), up: gUp,
                               normOut: gNormOut, convOut: gConvOut)
        return Gradients(parameters: grads, input: gx, condition: gc)
    }
}
