import WXCore

/// Winograd F(2x2, 3x3) for 3x3 stride-1 convolutions (Lavin & Gray 2016, "Fast Algorithms for Convolutional
/// Neural Networks"): each 2x2 block of outputs comes from a 4x4 input patch with 16 multiplies per
/// (input channel, output channel) instead of 36, as Y = A^T [(G g G^T) .* (B^T d B)] A.
///
/// A piece is one image x `tileRows` output rows (as the direct kernel). Its input rows are packed once with the
/// padding applied (`ConvTile`); then, for each block of 16 tiles along a tile row (or a group of up to four blocks,
/// for large channel counts), the input transform fills V[xi][ci][16], 16 GEMMs M[xi] = U[xi] V[xi] run on the 6x16
/// GEMM micro-kernel (K = Cin), and the output transform writes the 2x2 blocks with bias and activation.
/// The sums over input channels run in index order, so the result is the same bits at any thread count.
enum Winograd {
    /// Output rows per piece: two rows of 2x2 tiles.
    static let tileRows = 4
    /// Tiles per GEMM column block (two SIMD8 vectors).
    static let blockTiles = 16
    /// Output channels per GEMM pass, so that M (16 x chunk x 16 floats, 24 KiB) stays in L1 (measured best of 24, 48, 96).
    static let channelChunk = 24
    /// Fewest input and output channels for which the transforms cost less than the multiplies they save
    /// (measured: 32 x 32 gains, 16 -> 64 and 64 -> 16 lose).
    static let minChannels = 32
    /// Above this Cin * Cout (transformed weights over 256 KiB, half the L2), up to four 16-tile blocks share each pass
    /// over them (measured at 2 threads: up to +30% at 256 and +10% at 128 channels, -3-8% at 64 where U stays in L2).
    static let groupAbove = 64 * 64
    /// With AVX-512, above this Cin * Cout two 16-tile blocks share each pass over U (the two-panel GEMM kernel).
    static let pairAbove = 32 * 32
    /// Bytes the packed input rows of a piece may take (all input channels at once).
    static let tileBudget = 320 * 1024

    /// The packing plan when `g` can run as F(2x2, 3x3) into `out`, else nil (other kernels or strides, strided
    /// output columns, or too many input channels to pack a piece's rows at once).
    static func plan(_ g: ConvGeometry, out: ConvOutput) -> ConvTile? {
        guard g.kernelHeight == 3, g.kernelWidth == 3, g.strideHeight == 1, g.strideWidth == 1, out.colStride == 1,
              g.inChannels >= minChannels, g.outChannels >= minChannels else { return nil }
        // Rows padded to whole 32-pixel blocks (16 tiles) plus the 2-column halo that the last block reads.
        // Whole 4-row tiles even for outputs of 1-3 rows: the input transform reads 4 packed rows per tile row.
        let plan = ConvTile(g, tileRows: tileRows, budgetBytes: tileBudget, blockWidth: 2 * blockTiles, fullRows: true)
        return plan.channelBlock == g.inChannels ? plan : nil
    }

    /// U[xi][cb][ci][6] = (G w G^T)[xi] for output channel 6*cb + r of weights w [cout][cin][3][3] as given to the
    /// forward pass; rows past `cout` are zero. G = [[1,0,0], [1/2,1/2,1/2], [1/2,-1/2,1/2], [0,0,1]].
    static func transformWeights(forward w: UnsafePointer<Float>, cin: Int, cout: Int) -> UnsafeMutablePointer<Float> {
        transformWeights(cin: cin, cout: cout) { co, ci in (w + (co * cin + ci) * 9, 1) }
    }

    /// U of the stride-1 backward-data pass of weights w [cout][cin][3][3]: the convolution of grad_output (cout
    /// channels) to grad_input (cin channels) with each kernel flipped, w'[ci][co][a][b] = w[co][ci][2-a][2-b].
    static func transformWeights(adjointOf w: UnsafePointer<Float>, cin: Int, cout: Int) -> UnsafeMutablePointer<Float> {
        transformWeights(cin: cout, cout: cin) { co, ci in (w + (ci * cin + co) * 9 + 8, -1) }
    }

