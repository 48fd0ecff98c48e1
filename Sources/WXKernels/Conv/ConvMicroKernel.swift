/// Register-blocked SIMD micro-kernels of the convolutions.
///
/// Written with portable `SIMD8<Float>`: with `-target-cpu` set to an AVX2+FMA CPU each
/// `fma` is one `vfmadd` on a ymm register; on other CPUs LLVM splits the vectors legally.
/// With `WXENS_AVX512` the hot kernels run their SIMD16 bodies (ConvMicroKernel+AVX512.swift) instead.
enum ConvMicroKernel {
    /// Output channels per register block of the forward kernel.
    static let mr = 6
    /// Output pixels per register block of the forward kernel (two SIMD8 vectors).
    static let nr = 16

    /// acc + a * b, fused where the target CPU has FMA (WXENS_FMA, set by Package.swift), else mul then add.
    @inline(__always)
    static func fma(_ acc: SIMD8<Float>, _ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
        #if WXENS_FMA
        return acc.addingProduct(a, b)
        #else
        return acc + a * b
        #endif
    }

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }

    @inline(__always)
    static func store(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
    }

    /// 6 output channels x 16 pixels: out[i*outStride + p] (+)= sum_c sum_t w[c][t][i] * tile[c*cinStride + offs[t] + p].
    ///
    /// `w` is packed [c][t][6]; with `accumulate` the block is added to what `out` holds, else it replaces it
    /// (`out` may be the output tensor itself, rows `outStride` apart, or a 6x16 scratch block).
    @inline(never)
    static func forward6x16(tile: UnsafePointer<Float>, offsets: UnsafePointer<Int>, taps: Int,
                            channels: Int, cinStride: Int, w: UnsafePointer<Float>,
                            out: UnsafeMutablePointer<Float>, outStride: Int, accumulate: Bool) {
        #if WXENS_AVX512
        forward6x16AVX512(tile: tile, offsets: offsets, taps: taps, channels: channels, cinStride: cinStride, w: w,
                          out: out, outStride: outStride, accumulate: accumulate)
        #else
        var a00 = SIMD8<Float>(), a01 = SIMD8<Float>()
        var a10 = SIMD8<Float>(), a11 = SIMD8<Float>()
        var a20 = SIMD8<Float>(), a21 = SIMD8<Float>()
        var a30 = SIMD8<Float>(), a31 = SIMD8<Float>()
        var a40 = SIMD8<Float>(), a41 = SIMD8<Float>()
        var a50 = SIMD8<Float>(), a51 = SIMD8<Float>()
        var wp = w
        var tc = tile
        for _ in 0..<channels {
            for t in 0..<taps {
                let p = tc + offsets[t]
                let x0 = load(p), x1 = load(p + 8)
                var b = SIMD8<Float>(repeating: wp[0])
                a00 = fma(a00, x0, b); a01 = fma(a01, x1, b)
                b = SIMD8<Float>(repeating: wp[1])
                a10 = fma(a10, x0, b); a11 = fma(a11, x1, b)
                b = SIMD8<Float>(repeating: wp[2])
                a20 = fma(a20, x0, b); a21 = fma(a21, x1, b)
                b = SIMD8<Float>(repeating: wp[3])
                a30 = fma(a30, x0, b); a31 = fma(a31, x1, b)
                b = SIMD8<Float>(repeating: wp[4])
                a40 = fma(a40, x0, b); a41 = fma(a41, x1, b)
                b = SIMD8<Float>(repeating: wp[5])
                a50 = fma(a50, x0, b); a51 = fma(a51, x1, b)
                wp += 6
            }
            tc += cinStride
        }
        let o0 = out, o1 = out + outStride, o2 = out + 2 * outStride
        let o3 = out + 3 * outStride, o4 = out + 4 * outStride, o5 = out + 5 * outStride
        if accumulate {
            a00 += load(o0); a01 += load(o0 + 8); a10 += load(o1); a11 += load(o1 + 8)
            a20 += load(o2); a21 += load(o2 + 8); a30 += load(o3); a31 += load(o3 + 8)
            a40 += load(o4); a41 += load(o4 + 8); a50 += load(o5); a51 += load(o5 + 8)
        }
        store(a00, o0); store(a01, o0 + 8); store(a10, o1); store(a11, o1 + 8)
        store(a20, o2); store(a21, o2 + 8); store(a30, o3); store(a31, o3 + 8)
        store(a40, o4); store(a41, o4 + 8); store(a50, o5); store(a51, o5 + 8)
        #endif
    }

    /// 4 output channels x 16 pixels, for the last block of a 6x16 layout when it holds at most 4 channels:
    /// reads the first 4 of every `wStride` packed weights. `out`, `outStride`, `accumulate` as in `forward6x16`.
    @inline(never)
    static func forward4x16(tile: UnsafePointer<Float>, offsets: UnsafePointer<Int>, taps: Int,
                            channels: Int, cinStride: Int, w: UnsafePointer<Float>, wStride: Int,
                            out: UnsafeMutablePointer<Float>, outStride: Int, accumulate: Bool) {
        #if WXENS_AVX512
        forward4x16AVX512(tile: tile, offsets: offsets, taps: taps, channels: channels, cinStride: cinStride, w: w,
                          wStride: wStride, out: out, outStride: outStride, accumulate: accumulate)
        #else
        var a00 = SIMD8<Float>(), a01 = SIMD8<Float>()
        var a10 = SIMD8<Float>(), a11 = SIMD8<Float>()
        var a20 = SIMD8<Float>(), a21 = SIMD8<Float>()
        var a30 = SIMD8<Float>(), a31 = SIMD8<Float>()
        var wp = w
        var tc = tile
        for _ in 0..<channels {
            for t in 0..<taps {
                let p = tc + offsets[t]
                let x0 = load(p), x1 = load(p + 8)
                var b = SIMD8<Float>(repeating: wp[0])
                a00 = fma(a00, x0, b); a01 = fma(a01, x1, b)
                b = SIMD8<Float>(repeating: wp[1])
                a10 = fma(a10, x0, b); a11 = fma(a11, x1, b)
                b = SIMD8<Float>(repeating: wp[2])
                a20 = fma(a20, x0, b); a21 = fma(a21, x1, b)
                b = SIMD8<Float>(repeating: wp[3])
                a30 = fma(a30, x0, b); a31 = fma(a31, x1, b)
                wp += wStride
            }
            tc += cinStride
        }
        let o0 = out, o1 = out + outStride, o2 = out + 2 * outStride, o3 = out + 3 * outStride
        if accumulate {
            a00 += load(o0); a01 += load(o0 + 8); a10 += load(o1); a11 += load(o1 + 8)
            a20 += load(o2); a21 += load(o2 + 8); a30 += load(o3); a31 += load(o3 + 8)
        }
        store(a00, o0); store(a01, o0 + 8); store(a10, o1); store(a11, o1 + 8)
        store(a20, o2); store(a21, o2 + 8); store(a30, o3); store(a31, o3 + 8)
        #endif
    }

    /// 4 output channels x 24 pixels (three SIMD8 vectors), for channel counts that are multiples of 4
    /// and rows that are multiples of 24: out[i][p] = sum_c sum_t w[c][t][i] * tile[c*cinStride + offs[t] + p].
    ///
    /// `w` is packed [c][t][4]; `out`, `outStride` and `accumulate` as in `forward6x16` (a 4x24 block).
    @inline(never)
    static func forward4x24(tile: UnsafePointer<Float>, offsets: UnsafePointer<Int>, taps: Int,
                            channels: Int, cinStride: Int, w: UnsafePointer<Float>,
                            out: UnsafeMutablePointer<Float>, outStride: Int, accumulate: Bool) {
        #if WXENS_AVX512
        forward4x24AVX512(tile: tile, offsets: offsets, taps: taps, channels: channels, cinStride: cinStride, w: w,
                          out: out, outStride: outStride, accumulate: accumulate)
        #else
        var a00 = SIMD8<Float>(), a01 = SIMD8<Float>(), a02 = SIMD8<Float>()
        var a10 = SIMD8<Float>(), a11 = SIMD8<Float>(), a12 = SIMD8<Float>()
        var a20 = SIMD8<Float>(), a21 = SIMD8<Float>(), a22 = SIMD8<Float>()
        var a30 = SIMD8<Float>(), a31 = SIMD8<Float>(), a32 = SIMD8<Float>()
        var wp = w
        var tc = tile
        for _ in 0..<channels {
            for t in 0..<taps {
                let p = tc + offsets[t]
                let x0 = load(p), x1 = load(p + 8), x2 = load(p + 16)
                var b = SIMD8<Float>(repeating: wp[0])
                a00 = fma(a00, x0, b); a01 = fma(a01, x1, b); a02 = fma(a02, x2, b)
                b = SIMD8<Float>(repeating: wp[1])
                a10 = fma(a10, x0, b); a11 = fma(a11, x1, b); a12 = fma(a12, x2, b)
                b = SIMD8<Float>(repeating: wp[2])
                a20 = fma(a20, x0, b); a21 = fma(a21, x1, b); a22 = fma(a22, x2, b)
                b = SIMD8<Float>(repeating: wp[3])
                a30 = fma(a30, x0, b); a31 = fma(a31, x1, b); a32 = fma(a32, x2, b)
                wp += 4
            }
            tc += cinStride
        }
        let o0 = out, o1 = out + outStride, o2 = out + 2 * outStride, o3 = out + 3 * outStride
        if accumulate {
            a00 += load(o0); a01 += load(o0 + 8); a02 += load(o0 + 16)
            a10 += load(o1); a11 += load(o1 + 8); a12 += load(o1 + 16)
            a20 += load(o2); a21 += load(o2 + 8); a22 += load(o2 + 16)
            a30 += load(o3); a31 += load(o3 + 8); a32 += load(o3 + 16)
        }
        store(a00, o0); store(a01, o0 + 8); store(a02, o0 + 16)
        store(a10, o1); store(a11, o1 + 8); store(a12, o1 + 16)
        store(a20, o2); store(a21, o2 + 8); store(a22, o2 + 16)
        store(a30, o3); store(a31, o3 + 8); store(a32, o3 + 16)
        #endif
    }

    /// Tail of a row: 12 output channels (two packed 6-channel blocks `w0`, `w1`) x 8 pixels.
    ///
    /// `out` receives 96 floats, row-major 12x8 (rows 0-5 from `w0`, 6-11 from `w1`).
    @inline(never)
    static func forward12x8(tile: UnsafePointer<Float>, offsets: UnsafePointer<Int>, taps: Int,
                            channels: Int, cinStride: Int, w0: UnsafePointer<Float>, w1: UnsafePointer<Float>,
                            out: UnsafeMutablePointer<Float>) {
        var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
        var a4 = SIMD8<Float>(), a5 = SIMD8<Float>(), a6 = SIMD8<Float>(), a7 = SIMD8<Float>()
        var a8 = SIMD8<Float>(), a9 = SIMD8<Float>(), a10 = SIMD8<Float>(), a11 = SIMD8<Float>()
        var p0 = w0, p1 = w1
        var tc = tile
        for _ in 0..<channels {
            for t in 0..<taps {
                let x = load(tc + offsets[t])
                a0 = fma(a0, x, SIMD8<Float>(repeating: p0[0]))
                a1 = fma(a1, x, SIMD8<Float>(repeating: p0[1]))
                a2 = fma(a2, x, SIMD8<Float>(repeating: p0[2]))
                a3 = fma(a3, x, SIMD8<Float>(repeating: p0[3]))
                a4 = fma(a4, x, SIMD8<Float>(repeating: p0[4]))
                a5 = fma(a5, x, SIMD8<Float>(repeating: p0[5]))
                a6 = fma(a6, x, SIMD8<Float>(repeating: p1[0]))
                a7 = fma(a7, x, SIMD8<Float>(repeating: p1[1]))
                a8 = fma(a8, x, SIMD8<Float>(repeating: p1[2]))
                a9 = fma(a9, x, SIMD8<Float>(repeating: p1[3]))
                a10 = fma(a10, x, SIMD8<Float>(repeating: p1[4]))
                a11 = fma(a11, x, SIMD8<Float>(repeating: p1[5]))
                p0 += 6; p1 += 6
            }
            tc += cinStride
        }
        store(a0, out); store(a1, out + 8); store(a2, out + 16); store(a3, out + 24)
        store(a4, out + 32); store(a5, out + 40); store(a6, out + 48); store(a7, out + 56)
        store(a8, out + 64); store(a9, out + 72); store(a10, out + 80); store(a11, out + 88)
    }

    /// 4 output channels x 3 weight columns of a weight gradient, over `rows` x `chunks`*8 pixels.
    ///
    /// acc[(i*3+j)*8 + lane] += sum over r, p = lane (mod 8) of g[i][r*gRow + p] * x_j[r*xRow + p]: the 12 vector
    /// accumulators live in `acc` between calls and are summed across lanes only once, at the end of a piece.
    @inline(never)
    static func weightGrad4x3(g: UnsafePointer<Float>, gChannelStride: Int, gRowStride: Int,
                              x0: UnsafePointer<Float>, x1: UnsafePointer<Float>, x2: UnsafePointer<Float>,
                              xRowStride: Int, rows: Int, chunks: Int, acc: UnsafeMutablePointer<Float>) {
        #if WXENS_AVX512
        weightGrad4x3AVX512(g: g, gChannelStride: gChannelStride, gRowStride: gRowStride, x0: x0, x1: x1, x2: x2,
                            xRowStride: xRowStride, rows: rows, chunks: chunks, acc: acc)
        #else
        var a00 = load(acc), a01 = load(acc + 8), a02 = load(acc + 16)
        var a10 = load(acc + 24), a11 = load(acc + 32), a12 = load(acc + 40)
        var a20 = load(acc + 48), a21 = load(acc + 56), a22 = load(acc + 64)
        var a30 = load(acc + 72), a31 = load(acc + 80), a32 = load(acc + 88)
        for r in 0..<rows {
            let gr = g + r * gRowStride
            let p0 = x0 + r * xRowStride, p1 = x1 + r * xRowStride, p2 = x2 + r * xRowStride
            var q = 0
            for _ in 0..<chunks {
                let y0 = load(p0 + q), y1 = load(p1 + q), y2 = load(p2 + q)
                var b = load(gr + q)
                a00 = fma(a00, b, y0); a01 = fma(a01, b, y1); a02 = fma(a02, b, y2)
                b = load(gr + gChannelStride + q)
                a10 = fma(a10, b, y0); a11 = fma(a11, b, y1); a12 = fma(a12, b, y2)
                b = load(gr + 2 * gChannelStride + q)
                a20 = fma(a20, b, y0); a21 = fma(a21, b, y1); a22 = fma(a22, b, y2)
                b = load(gr + 3 * gChannelStride + q)
                a30 = fma(a30, b, y0); a31 = fma(a31, b, y1); a32 = fma(a32, b, y2)
                q += 8
            }
        }
        store(a00, acc); store(a01, acc + 8); store(a02, acc + 16)
        store(a10, acc + 24); store(a11, acc + 32); store(a12, acc + 40)
        store(a20, acc + 48); store(a21, acc + 56); store(a22, acc + 64)
        store(a30, acc + 72); store(a31, acc + 80); store(a32, acc + 88)
        #endif
    }
}
