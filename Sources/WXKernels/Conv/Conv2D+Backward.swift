import WXCore

extension Conv2D {
    /// Gradient of the loss with respect to the convolution input, given the gradient of its output.
    ///
    /// grad_input[n, ci, i, j] = sum over (co, y, x, a, b) with pad-source(s*y+a, s*x+b) = (i, j) of
    /// grad_output[n, co, y, x] * weight[co, ci, a, b]; padded positions fold back onto the source
    /// element they copied (wrapped, mirrored or clamped), zeros padding drops them.
    /// Computed as a stride-1 convolution of grad_output with the flipped kernel (one per stride phase at stride > 1),
    /// by `algorithm` (Winograd F(2x2, 3x3) for the 3x3 stride-1 cases it suits, unless `.direct`).
    public static func backwardData(gradOutput: Tensor, weight: Tensor, inputShape: [Int], stride: Int = 1,
                                    padding: ConvPadding = .none, algorithm: ConvAlgorithm = .automatic) throws -> Tensor {
        let g = try ConvGeometry(inputShape: inputShape, weightShape: weight.shape, stride: stride, padding: padding)
        guard gradOutput.shape == g.outputShape else {
            throw ConvError.shapeMismatch(operand: "gradOutput", detail: "expected \(g.outputShape), got \(gradOutput.shape)")
        }
        // backwardDataCore writes every element (zero-filling first where it only adds).
        return Tensor(unsafeUninitializedShape: inputShape) { buf in
            backwardDataCore(go: gradOutput.storage.pointer, w: weight.storage.pointer, g: g, gi: buf.baseAddress!,
                             algorithm: algorithm)
        }
    }

    /// Gradient of the loss with respect to the weight: [Cout, Cin, kh, kw].
    ///
    /// grad_weight[co, ci, a, b] = sum_{n, y, x} grad_output[n, co, y, x] * pad(input)[n, ci, s*y + a, s*x + b],
    /// summed over a fixed partition of (n, y, x) in index order whatever the thread count.
    public static func backwardWeight(gradOutput: Tensor, input: Tensor, weightShape: [Int], stride: Int = 1,
                                      padding: ConvPadding = .none) throws -> Tensor {
        let g = try ConvGeometry(inputShape: input.shape, weightShape: weightShape, stride: stride, padding: padding)
        guard gradOutput.shape == g.outputShape else {
            throw ConvError.shapeMismatch(operand: "gradOutput", detail: "expected \(g.outputShape), got \(gradOutput.shape)")
        }
        var gw = Tensor(zeros: weightShape)
        gw.withUnsafeMutableBufferPointer { buf in
            backwardWeightCore(go: gradOutput.storage.pointer, x: input.storage.pointer, g: g, gw: buf.baseAddress!)
        }
        return gw
    }

    /// Gradient of the loss with respect to the bias: grad_bias[co] = sum_{n, y, x} grad_output[n, co, y, x] (each plane
    /// summed by `biasPlaneSum`, the planes in order in Double).
    public static func backwardBias(gradOutput: Tensor) throws -> Tensor {
        guard gradOutput.rank == 4 else { throw ConvError.badRank(operand: "gradOutput", expected: 4, shape: gradOutput.shape) }
        let (n, c, hw) = (gradOutput.shape[0], gradOutput.shape[1], gradOutput.shape[2] * gradOutput.shape[3])
        var gb = Tensor(zeros: [c])
        let go = gradOutput.storage.pointer
        gb.withUnsafeMutableBufferPointer { out in
            let o = out.baseAddress!
            Parallel.forEach(c) { co in
                var s = 0.0
                for i in 0..<n { s += biasPlaneSum(go + (i * c + co) * hw, hw) }
                o[co] = Float(s)
            }
        }
        return gb
    }

    /// Sum of `count` floats: 8-float blocks alternately into two 8-lane Float accumulators, those added, their lanes
    /// added in order in Double, then the tail in order (a fixed order on every build and thread count).
    @inline(__always)
    static func biasPlaneSum(_ p: UnsafePointer<Float>, _ count: Int) -> Double {
        var a0 = SIMD8<Float>(), a1 = SIMD8<Float>()
        var k = 0
        while k + 16 <= count {
            a0 += VectorMath.load(p + k)
            a1 += VectorMath.load(p + k + 8)
            k += 16
        }
        if k + 8 <= count { a0 += VectorMath.load(p + k); k += 8 }
        let a = a0 + a1
        var total = 0.0
        for l in 0..<8 { total += Double(a[l]) }
        while k < count { total += Double(p[k]); k += 1 }
        return total
    }

