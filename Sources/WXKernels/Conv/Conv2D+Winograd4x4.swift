import WXCore

/// Winograd F(4x4, 3x3) for 3x3 stride-1 convolutions (Lavin & Gray 2016): each 4x4 block of outputs comes from a
/// 6x6 input patch with 36 multiplies per (input channel, output channel) instead of 144, as
/// Y = A^T [(G g G^T) .* (B^T d B)] A with interpolation points 0, +-1, +-2 and infinity. Against F(2x2, 3x3)
/// (`Winograd`) it needs 2.25 instead of 4 multiplies per output, and its transformed inputs take 2.25 instead of 4
/// floats per output, at the cost of a few more roundings (coefficients up to 8 in the transforms).
///
/// A piece is one image x `tileRows` output rows: two rows of 4x4 tiles, packed once with the padding applied
/// (`ConvTile`). Each tile row is cut into half-blocks of 8 tiles (32 output columns), and consecutive half-blocks
/// of the piece (along a row, then into the next row) pair into the 16-tile blocks of the GEMM micro-kernel, so a
/// narrow image still fills its blocks. Per block (or group of blocks): the input transform fills V[xi][ci][16],
/// 36 GEMMs M[xi] = U[xi] V[xi] run as in `Winograd.multiply` (K = Cin, in index order, so the same bits at any
/// thread count), and the output transform writes the 4x4 tiles with bias, activation and residual.
enum Winograd4x4 {
    /// Transformed points per tile (6 x 6).
    static let points = 36
    /// Output rows per piece: two rows of 4x4 tiles.
    static let tileRows = 8
    /// Tiles per half-block (one SIMD8 lane set).
    static let halfTiles = 8
    /// Tiles per GEMM column block.
    static let blockTiles = 16
    /// Output channels per GEMM pass, so that M (36 x chunk x 16 floats) stays near L1.
    static let channelChunk = 12
    /// Above this Cin * Cout, up to `maxGroup` 16-tile blocks share each pass over U (36 * Cin * Cout floats).
    static let groupAbove = 32 * 32
    /// Most 16-tile blocks per pass over U.
    static let maxGroup = 2
    /// Bytes the packed input rows of a piece may take (all input channels at once).
    static let tileBudget = 640 * 1024

    /// The packing plan when `g` can run as F(4x4, 3x3) into `out`, else nil (as `Winograd.plan`).
    static func plan(_ g: ConvGeometry, out: ConvOutput) -> ConvTile? {
        guard g.kernelHeight == 3, g.kernelWidth == 3, g.strideHeight == 1, g.strideWidth == 1, out.colStride == 1,
              g.inChannels >= Winograd.minChannels, g.outChannels >= Winograd.minChannels else { return nil }
        // Rows padded to whole half-blocks (32 pixels) plus the halo the last one reads (columns up to 32k + 35).
        let plan = ConvTile(g, tileRows: tileRows, budgetBytes: tileBudget, blockWidth: 4 * halfTiles, fullRows: true)
        let halves = ((g.outWidth + 3) / 4 + halfTiles - 1) / halfTiles
        return plan.channelBlock == g.inChannels && plan.phaseLength >= 32 * halves + 4 ? plan : nil
    }

    /// U[xi][cb][ci][6] = (G w G^T)[xi] for output channel 6*cb + r of weights w [cout][cin][3][3]; rows past `cout`
    /// are zero. G = [[1/4,0,0], [-1/6,-1/6,-1/6], [-1/6,1/6,-1/6], [1/24,1/12,1/6], [1/24,-1/12,1/6], [0,0,1]].
    static func transformWeights(forward w: UnsafePointer<Float>, cin: Int, cout: Int) -> UnsafeMutablePointer<Float> {
        transformWeights(cin: cin, cout: cout) { co, ci in (w + (co * cin + ci) * 9, 1) }
    }

    /// U of the stride-1 backward-data pass of weights w [cout][cin][3][3] (the flipped, transposed kernels).
    static func transformWeights(adjointOf w: UnsafePointer<Float>, cin: Int, cout: Int) -> UnsafeMutablePointer<Float> {
        transformWeights(cin: cout, cout: cin) { co, ci in (w + (ci * cin + co) * 9 + 8, -1) }
    }

