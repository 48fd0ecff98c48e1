import WXCore

/// 2-D convolution of NCHW float32 tensors (cross-correlation, as PyTorch's `conv2d`), with
/// per-axis globe paddings, fused bias and activation, and its backward passes.
///
/// The kernels pack cache-sized tiles of input rows (applying the padding while packing) and run a
/// 6x16 register-blocked SIMD8 micro-kernel over them; work is cut into pieces that do not depend on
/// the thread count (taken by `Parallel.threads` workers), so results are the same bits at any count.
public enum Conv2D {
    /// Output rows per packed tile (fixed: the partition must not depend on the thread count).
    static let tileRows = 4
    /// Bytes one packed input tile may take (three quarters of the 512 KiB L2 of a Zen 3 core).
    static let tileBudget = 384 * 1024
    /// Input channels per pass of the forward kernel, so that one 16-pixel input panel (kc x kh rows)
    /// stays in L1 and the weights of all output channels for kc inputs stay in L2.
    /// (Measured on the Zen 3: 32 beats 16, 24, 48, 64 and 128.)
    static let forwardChannelBlock = 32

    /// out[n, co, y, x] = act(bias[co] + sum_{ci, a, b} weight[co, ci, a, b] * pad(input)[n, ci, s*y + a, s*x + b])
    /// + residual[n, co, y, x].
    ///
    /// input [N, Cin, H, W], weight [Cout, Cin, kh, kw], bias [Cout] or nil, residual [N, Cout, Hout, Wout] or nil;
    /// returns [N, Cout, Hout, Wout]. The residual is added after the activation, in the epilogue: the same bits as
    /// `Elementwise.add` of the output without it, and no pass of its own.
    /// `algorithm` `.automatic` runs Winograd F(4x4, 3x3) for the 3x3 stride-1 convolutions it suits (see
    /// `Winograd4x4`; `.winograd2x2` F(2x2, 3x3)), with `winograd`'s transform when it was made from this `weight`
    /// (the same storage) for the same algorithm, else one made here.
    public static func forward(_ input: Tensor, weight: Tensor, bias: Tensor? = nil, stride: Int = 1,
                               padding: ConvPadding = .none, activation: ConvActivation = .none,
                               algorithm: ConvAlgorithm = .automatic, residual: Tensor? = nil,
                               winograd: WinogradWeights? = nil) throws -> Tensor {
        let g = try ConvGeometry(inputShape: input.shape, weightShape: weight.shape, stride: stride, padding: padding)
        if let b = bias, b.shape != [g.outChannels] {
            throw ConvError.shapeMismatch(operand: "bias", detail: "expected [\(g.outChannels)], got \(b.shape)")
        }
        if let r = residual, r.shape != g.outputShape {
            throw ConvError.shapeMismatch(operand: "residual", detail: "expected \(g.outputShape), got \(r.shape)")
        }
        // Every output element is stored (the first input-channel pass stores, later ones add), so no zero fill.
        return Tensor(unsafeUninitializedShape: g.outputShape) { buf in
            let out = ConvOutput(base: buf.baseAddress!, imageStride: g.outChannels * g.outHeight * g.outWidth,
                                 channelStride: g.outHeight * g.outWidth, rowStride: g.outWidth, colStride: 1,
                                 residual: residual.map { UnsafePointer($0.storage.pointer) })
            if let (kind, plan) = WinogradKind.choose(algorithm, g, out: out) {
                if let winograd, winograd.kind == kind, winograd.weight.storage === weight.storage {
                    kind.forward(x: input.storage.pointer, g: g, plan: plan, u: winograd.u, bias: bias?.storage.pointer,
                                 activation: activation, out: out)
                    return
                }
                let u = kind.transformWeights(forward: weight.storage.pointer, cin: g.inChannels, cout: g.outChannels)
                defer { u.deallocate() }
                kind.forward(x: input.storage.pointer, g: g, plan: plan, u: u, bias: bias?.storage.pointer,
                             activation: activation, out: out)
                return
            }
            let packed = packWeights(weight.storage.pointer, cout: g.outChannels, cin: g.inChannels,
                                     taps: g.kernelHeight * g.kernelWidth, mr: microTile(g).mr)
            defer { packed.deallocate() }
            forwardCore(x: input.storage.pointer, g: g, packedWeights: packed, bias: bias?.storage.pointer,
                        activation: activation, out: out)
        }
    }