    /// Packs the flipped sub-kernel of stride phase (py, px) with channels swapped, as `packWeights` lays out
    /// a [Cin][Cout][kjh][kjw] weight: sub[ci][co][a][b] = w[co][ci][py + sh*(kjh-1-a)][px + sw*(kjw-1-b)].
    /// One worker per block of `mr` input channels, each writing its block in order (zeros past Cin).
    static func packFlippedWeights(_ w: UnsafePointer<Float>, g: ConvGeometry, py: Int, px: Int,
                                   kjh: Int, kjw: Int, mr: Int) -> UnsafeMutablePointer<Float> {
        let (cin, cout, kh, kw, sh, sw) = (g.inChannels, g.outChannels, g.kernelHeight, g.kernelWidth,
                                           g.strideHeight, g.strideWidth)
        let taps = kjh * kjw
        let blocks = (cin + mr - 1) / mr
        let p = UnsafeMutablePointer<Float>.allocate(capacity: blocks * cout * taps * mr)
        Parallel.forEach(blocks) { bi in
            var dst = p + bi * cout * taps * mr
            for co in 0..<cout {
                for a in 0..<kjh {
                    for b in 0..<kjw {
                        let tap = (py + sh * (kjh - 1 - a)) * kw + px + sw * (kjw - 1 - b)
                        for r in 0..<mr {
                            let ci = bi * mr + r
                            dst[r] = ci < cin ? w[(co * cin + ci) * kh * kw + tap] : 0
                        }
                        dst += mr
                    }
                }
            }
        }
        return p
    }

    /// Stride-1 backward-data without a padded gradient buffer, when every axis is zero-padded, circular with
    /// 2p = k-1 (its adjoint is the circular convolution of grad_output with the flipped kernel), or, for height,
    /// mirrored/clamped (interior rows straight into gi, the few border rows computed apart and folded onto the rows
    /// they copied). Returns false, doing nothing, for the other cases.
    static func backwardDataStride1(go: UnsafePointer<Float>, w: UnsafePointer<Float>, g: ConvGeometry,
                                    gi: UnsafeMutablePointer<Float>, algorithm: ConvAlgorithm) -> Bool {
        let (kh, kw, cin, cout, h, wd) = (g.kernelHeight, g.kernelWidth, g.inChannels, g.outChannels, g.height, g.width)
        func zeroLike(_ p: AxisPad) -> Bool { p.mode == .zeros || (p.before == 0 && p.after == 0) }
        func wraps(_ p: AxisPad, _ k: Int) -> Bool { p.mode == .circular && p.before == p.after && 2 * p.before == k - 1 }
        guard zeroLike(g.padW) || wraps(g.padW, kw) else { return false }
        let foldRows = !(zeroLike(g.padH) || wraps(g.padH, kh))
        // Padding of grad_output that yields gp rows/cols [first, first + count) of the padded gradient.
        func axis(_ p: AxisPad, k: Int, n: Int, outN: Int, first: Int, count: Int) -> AxisPad {
            if wraps(p, k) { return AxisPad(before: k - 1 - p.before, after: k - 1 - p.before, mode: .circular) }
            let b = k - 1 - first
            return AxisPad(before: b, after: count - outN - b + k - 1, mode: .zeros)
        }
        let padW = axis(g.padW, k: kw, n: wd, outN: g.outWidth, first: g.padW.before, count: wd)
        func sub(firstRow: Int, rows: Int) -> ConvGeometry {
            ConvGeometry(batch: g.batch, inChannels: cout, height: g.outHeight, width: g.outWidth,
                         outChannels: cin, kernelHeight: kh, kernelWidth: kw, strideHeight: 1, strideWidth: 1,
                         padH: axis(g.padH, k: kh, n: h, outN: g.outHeight, first: firstRow, count: rows), padW: padW)
        }
        let interior = sub(firstRow: g.padH.before, rows: h)
        let interiorOut = ConvOutput(base: gi, imageStride: cin * h * wd, channelStride: h * wd, rowStride: wd, colStride: 1)
        // The interior and the border strips share the weights, made on first use: Winograd transforms the flipped
        // weights straight from w (strips of 1-2 rows take F(2x2, 3x3), so one transform of each kind at most), the
        // direct kernel packs them (strips have the interior's channels and width, so the same register block).
        var u: [WinogradKind: UnsafeMutablePointer<Float>] = [:], packed: UnsafeMutablePointer<Float>?
        defer { u.values.forEach { $0.deallocate() }; packed?.deallocate() }
        func run(_ sg: ConvGeometry, _ out: ConvOutput) {
            if let (kind, plan) = WinogradKind.choose(algorithm, sg, out: out) {
                let uk = u[kind] ?? kind.transformWeights(adjointOf: w, cin: cin, cout: cout)
                u[kind] = uk
                kind.forward(x: go, g: sg, plan: plan, u: uk, bias: nil, activation: .none, out: out)
            } else {
                if packed == nil { packed = packFlippedWeights(w, g: g, py: 0, px: 0, kjh: kh, kjw: kw, mr: microTile(sg).mr) }
                forwardCore(x: go, g: sg, packedWeights: packed!, bias: nil, activation: .none, out: out)
            }
        }
        run(interior, interiorOut)
        guard foldRows else { return true }
        // Border rows of the padded gradient (mirrored or clamped copies), folded onto their source rows.
        for (first, count) in [(0, g.padH.before), (g.padH.before + h, g.padH.after)] where count > 0 {
            let strip = ConvBuffer.floats(g.batch * cin * count * wd)
            defer { strip.deallocate() }
            run(sub(firstRow: first, rows: count),
                ConvOutput(base: strip, imageStride: cin * count * wd, channelStride: count * wd, rowStride: wd, colStride: 1))
            Parallel.forEach(g.batch * cin) { plane in
                for r in 0..<count {
                    let sy = g.padH.source(first + r, h)
                    if sy < 0 { continue }
                    let d = gi + (plane * h + sy) * wd, src = strip + (plane * count + r) * wd
                    for x in 0..<wd { d[x] += src[x] }
                }
            }
        }
        return true
    }