    /// U[xi][cb][ci][6] from `kernel(co, ci)`: where the 3x3 kernel's tap 0 is and the step between its taps
    /// (row-major; -1 reads it flipped). One worker per 6-channel block, writing U in order (16 streams).
    @inline(__always)
    static func transformWeights(cin: Int, cout: Int,
                                 kernel: (Int, Int) -> (UnsafePointer<Float>, Int)) -> UnsafeMutablePointer<Float> {
        let blocks = (cout + 5) / 6
        let xiStride = blocks * cin * 6
        let u = UnsafeMutablePointer<Float>.allocate(capacity: 16 * xiStride)
        Parallel.forEach(blocks) { cb in
            for ci in 0..<cin {
                let dst = u + cb * cin * 6 + ci * 6
                for r in 0..<6 {
                    let co = cb * 6 + r
                    guard co < cout else {
                        for xi in 0..<16 { dst[xi * xiStride + r] = 0 }
                        continue
                    }
                    let (k, step) = kernel(co, ci)
                    // Gg (4 x 3, one column at a time), then (Gg) G^T (4 x 4), in Double: one rounding per value.
                    func column(_ c: Int) -> SIMD4<Double> {
                        let a = Double(k[c * step]), b = Double(k[(3 + c) * step]), d = Double(k[(6 + c) * step])
                        return SIMD4(a, (a + b + d) / 2, (a - b + d) / 2, d)
                    }
                    let a = column(0), b = column(1), d = column(2)
                    let cols = (a, (a + b + d) / 2, (a - b + d) / 2, d)
                    for row in 0..<4 {
                        dst[(4 * row) * xiStride + r] = Float(cols.0[row])
                        dst[(4 * row + 1) * xiStride + r] = Float(cols.1[row])
                        dst[(4 * row + 2) * xiStride + r] = Float(cols.2[row])
                        dst[(4 * row + 3) * xiStride + r] = Float(cols.3[row])
                    }
                }
            }
        }
        return u
    }