    /// Packs weights [cout][cin][taps] as [cout/mr blocks][cin][taps][mr], zero-filling the last block; one worker
    /// per block, each writing its block in order.
    static func packWeights(_ w: UnsafePointer<Float>, cout: Int, cin: Int, taps: Int, mr: Int) -> UnsafeMutablePointer<Float> {
        let blocks = (cout + mr - 1) / mr
        let p = UnsafeMutablePointer<Float>.allocate(capacity: blocks * cin * taps * mr)
        Parallel.forEach(blocks) { b in
            var dst = p + b * cin * taps * mr
            for ci in 0..<cin {
                for t in 0..<taps {
                    for r in 0..<mr {
                        let co = b * mr + r
                        dst[r] = co < cout ? w[(co * cin + ci) * taps + t] : 0
                    }
                    dst += mr
                }
            }
        }
        return p
    }

    /// The register block for `g`: 6 channels x 16 pixels (with a 12x8 row tail), or 4 x 24 where that
    /// computes fewer padded outputs (e.g. 32 channels, or rows of 24, 48, 96 or 360 pixels); with AVX-512, where
    /// it takes fewer FMA instructions.
    static func microTile(_ g: ConvGeometry) -> (mr: Int, nr: Int) {
        let cout = g.outChannels, wout = g.outWidth
        let blocks6 = (cout + 5) / 6
        let rem = wout % 16
        #if WXENS_AVX512
        // In FMA instructions per (channel, tap) step: 6x16 is one zmm per channel (a last block of at most 4 channels
        // runs 4x16), 4x24 a zmm and a ymm per channel, and the 12x8 tail one ymm per channel.
        let rows6 = cout - (blocks6 - 1) * 6 <= 4 ? (blocks6 - 1) * 6 + 4 : blocks6 * 6
        var work6 = rows6 * (wout / 16)
        if rem > 8 { work6 += rows6 } else if rem > 0 { work6 += (blocks6 + 1) / 2 * 12 }
        let work4 = (cout + 3) / 4 * 4 * ((wout + 23) / 24) * 2
        #else
        var work6 = blocks6 * 6 * (wout / 16 * 16)
        if rem > 8 { work6 += blocks6 * 6 * 16 } else if rem > 0 { work6 += (blocks6 + 1) / 2 * 12 * 8 }
        let work4 = (cout + 3) / 4 * 4 * ((wout + 23) / 24 * 24)
        #endif
        return work4 < work6 ? (4, 24) : (6, 16)
    }