    /// Writes grad_input into `gi` (every element; its previous contents are ignored).
    static func backwardDataCore(go: UnsafePointer<Float>, w: UnsafePointer<Float>, g: ConvGeometry,
                                 gi: UnsafeMutablePointer<Float>, algorithm: ConvAlgorithm = .automatic) {
        let (sh, sw, kh, kw) = (g.strideHeight, g.strideWidth, g.kernelHeight, g.kernelWidth)
        let (cin, cout) = (g.inChannels, g.outChannels)
        if sh == 1 && sw == 1, backwardDataStride1(go: go, w: w, g: g, gi: gi, algorithm: algorithm) { return }
        // The fold below adds the padded gradient onto gi.
        gi.update(repeating: 0, count: g.batch * cin * g.height * g.width)
        let hp = g.padH.paddedLength(g.height), wp = g.padW.paddedLength(g.width)
        let plane = hp * wp
        let gp = UnsafeMutablePointer<Float>.allocate(capacity: g.batch * cin * plane)
        defer { gp.deallocate() }
        // Every phase writes its positions of gp once; only a phase the kernel does not reach leaves zeros.
        if kh < sh || kw < sw { gp.initialize(repeating: 0, count: g.batch * cin * plane) }
        for py in 0..<sh {
            for px in 0..<sw {
                let kjh = py < kh ? (kh - py + sh - 1) / sh : 0
                let kjw = px < kw ? (kw - px + sw - 1) / sw : 0
                let ah = (hp - py + sh - 1) / sh, aw = (wp - px + sw - 1) / sw
                if kjh == 0 || kjw == 0 || ah <= 0 || aw <= 0 { continue }
                let sub = ConvGeometry(batch: g.batch, inChannels: cout, height: g.outHeight, width: g.outWidth,
                                       outChannels: cin, kernelHeight: kjh, kernelWidth: kjw,
                                       strideHeight: 1, strideWidth: 1,
                                       padH: AxisPad(before: kjh - 1, after: ah - g.outHeight, mode: .zeros),
                                       padW: AxisPad(before: kjw - 1, after: aw - g.outWidth, mode: .zeros))
                let out = ConvOutput(base: gp + py * wp + px, imageStride: cin * plane, channelStride: plane,
                                     rowStride: sh * wp, colStride: sw)
                // At stride 1 the one phase is the whole flipped kernel: Winograd where it suits, as in the stride-1 path.
                if sh == 1 && sw == 1, let (kind, plan) = WinogradKind.choose(algorithm, sub, out: out) {
                    let u = kind.transformWeights(adjointOf: w, cin: cin, cout: cout)
                    defer { u.deallocate() }
                    kind.forward(x: go, g: sub, plan: plan, u: u, bias: nil, activation: .none, out: out)
                    continue
                }
                let packed = packFlippedWeights(w, g: g, py: py, px: px, kjh: kjh, kjw: kjw, mr: microTile(sub).mr)
                defer { packed.deallocate() }
                forwardCore(x: go, g: sub, packedWeights: packed, bias: nil, activation: .none, out: out)
            }
        }
        // Fold the padded gradient back onto the source elements, one (image, channel) plane per task.
        let (h, wd) = (g.height, g.width)
        var colMap = [Int](repeating: -1, count: wp)
        for x in 0..<wp { colMap[x] = g.padW.source(x, wd) }
        let before = g.padW.before
        colMap.withUnsafeBufferPointer { cmap in
            Parallel.forEach(g.batch * cin) { plane_ in
                let src = gp + plane_ * plane, dst = gi + plane_ * h * wd
                for y in 0..<hp {
                    let sy = g.padH.source(y, h)
                    if sy < 0 { continue }
                    let s = src + y * wp, d = dst + sy * wd
                    for x in 0..<before { let sx = cmap[x]; if sx >= 0 { d[sx] += s[x] } }
                    let interior = s + before
                    for x in 0..<wd { d[x] += interior[x] }
                    for x in (before + wd)..<wp { let sx = cmap[x]; if sx >= 0 { d[sx] += s[x] } }
                }
            }
        }
    }