    /// The forward convolution on raw buffers (as `Conv2D.forwardCore`), for a geometry `plan(_:out:)` accepted.
    /// `u` holds the transformed weights (`transformWeights`).
    static func forward(x: UnsafePointer<Float>, g: ConvGeometry, plan: ConvTile, u: UnsafePointer<Float>,
                        bias: UnsafePointer<Float>?, activation: ConvActivation, out: ConvOutput) {
        let cin = g.inChannels, cout = g.outChannels, hout = g.outHeight, wout = g.outWidth
        // The input transform reads packed rows 0..<tileRows + 2 of every tile (a check that -Ounchecked keeps).
        if plan.rows != tileRows + 2 || plan.channelBlock != cin { fatalError("Winograd.forward needs a plan from Winograd.plan") }
        let coBlocks = (cout + 5) / 6
        let chunkBlocks = min(coBlocks, channelChunk / 6)
        let rowTiles = (hout + tileRows - 1) / tileRows
        let tilesAcross = (wout + 1) / 2
        let colBlocks = (tilesAcross + blockTiles - 1) / blockTiles
        let imageSize = cin * g.height * g.width
        // Large channel counts: several 16-tile blocks share each pass over U (16 * Cout * Cin floats, 1 MiB at 128 x 128,
        // which would otherwise stream from L3 once per 16 tiles); small ones keep one block, so V stays in L1/L2.
        #if WXENS_AVX512
        // Pairs of blocks run on the two-panel GEMM kernel: faster at 64 x 64 channels, no different at 32 x 32.
        let maxGroup = cin * cout > groupAbove ? 4 : cin * cout > pairAbove ? 2 : 1
        #else
        let maxGroup = cin * cout > groupAbove ? 4 : 1
        #endif
        let subBlocks = 2 * colBlocks
        let group = min(maxGroup, subBlocks)
        Parallel.forEach(g.batch * rowTiles, perWorker: {
            WinogradBuffers(tileFloats: plan.floats, vFloats: 16 * group * cin * blockTiles,
                            mFloats: 16 * group * chunkBlocks * 6 * blockTiles)
        }) { buf, task in
            let n = task / rowTiles, oh0 = (task % rowTiles) * tileRows
            let rowsHere = min(tileRows, hout - oh0)
            let blocksHere = (rowsHere + 1) / 2 * colBlocks
            plan.pack(image: x + n * imageSize, c0: 0, kc: cin, oh0: oh0, into: buf.tile)
            // Sub-block k is tile row k / colBlocks, tiles from 16 * (k % colBlocks).
            var k0 = 0
            while k0 < blocksHere {
                let gs = min(group, blocksHere - k0)
                for s in 0..<gs {
                    let k = k0 + s
                    inputTransform(plan: plan, tile: buf.tile, cin: cin, row: 2 * (k / colBlocks), col: 2 * blockTiles * (k % colBlocks),
                                   v: buf.v + s * cin * blockTiles, xiStride: gs * cin * blockTiles)
                }
                var cb0 = 0
                while cb0 < coBlocks {
                    let nb = min(chunkBlocks, coBlocks - cb0)
                    let channels = min(nb * 6, cout - cb0 * 6)
                    for s in 0..<gs {
                        let k = k0 + s, tr = k / colBlocks, tc0 = blockTiles * (k % colBlocks)
                        prefetchOutput(out, image: n, channels: cb0 * 6..<(cb0 * 6 + channels), row: oh0 + 2 * tr,
                                       rows: min(2, rowsHere - 2 * tr), col: 2 * tc0, cols: min(2 * blockTiles, wout - 2 * tc0))
                    }
                    multiply(u: u, v: buf.v, m: buf.m, cin: cin, coBlocks: coBlocks, cb0: cb0, nb: nb, group: gs)
                    for s in 0..<gs {
                        let k = k0 + s, tr = k / colBlocks, tc0 = blockTiles * (k % colBlocks)
                        outputTransform(m: buf.m + s * nb * 6 * blockTiles, xiStride: gs * nb * 6 * blockTiles, co0: cb0 * 6,
                                        channels: channels, image: n, row: oh0 + 2 * tr, rows: min(2, rowsHere - 2 * tr),
                                        col: 2 * tc0, cols: min(2 * blockTiles, wout - 2 * tc0),
                                        bias: bias, activation: activation, out: out)
                    }
                    cb0 += nb
                }
                k0 += gs
            }
        }
    }

    /// Asks for the output lines a block will write, before its GEMMs, so that the stores after them do not wait
    /// for each line to be read from memory.
    @inline(__always)
    static func prefetchOutput(_ out: ConvOutput, image n: Int, channels: Range<Int>, row: Int, rows: Int, col: Int, cols: Int) {
        for c in channels {
            for a in 0..<rows {
                let p = UnsafeRawPointer(out.pointer(image: n, channel: c, row: row + a, col: col))
                CachePrefetch.write(p)
                CachePrefetch.write(p + (cols - 1) * 4)
            }
        }
    }