    /// The forward convolution on raw buffers: x is [N][Cin][H][W] contiguous; results go to `out`.
    ///
    /// One piece is one image x `tileRows` output rows; for each block of `forwardChannelBlock` input channels it
    /// packs the input rows once and runs the register blocks over (row, pixel block, output-channel block), each
    /// block adding its partial sums straight into the output (scratch only for edge blocks).
    static func forwardCore(x: UnsafePointer<Float>, g: ConvGeometry, packedWeights: UnsafePointer<Float>,
                            bias: UnsafePointer<Float>?, activation: ConvActivation, out: ConvOutput) {
        let (mr, nr) = microTile(g)
        let plan = ConvTile(g, tileRows: tileRows, budgetBytes: tileBudget, maxChannels: forwardChannelBlock, blockWidth: nr)
        let hout = g.outHeight, wout = g.outWidth, cout = g.outChannels
        let rowTiles = (hout + plan.tileRows - 1) / plan.tileRows
        let taps = g.kernelHeight * g.kernelWidth
        let coBlocks = (cout + mr - 1) / mr
        let imageSize = g.inChannels * g.height * g.width
        let finish = bias != nil || activation != .none || out.residual != nil
        Parallel.forEach(g.batch * rowTiles, perWorker: { ForwardBuffers(plan: plan, taps: taps) }) { buf, task in
            let n = task / rowTiles, oh0 = (task % rowTiles) * plan.tileRows
            let rowsHere = min(plan.tileRows, hout - oh0)
            let tile = buf.tile, scratch = buf.scratch, offs = buf.offsets
            for r in 0..<rowsHere { plan.tapOffsets(row: r, into: offs + r * taps) }
            // A row tail of at most 8 pixels: two 6-channel blocks at a time, 8 pixels wide, through scratch.
            func tail(r: Int, ow0: Int, nv: Int, kc: Int, c0: Int, first: Bool, last: Bool) {
                var o = 0
                while o < nv {
                    let pv = min(8, nv - o)
                    var cb = 0
                    while cb < coBlocks {
                        let cb1 = min(cb + 1, coBlocks - 1)
                        ConvMicroKernel.forward12x8(tile: tile + ow0 + o, offsets: offs + r * taps, taps: taps, channels: kc,
                                                    cinStride: plan.channelStride,
                                                    w0: packedWeights + (cb * g.inChannels + c0) * taps * mr,
                                                    w1: packedWeights + (cb1 * g.inChannels + c0) * taps * mr,
                                                    out: scratch)
                        out.write(scratch, rowStride: 8, image: n, channel: cb * mr, row: oh0 + r, col: ow0 + o,
                                  channels: min(2 * mr, cout - cb * mr), pixels: pv, first: first, last: last,
                                  bias: bias, activation: activation)
                        cb += 2
                    }
                    o += 8
                }
            }
            var c0 = 0
            while c0 < g.inChannels {
                let kc = min(plan.channelBlock, g.inChannels - c0)
                plan.pack(image: x + n * imageSize, c0: c0, kc: kc, oh0: oh0, into: tile)
                let first = c0 == 0, last = c0 + kc >= g.inChannels
                for r in 0..<rowsHere {
                    var ow0 = 0
                    while ow0 < wout {
                        let nv = min(nr, wout - ow0)
                        if nr == 16 && nv <= 8 {
                            tail(r: r, ow0: ow0, nv: nv, kc: kc, c0: c0, first: first, last: last)
                            ow0 += nr
                            continue
                        }
                        for cb in 0..<coBlocks {
                            let mv = min(mr, cout - cb * mr)
                            let w = packedWeights + (cb * g.inChannels + c0) * taps * mr
                            // A last 6x16 block of at most 4 channels runs the 4x16 block (no work on padding channels).
                            let narrow = nr == 16 && mv <= 4
                            let full = (mv == mr || (narrow && mv == 4)) && nv == nr && out.colStride == 1
                            let d = full ? out.pointer(image: n, channel: cb * mr, row: oh0 + r, col: ow0) : scratch
                            let ds = full ? out.channelStride : nr
                            if narrow {
                                ConvMicroKernel.forward4x16(tile: tile + ow0, offsets: offs + r * taps, taps: taps, channels: kc,
                                                            cinStride: plan.channelStride, w: w, wStride: mr, out: d, outStride: ds,
                                                            accumulate: full && !first)
                            } else if nr == 24 {
                                ConvMicroKernel.forward4x24(tile: tile + ow0, offsets: offs + r * taps, taps: taps, channels: kc,
                                                            cinStride: plan.channelStride, w: w, out: d, outStride: ds,
                                                            accumulate: full && !first)
                            } else {
                                ConvMicroKernel.forward6x16(tile: tile + ow0, offsets: offs + r * taps, taps: taps, channels: kc,
                                                            cinStride: plan.channelStride, w: w, out: d, outStride: ds,
                                                            accumulate: full && !first)
                            }
                            if !full {
                                out.write(scratch, rowStride: nr, image: n, channel: cb * mr, row: oh0 + r, col: ow0,
                                          channels: mv, pixels: nv, first: first, last: last, bias: bias, activation: activation)
                            } else if last && finish {
                                out.finish(d, channel: cb * mr, channels: mv, pixels: nr, bias: bias, activation: activation)
                            }
                        }
                        ow0 += nr
                    }
                }
                c0 += kc
            }
        }
    }
}