    /// U[xi][cb][ci][6] from `kernel(co, ci)` (tap 0 and the step between taps), in Double: one rounding per value.
    @inline(__always)
    static func transformWeights(cin: Int, cout: Int,
                                 kernel: (Int, Int) -> (UnsafePointer<Float>, Int)) -> UnsafeMutablePointer<Float> {
        let blocks = (cout + 5) / 6
        let xiStride = blocks * cin * 6
        let u = UnsafeMutablePointer<Float>.allocate(capacity: points * xiStride)
        // G applied to one 3-vector; lanes 6 and 7 are unused.
        @inline(__always) func g(_ a: Double, _ b: Double, _ d: Double) -> SIMD8<Double> {
            SIMD8(a / 4, -(a + b + d) / 6, -(a - b + d) / 6, a / 24 + b / 12 + d / 6, a / 24 - b / 12 + d / 6, d, 0, 0)
        }
        Parallel.forEach(blocks) { cb in
            for ci in 0..<cin {
                let dst = u + cb * cin * 6 + ci * 6
                for r in 0..<6 {
                    let co = cb * 6 + r
                    guard co < cout else {
                        for xi in 0..<points { dst[xi * xiStride + r] = 0 }
                        continue
                    }
                    let (k, step) = kernel(co, ci)
                    // G g: column c of the 6 x 3 product from column c of the kernel; then G over each of its rows.
                    let c0 = g(Double(k[0]), Double(k[3 * step]), Double(k[6 * step]))
                    let c1 = g(Double(k[step]), Double(k[4 * step]), Double(k[7 * step]))
                    let c2 = g(Double(k[2 * step]), Double(k[5 * step]), Double(k[8 * step]))
                    for i in 0..<6 {
                        let row = g(c0[i], c1[i], c2[i])
                        for j in 0..<6 { dst[(6 * i + j) * xiStride + r] = Float(row[j]) }
                    }
                }
            }
        }
        return u
    }

    /// The forward convolution on raw buffers, for a geometry `plan(_:out:)` accepted; `u` from `transformWeights`.
    static func forward(x: UnsafePointer<Float>, g: ConvGeometry, plan: ConvTile, u: UnsafePointer<Float>,
                        bias: UnsafePointer<Float>?, activation: ConvActivation, out: ConvOutput) {
        let cin = g.inChannels, cout = g.outChannels, hout = g.outHeight, wout = g.outWidth
        // The input transform reads packed rows 0..<tileRows + 2 (a check that -Ounchecked keeps).
        if plan.rows != tileRows + 2 || plan.channelBlock != cin { fatalError("Winograd4x4.forward needs a plan from Winograd4x4.plan") }
        let coBlocks = (cout + 5) / 6
        let chunkBlocks = min(coBlocks, channelChunk / 6)
        let pieces = (hout + tileRows - 1) / tileRows
        let halves = ((wout + 3) / 4 + halfTiles - 1) / halfTiles
        let imageSize = cin * g.height * g.width
        let most = cin * cout > groupAbove ? maxGroup : 1
        Parallel.forEach(g.batch * pieces, perWorker: {
            WinogradBuffers(tileFloats: plan.floats, vFloats: points * most * cin * blockTiles,
                            mFloats: points * most * chunkBlocks * 6 * blockTiles)
        }) { buf, task in
            let n = task / pieces, oh0 = (task % pieces) * tileRows
            let rowsHere = min(tileRows, hout - oh0)
            let halvesHere = (rowsHere + 3) / 4 * halves
            let blocksHere = (halvesHere + 1) / 2
            let group = min(most, blocksHere)
            plan.pack(image: x + n * imageSize, c0: 0, kc: cin, oh0: oh0, into: buf.tile)
            // Half-block h of the piece: tile row h / halves, output columns from 32 * (h % halves).
            var k0 = 0
            while k0 < blocksHere {
                let gs = min(group, blocksHere - k0)
                for s in 0..<gs {
                    for side in 0..<2 where 2 * (k0 + s) + side < halvesHere {
                        let h = 2 * (k0 + s) + side
                        inputTransform(plan: plan, tile: buf.tile, cin: cin, row: 4 * (h / halves), col: 32 * (h % halves),
                                       v: buf.v + s * cin * blockTiles + halfTiles * side, xiStride: gs * cin * blockTiles)
                    }
                }
                var cb0 = 0
                while cb0 < coBlocks {
                    let nb = min(chunkBlocks, coBlocks - cb0)
                    let channels = min(nb * 6, cout - cb0 * 6)
                    Winograd.multiply(points: points, u: u, v: buf.v, m: buf.m, cin: cin, coBlocks: coBlocks, cb0: cb0, nb: nb, group: gs)
                    for s in 0..<gs {
                        for side in 0..<2 where 2 * (k0 + s) + side < halvesHere {
                            let h = 2 * (k0 + s) + side, row = 4 * (h / halves), col = 32 * (h % halves)
                            outputTransform(m: buf.m + s * nb * 6 * blockTiles + halfTiles * side, xiStride: gs * nb * 6 * blockTiles,
                                            co0: cb0 * 6, channels: channels, image: n, row: oh0 + row, rows: min(4, rowsHere - row),
                                            col: col, cols: min(32, wout - col), bias: bias, activation: activation, out: out)
                        }
                    }
                    cb0 += nb
                }
                k0 += gs
            }
        }
    }