    static func backwardWeightCore(go: UnsafePointer<Float>, x: UnsafePointer<Float>, g: ConvGeometry,
                                   gw: UnsafeMutablePointer<Float>) {
        if g.strideHeight == 1 && g.strideWidth == 1 {
            backwardWeightStride1(go: go, x: x, g: g, gw: gw)
            return
        }
        let hout = g.outHeight, wout = g.outWidth
        let wo8 = (wout + 7) / 8 * 8
        let tileRows = max(4, 512 / wo8)
        let plan = ConvTile(g, tileRows: tileRows, budgetBytes: 128 * 1024, maxChannels: 16)
        let taps = g.kernelHeight * g.kernelWidth
        let (cin, cout) = (g.inChannels, g.outChannels)
        let coChunk = 64
        let coTasks = (cout + coChunk - 1) / coChunk
        let ciTasks = (cin + plan.channelBlock - 1) / plan.channelBlock
        let rowTiles = (hout + plan.tileRows - 1) / plan.tileRows
        // Rows of a multiple of 8 and whole 4-channel blocks are read where they lie (the same sums as the copy).
        let inPlace = wout == wo8 && cout % 4 == 0
        let goPlane = inPlace ? 0 : plan.tileRows * wo8
        let imageSize = cin * g.height * g.width
        Parallel.forEach(ciTasks * coTasks) { task in
            let piece = WeightGradPiece(task: task, plan: plan, coChunk: coChunk, taps: taps) { $0 * goPlane + 8 }
            defer { piece.deallocate() }
            let (c0, kc, co0, nco, tile, goTile) = (piece.c0, piece.kc, piece.co0, piece.nco, piece.tile, piece.goTile)
            for n in 0..<g.batch {
                for rt in 0..<rowTiles {
                    let oh0 = rt * plan.tileRows, rowsHere = min(plan.tileRows, hout - oh0)
                    plan.pack(image: x + n * imageSize, c0: c0, kc: kc, oh0: oh0, into: tile)
                    if inPlace {
                        piece.accumulate(g: go + ((n * cout + co0) * hout + oh0) * wout, gChannelStride: hout * wout,
                                         gRowStride: wout, xRowStride: g.strideHeight * plan.rowStride,
                                         rows: rowsHere, chunks: wo8 / 8)
                        continue
                    }
                    for co in 0..<nco {
                        for r in 0..<rowsHere {
                            let s = go + ((n * cout + co0 + co) * hout + oh0 + r) * wout
                            let d = goTile + co * goPlane + r * wo8
                            d.update(from: s, count: wout)
                            for p in wout..<wo8 { d[p] = 0 }
                        }
                    }
                    piece.accumulate(g: goTile, gChannelStride: goPlane, gRowStride: wo8, xRowStride: g.strideHeight * plan.rowStride,
                                     rows: rowsHere, chunks: wo8 / 8)
                }
            }
            piece.store(into: gw, taps: taps, inChannels: cin)
        }
    }
}

