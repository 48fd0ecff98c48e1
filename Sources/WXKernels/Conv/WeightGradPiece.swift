/// One fixed piece of the weight gradient: `kc` input channels from `c0` by `nco` output channels from `co0`.
///
/// Holds the piece's packed input tile, its output-gradient tile and the vector accumulators of the 4x3
/// micro-kernel, with the tile offset of every (input channel, tap) column. Each piece sums over all images and
/// pixels in index order and sums its lanes once at the end, which is what makes the gradient the same bits at any
/// thread count.
struct WeightGradPiece {
    let c0: Int, kc: Int, co0: Int, nco: Int
    /// (input channel, tap) columns, and that count rounded up to the 3 columns of the micro-kernel.
    let nct: Int, nctPad: Int
    let tile: UnsafeMutablePointer<Float>
    let goTile: UnsafeMutablePointer<Float>
    let acc: UnsafeMutablePointer<Float>
    let ctOffs: UnsafeMutablePointer<Int>

    /// The piece `task` of `plan`'s channel blocks by `coChunk` output channels; `goFloats(ncoPad)` sizes the
    /// output-gradient tile for `ncoPad` (output channels rounded up to 4).
    init(task: Int, plan: ConvTile, coChunk: Int, taps: Int, goFloats: (Int) -> Int) {
        let (cin, cout) = (plan.g.inChannels, plan.g.outChannels)
        let coTasks = (cout + coChunk - 1) / coChunk
        c0 = (task / coTasks) * plan.channelBlock
        kc = min(plan.channelBlock, cin - c0)
        co0 = (task % coTasks) * coChunk
        nco = min(coChunk, cout - co0)
        nct = kc * taps
        nctPad = (nct + 2) / 3 * 3
        let ncoPad = (nco + 3) / 4 * 4
        tile = ConvBuffer.floats(plan.floats)
        goTile = ConvBuffer.floats(goFloats(ncoPad))
        acc = ConvBuffer.floats((ncoPad / 4) * (nctPad / 3) * 96)
        ctOffs = .allocate(capacity: nctPad)
        let tapOffs = UnsafeMutablePointer<Int>.allocate(capacity: taps)
        defer { tapOffs.deallocate() }
        plan.tapOffsets(row: 0, into: tapOffs)
        for c in 0..<kc { for t in 0..<taps { ctOffs[c * taps + t] = c * plan.channelStride + tapOffs[t] } }
        for k in nct..<nctPad { ctOffs[k] = 0 }
    }

    /// Frees the piece's buffers.
    func deallocate() {
        tile.deallocate(); goTile.deallocate(); acc.deallocate(); ctOffs.deallocate()
    }

    /// Adds output gradient times input over `rows` x `chunks`*8 pixels of the current tiles into the accumulators;
    /// the output gradient of the piece's first channel starts at `g` (its tile `goTile`, or the tensor itself),
    /// channels `gChannelStride` apart.
    @inline(__always)
    func accumulate(g: UnsafePointer<Float>, gChannelStride: Int, gRowStride: Int, xRowStride: Int, rows: Int, chunks: Int) {
        var cb = 0
        while cb < nco {
            var j = 0
            while j < nct {
                ConvMicroKernel.weightGrad4x3(
                    g: g + cb * gChannelStride, gChannelStride: gChannelStride, gRowStride: gRowStride,
                    x0: tile + ctOffs[j], x1: tile + ctOffs[j + 1], x2: tile + ctOffs[j + 2],
                    xRowStride: xRowStride, rows: rows, chunks: chunks,
                    acc: acc + ((cb / 4) * (nctPad / 3) + j / 3) * 96)
                j += 3
            }
            cb += 4
        }
    }

    /// Sums the accumulators' lanes, in a fixed order, into the piece's block of `gw` [Cout][Cin][taps].
    func store(into gw: UnsafeMutablePointer<Float>, taps: Int, inChannels cin: Int) {
        for co in 0..<nco {
            let d = gw + (co0 + co) * cin * taps + c0 * taps
            for j in 0..<nct {
                let v = acc + ((co / 4) * (nctPad / 3) + j / 3) * 96 + ((co % 4) * 3 + j % 3) * 8
                d[j] = ConvMicroKernel.load(v).sum()
            }
        }
    }
}