    /// M[xi][s][b*6 + r][t] = sum_ci U[xi][cb0 + b][ci][r] * V[xi][s][ci][t] for the `points` transformed points xi
    /// (16 for F(2x2, 3x3), 36 for F(4x4, 3x3)), the `nb` output-channel blocks from cb0 and the `group` tile blocks s:
    /// GEMMs of (6 x Cin) x (Cin x 16) blocks on the GEMM micro-kernel, each U block used for every tile block while
    /// it is in L1; the sum over ci runs in index order.
    @inline(never)
    static func multiply(points: Int = 16, u: UnsafePointer<Float>, v: UnsafePointer<Float>, m: UnsafeMutablePointer<Float>,
                         cin: Int, coBlocks: Int, cb0: Int, nb: Int, group: Int) {
        for xi in 0..<points {
            for k in 0..<nb {
                let a = u + ((xi * coBlocks + cb0 + k) * cin) * 6
                #if WXENS_AVX512
                // Pairs of tile blocks share each broadcast of U (the same sums as one block at a time).
                var s0 = 0
                while s0 + 1 < group {
                    GemmMicroKernel.runPairAVX512(kc: cin, a: a, b0: v + (xi * group + s0) * cin * blockTiles,
                                                  b1: v + (xi * group + s0 + 1) * cin * blockTiles,
                                                  tile0: m + ((xi * group + s0) * nb + k) * 6 * blockTiles,
                                                  tile1: m + ((xi * group + s0 + 1) * nb + k) * 6 * blockTiles)
                    s0 += 2
                }
                #else
                let s0 = 0
                #endif
                for s in s0..<group {
                    GemmMicroKernel.run(kc: cin, a: a, b: v + (xi * group + s) * cin * blockTiles,
                                        tile: m + ((xi * group + s) * nb + k) * 6 * blockTiles)
                }
            }
        }
    }