    /// V[xi][ci][t] = (B^T d B)[xi] (V[xi] `xiStride` floats apart, channels 16 apart) for the 8 tiles whose 6x6
    /// patches start at packed row `row`, column `col + 4t`, with B^T = [[4,0,-5,0,1,0], [0,-4,-4,1,1,0], [0,4,-4,-1,1,0],
    /// [0,-2,-1,2,1,0], [0,2,-1,-2,1,0], [0,4,0,-5,0,1]]; xi = 6 * (row combination) + column combination.
    @inline(never)
    static func inputTransform(plan: ConvTile, tile: UnsafePointer<Float>, cin: Int, row: Int, col: Int,
                               v: UnsafeMutablePointer<Float>, xiStride vs: Int) {
        typealias V = SIMD8<Float>
        let rs = plan.rowStride, cs = plan.channelStride
        for ci in 0..<cin {
            let base = tile + ci * cs + row * rs + col
            // Column j of the patches of tiles (0, 2, 4, 6, 1, 3, 5, 7), the lane order of V and M: the 4x4 transposes
            // of the 32 pixels from p (tile 2k in the low half of load k, tile 2k + 1 in its high half).
            @inline(__always) func split(_ p: UnsafePointer<Float>) -> (V, V, V, V) {
                SIMDLaneShuffle.transposeHalves(ConvMicroKernel.load(p), ConvMicroKernel.load(p + 8),
                                                ConvMicroKernel.load(p + 16), ConvMicroKernel.load(p + 24))
            }
            // The 1-D transform of each patch row over its columns 4t + j, eight tiles at a time.
            @inline(__always) func columns(_ i: Int) -> (V, V, V, V, V, V) {
                let p = base + i * rs
                let d = split(p), e = split(p + 4)
                return transform(d.0, d.1, d.2, d.3, e.0, e.1)
            }
            let r0 = columns(0), r1 = columns(1), r2 = columns(2), r3 = columns(3), r4 = columns(4), r5 = columns(5)
            let dst = v + ci * blockTiles
            // Then the same over the rows, for each column combination j.
            @inline(__always) func rowsOf(_ j: Int, _ d0: V, _ d1: V, _ d2: V, _ d3: V, _ d4: V, _ d5: V) {
                let t = transform(d0, d1, d2, d3, d4, d5)
                ConvMicroKernel.store(t.0, dst + j * vs)
                ConvMicroKernel.store(t.1, dst + (6 + j) * vs)
                ConvMicroKernel.store(t.2, dst + (12 + j) * vs)
                ConvMicroKernel.store(t.3, dst + (18 + j) * vs)
                ConvMicroKernel.store(t.4, dst + (24 + j) * vs)
                ConvMicroKernel.store(t.5, dst + (30 + j) * vs)
            }
            rowsOf(0, r0.0, r1.0, r2.0, r3.0, r4.0, r5.0)
            rowsOf(1, r0.1, r1.1, r2.1, r3.1, r4.1, r5.1)
            rowsOf(2, r0.2, r1.2, r2.2, r3.2, r4.2, r5.2)
            rowsOf(3, r0.3, r1.3, r2.3, r3.3, r4.3, r5.3)
            rowsOf(4, r0.4, r1.4, r2.4, r3.4, r4.4, r5.4)
            rowsOf(5, r0.5, r1.5, r2.5, r3.5, r4.5, r5.5)
        }
    }