extension Conv2D {
    /// Pixels per weight-gradient tile (measured on the Zen 3: 3072 beats 256 to 1536 and 6144; long runs stream well).
    static let wgradPixels = 3072

    /// Weight gradient at stride 1. Where the output width is a multiple of 8 and the output channels of 4, the
    /// micro-kernel reads the output gradient in place, row by row against the packed input rows (Wout + kw - 1
    /// apart); otherwise tile rows are packed back to back and the output gradient is copied out the same way with
    /// zeros between rows, so each tile is one long run of pixels and its horizontal sums are paid once per tile.
    static func backwardWeightStride1(go: UnsafePointer<Float>, x: UnsafePointer<Float>, g: ConvGeometry,
                                      gw: UnsafeMutablePointer<Float>) {
        let hout = g.outHeight, wout = g.outWidth
        let rowLength = wout + g.kernelWidth - 1
        let (cin, cout) = (g.inChannels, g.outChannels)
        let coChunk = 32
        let coTasks = (cout + coChunk - 1) / coChunk
        // Pieces of up to 32 input x 32 output channels: the output-gradient tile is copied once per input-channel
        // block, so wide blocks copy it least (32 vs 8: +8-30% measured). Narrower blocks where 32 would leave
        // fewer than 8 pieces, for two workers (a choice from the shape, never from the thread count).
        let widest = [32, 16].first { (cin + $0 - 1) / $0 * coTasks >= 8 } ?? 8
        let plan = ConvTile(g, tileRows: max(1, wgradPixels / rowLength), budgetBytes: 512 * 1024, maxChannels: widest, tight: true)
        let taps = g.kernelHeight * g.kernelWidth
        let ciTasks = (cin + plan.channelBlock - 1) / plan.channelBlock
        let rowTiles = (hout + plan.tileRows - 1) / plan.tileRows
        let inPlace = wout % 8 == 0 && cout % 4 == 0
        let goPlane = inPlace ? 0 : (plan.tileRows * rowLength + 7) / 8 * 8
        let imageSize = cin * g.height * g.width
        Parallel.forEach(ciTasks * coTasks) { task in
            let piece = WeightGradPiece(task: task, plan: plan, coChunk: coChunk, taps: taps) { $0 * goPlane }
            defer { piece.deallocate() }
            let (c0, kc, co0, nco, tile, goTile) = (piece.c0, piece.kc, piece.co0, piece.nco, piece.tile, piece.goTile)
            for n in 0..<g.batch {
                for rt in 0..<rowTiles {
                    let oh0 = rt * plan.tileRows, rowsHere = min(plan.tileRows, hout - oh0)
                    plan.pack(image: x + n * imageSize, c0: c0, kc: kc, oh0: oh0, into: tile)
                    if inPlace {
                        piece.accumulate(g: go + ((n * cout + co0) * hout + oh0) * wout, gChannelStride: hout * wout,
                                         gRowStride: wout, xRowStride: rowLength, rows: rowsHere, chunks: wout / 8)
                        continue
                    }
                    let flat = (rowsHere * rowLength + 7) / 8 * 8
                    for co in 0..<nco {
                        let d = goTile + co * goPlane
                        for r in 0..<rowsHere {
                            (d + r * rowLength).update(from: go + ((n * cout + co0 + co) * hout + oh0 + r) * wout, count: wout)
                            (d + r * rowLength + wout).update(repeating: 0, count: rowLength - wout)
                        }
                        (d + rowsHere * rowLength).update(repeating: 0, count: flat - rowsHere * rowLength)
                    }
                    piece.accumulate(g: goTile, gChannelStride: goPlane, gRowStride: 0, xRowStride: 0, rows: 1, chunks: flat / 8)
                }
            }
            piece.store(into: gw, taps: taps, inChannels: cin)
        }
    }
}