    /// V[xi][ci][t] = (B^T d B)[xi] (V[xi] `xiStride` floats apart) for the 16 tiles whose 4x4 patches start at packed
    /// row `row`, column `col + 2t`, with B^T = [[1,0,-1,0], [0,1,1,0], [0,-1,1,0], [0,1,0,-1]]; eight tiles per SIMD8 lane set.
    @inline(never)
    static func inputTransform(plan: ConvTile, tile: UnsafePointer<Float>, cin: Int, row: Int, col: Int,
                               v: UnsafeMutablePointer<Float>, xiStride vs: Int) {
        #if WXENS_AVX512
        inputTransformAVX512(plan: plan, tile: tile, cin: cin, row: row, col: col, v: v, xiStride: vs)
        #else
        let rs = plan.rowStride, cs = plan.channelStride
        for ci in 0..<cin {
            for half in 0..<2 {
                let base = tile + ci * cs + row * rs + col + 16 * half
                // Column transform of each patch row: (d0 - d2, d1 + d2, d2 - d1, d1 - d3), eight tiles at a time.
                @inline(__always) func columns(_ i: Int) -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
                    let a = UnsafeRawPointer(base + i * rs).loadUnaligned(as: SIMD16<Float>.self)
                    let b = UnsafeRawPointer(base + i * rs + 2).loadUnaligned(as: SIMD16<Float>.self)
                    let d0 = a.evenHalf, d1 = a.oddHalf, d2 = b.evenHalf, d3 = b.oddHalf
                    return (d0 - d2, d1 + d2, d2 - d1, d1 - d3)
                }
                let r0 = columns(0), r1 = columns(1), r2 = columns(2), r3 = columns(3)
                let dst = v + ci * blockTiles + 8 * half
                // Then the same over the rows, for each of the four columns: xi = 4 * (row combination) + column.
                @inline(__always) func rowsOf(_ j: Int, _ x0: SIMD8<Float>, _ x1: SIMD8<Float>, _ x2: SIMD8<Float>, _ x3: SIMD8<Float>) {
                    ConvMicroKernel.store(x0 - x2, dst + j * vs)
                    ConvMicroKernel.store(x1 + x2, dst + (4 + j) * vs)
                    ConvMicroKernel.store(x2 - x1, dst + (8 + j) * vs)
                    ConvMicroKernel.store(x1 - x3, dst + (12 + j) * vs)
                }
                rowsOf(0, r0.0, r1.0, r2.0, r3.0)
                rowsOf(1, r0.1, r1.1, r2.1, r3.1)
                rowsOf(2, r0.2, r1.2, r2.2, r3.2)
                rowsOf(3, r0.3, r1.3, r2.3, r3.3)
            }
        }
        #endif
    }

    /// Y = A^T M A with A^T = [[1,1,1,0], [0,1,-1,-1]] for `channels` output channels from co0 (M[xi] `xiStride`
    /// floats apart, channels 16 apart), adding the bias and applying the activation; writes `rows` (1 or 2) x `cols` outputs.
    @inline(never)
    static func outputTransform(m: UnsafePointer<Float>, xiStride xs: Int, co0: Int, channels: Int, image n: Int,
                                row: Int, rows: Int, col: Int, cols: Int,
                                bias: UnsafePointer<Float>?, activation: ConvActivation, out: ConvOutput) {
        #if WXENS_AVX512
        outputTransformAVX512(m: m, xiStride: xs, co0: co0, channels: channels, image: n, row: row, rows: rows, col: col,
                              cols: cols, bias: bias, activation: activation, out: out)
        #else
        for c in 0..<channels {
            let b = bias?[co0 + c] ?? 0
            for half in 0..<2 {
                let c0 = 16 * half
                if c0 >= cols { break }
                let p = m + c * blockTiles + 8 * half
                // A^T M: s_a[j] for the two output rows a, columns j.
                @inline(__always) func column(_ j: Int) -> (SIMD8<Float>, SIMD8<Float>) {
                    let m0 = ConvMicroKernel.load(p + j * xs), m1 = ConvMicroKernel.load(p + (4 + j) * xs)
                    let m2 = ConvMicroKernel.load(p + (8 + j) * xs), m3 = ConvMicroKernel.load(p + (12 + j) * xs)
                    return (m0 + m1 + m2, m1 - m2 - m3)
                }
                let s0 = column(0), s1 = column(1), s2 = column(2), s3 = column(3)
                let width = min(16, cols - c0)
                let d = out.pointer(image: n, channel: co0 + c, row: row, col: col + c0)
                emit(s0.0 + s1.0 + s2.0 + b, s1.0 - s2.0 - s3.0 + b, to: d, width: width, activation: activation,
                     residual: out.residual(at: d))
                if rows == 2 {
                    emit(s0.1 + s1.1 + s2.1 + b, s1.1 - s2.1 - s3.1 + b, to: d + out.rowStride, width: width, activation: activation,
                         residual: out.residual(at: d + out.rowStride))
                }
            }
        }
        #endif
    }

    /// Stores one output row of eight 2x2 tiles: pixels 2t and 2t + 1 from lanes t of `even` and `odd`, plus the
    /// residual's (if any) after the activation.
    @inline(__always)
    static func emit(_ even: SIMD8<Float>, _ odd: SIMD8<Float>, to d: UnsafeMutablePointer<Float>, width: Int,
                     activation: ConvActivation, residual r: UnsafePointer<Float>?) {
        var y = SIMD16<Float>()
        for t in 0..<8 { y[2 * t] = even[t]; y[2 * t + 1] = odd[t] }
        if activation != .none {
            for k in 0..<16 { y[k] = activation.apply(y[k]) }
        }
        if width == 16 {
            if let r { y += UnsafeRawPointer(r).loadUnaligned(as: SIMD16<Float>.self) }
            UnsafeMutableRawPointer(d).storeBytes(of: y, as: SIMD16<Float>.self)
        } else if let r {
            for k in 0..<width { d[k] = y[k] + r[k] }
        } else {
            for k in 0..<width { d[k] = y[k] }
        }
    }
}

/// The per-worker buffers of `Winograd.forward`: packed input rows, transformed inputs V and GEMM results M.
final class WinogradBuffers {
    /// Packed input rows of one piece, all input channels.
    let tile: UnsafeMutablePointer<Float>
    /// V[xi][s][ci][16] of one group of tile blocks.
    let v: UnsafeMutablePointer<Float>
    /// M[xi][s][co][16] of one group of tile blocks and one chunk of output channels.
    let m: UnsafeMutablePointer<Float>

    init(tileFloats: Int, vFloats: Int, mFloats: Int) {
        tile = ConvBuffer.tile(tileFloats)
        v = ConvBuffer.floats(vFloats)
        m = ConvBuffer.floats(mFloats)
    }

    deinit { tile.deallocate(); v.deallocate(); m.deallocate() }
}