    /// B^T d for one 6-vector d (each entry eight tiles' values).
    @inline(__always)
    static func transform(_ d0: SIMD8<Float>, _ d1: SIMD8<Float>, _ d2: SIMD8<Float>, _ d3: SIMD8<Float>,
                          _ d4: SIMD8<Float>, _ d5: SIMD8<Float>)
        -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
        let p = d4 - 4 * d2, q = d3 - 4 * d1, r = d4 - d2, s = 2 * (d3 - d1)
        return (4 * d0 - 5 * d2 + d4, p + q, p - q, r + s, r - s, 4 * d1 - 5 * d3 + d5)
    }

    /// Y = A^T M A with A^T = [[1,1,1,1,1,0], [0,1,-1,2,-2,0], [0,1,1,4,4,0], [0,1,-1,8,-8,1]] for `channels` output
    /// channels from co0 (M[xi] `xiStride` floats apart, channels 16 apart, 8 tiles), adding the bias and applying the
    /// activation; writes `rows` (1-4) x `cols` (up to 32) outputs.
    @inline(never)
    static func outputTransform(m: UnsafePointer<Float>, xiStride xs: Int, co0: Int, channels: Int, image n: Int,
                                row: Int, rows: Int, col: Int, cols: Int,
                                bias: UnsafePointer<Float>?, activation: ConvActivation, out: ConvOutput) {
        typealias V = SIMD8<Float>
        @inline(__always) func reduce(_ m0: V, _ m1: V, _ m2: V, _ m3: V, _ m4: V, _ m5: V) -> (V, V, V, V) {
            let a = m1 + m2, b = m1 - m2, c = m3 + m4, d = m3 - m4
            return (m0 + a + c, b + 2 * d, a + 4 * c, b + 8 * d + m5)
        }
        for c in 0..<channels {
            let bv = V(repeating: bias?[co0 + c] ?? 0)
            let p = m + c * blockTiles
            // A^T M: s[j].a for output row a, transform column j.
            @inline(__always) func column(_ j: Int) -> (V, V, V, V) {
                reduce(ConvMicroKernel.load(p + j * xs), ConvMicroKernel.load(p + (6 + j) * xs),
                       ConvMicroKernel.load(p + (12 + j) * xs), ConvMicroKernel.load(p + (18 + j) * xs),
                       ConvMicroKernel.load(p + (24 + j) * xs), ConvMicroKernel.load(p + (30 + j) * xs))
            }
            let s0 = column(0), s1 = column(1), s2 = column(2), s3 = column(3), s4 = column(4), s5 = column(5)
            let d = out.pointer(image: n, channel: co0 + c, row: row, col: col)
            @inline(__always) func emitRow(_ a: Int, _ y: (V, V, V, V)) {
                let dr = d + a * out.rowStride
                emit(y.0 + bv, y.1 + bv, y.2 + bv, y.3 + bv, to: dr, width: cols, activation: activation, residual: out.residual(at: dr))
            }
            emitRow(0, reduce(s0.0, s1.0, s2.0, s3.0, s4.0, s5.0))
            if rows > 1 { emitRow(1, reduce(s0.1, s1.1, s2.1, s3.1, s4.1, s5.1)) }
            if rows > 2 { emitRow(2, reduce(s0.2, s1.2, s2.2, s3.2, s4.2, s5.2)) }
            if rows > 3 { emitRow(3, reduce(s0.3, s1.3, s2.3, s3.3, s4.3, s5.3)) }
        }
    }

    /// Stores one output row of eight 4x4 tiles: pixel 4t + b from `yb` (lanes in the tile order (0, 2, 4, 6, 1, 3,
    /// 5, 7) of V and M, which the transpose puts back in pixel order), plus the residual's (if any) after the
    /// activation; `width` (up to 32) pixels, eight at a time.
    @inline(__always)
    static func emit(_ y0: SIMD8<Float>, _ y1: SIMD8<Float>, _ y2: SIMD8<Float>, _ y3: SIMD8<Float>,
                     to d: UnsafeMutablePointer<Float>, width: Int, activation: ConvActivation, residual r: UnsafePointer<Float>?) {
        let o = SIMDLaneShuffle.transposeHalves(y0, y1, y2, y3)
        @inline(__always) func put(_ y: SIMD8<Float>, _ c0: Int) {
            var y = y
            if activation != .none {
                for k in 0..<8 { y[k] = activation.apply(y[k]) }
            }
            if c0 + 8 <= width {
                if let r { y += ConvMicroKernel.load(r + c0) }
                ConvMicroKernel.store(y, d + c0)
            } else {
                for k in 0..<(width - c0) { d[c0 + k] = y[k] + (r?[c0 + k] ?? 0) }
            }
        }
        put(o.0, 0)
        if width > 8 { put(o.1, 8) }
        if width > 16 { put(o.2, 16) }
        if width > 24 { put(o.3, 24) }
    }
}