/// The per-worker buffers of `Conv2D.forwardCore`, allocated once per worker and call, not per piece.
final class ForwardBuffers {
    /// One packed input tile.
    let tile: UnsafeMutablePointer<Float>
    /// One register block's results (edge blocks).
    let scratch: UnsafeMutablePointer<Float>
    /// Tap offsets of every output row of a tile.
    let offsets: UnsafeMutablePointer<Int>

    init(plan: ConvTile, taps: Int) {
        tile = ConvBuffer.tile(plan.floats)
        scratch = ConvBuffer.floats(96)
        offsets = UnsafeMutablePointer<Int>.allocate(capacity: taps * plan.tileRows)
    }

    deinit { tile.deallocate(); scratch.deallocate(); offsets.deallocate() }
}

/// Where a convolution writes its results: strides of image, channel, row and column.
struct ConvOutput {
    let base: UnsafeMutablePointer<Float>
    let imageStride: Int
    let channelStride: Int
    let rowStride: Int
    let colStride: Int
    /// Added to every output after the bias and activation, laid out as the output (nil: nothing added).
    var residual: UnsafePointer<Float>? = nil

    /// Address of output element (image, channel, row, col).
    @inline(__always)
    func pointer(image n: Int, channel co: Int, row: Int, col: Int) -> UnsafeMutablePointer<Float> {
        base + n * imageStride + co * channelStride + row * rowStride + col * colStride
    }

    /// The residual element matching output address `d`, if there is a residual.
    @inline(__always)
    func residual(at d: UnsafeMutablePointer<Float>) -> UnsafePointer<Float>? {
        residual.map { $0 + (d - base) }
    }

    /// Epilogue of an edge block held in scratch (rows `sr` apart): the first channel pass stores, later ones add;
    /// the last adds the bias, applies the activation and adds the residual.
    @inline(__always)
    func write(_ s: UnsafeMutablePointer<Float>, rowStride sr: Int, image n: Int, channel co0: Int, row: Int, col: Int,
               channels mv: Int, pixels nv: Int, first: Bool, last: Bool,
               bias: UnsafePointer<Float>?, activation: ConvActivation) {
        for i in 0..<mv {
            let d = pointer(image: n, channel: co0 + i, row: row, col: col)
            let src = s + i * sr
            let b: Float = bias?[co0 + i] ?? 0
            let r = last ? residual(at: d) : nil
            if colStride == 1 {
                for p in 0..<nv {
                    var v = src[p] + (first ? 0 : d[p])
                    if last { v = activation.apply(v + b) }
                    if let r { v += r[p] }
                    d[p] = v
                }
            } else {
                for p in 0..<nv {
                    var v = src[p] + (first ? 0 : d[p * colStride])
                    if last { v = activation.apply(v + b) }
                    if let r { v += r[p * colStride] }
                    d[p * colStride] = v
                }
            }
        }
    }

    /// Bias, activation and residual of a full block already summed in place at `d` (channels `channelStride` apart,
    /// colStride 1).
    @inline(__always)
    func finish(_ d: UnsafeMutablePointer<Float>, channel co0: Int, channels mv: Int, pixels nv: Int,
                bias: UnsafePointer<Float>?, activation: ConvActivation) {
        for i in 0..<mv {
            let row = d + i * channelStride
            let b: Float = bias?[co0 + i] ?? 0
            if let r = residual(at: row) {
                for p in 0..<nv { row[p] = activation.apply(row[p] + b) + r[p] }
            } else {
                for p in 0..<nv { row[p] = activation.apply(row[p] + b) }
            }
        }
    }
}
