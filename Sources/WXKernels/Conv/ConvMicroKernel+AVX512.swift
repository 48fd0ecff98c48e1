#if WXENS_AVX512
/// AVX-512 bodies of the convolution micro-kernels: 16 pixels per SIMD16 (zmm) where the SIMD8 kernels use two ymm.
///
/// The forward kernels walk the (input channel, tap) steps in index order and send even steps to one set of
/// accumulators and odd ones to another, summed at the end: twice the independent FMA chains of one set, for the
/// FMA latency, with a fixed summation order whatever the thread count.
extension ConvMicroKernel {
    typealias V16 = SIMD16<Float>

    /// 16 floats from `p` (unaligned).
    @inline(__always)
    static func load16(_ p: UnsafePointer<Float>) -> V16 {
        UnsafeRawPointer(p).loadUnaligned(as: V16.self)
    }

    /// Stores 16 floats at `p` (unaligned).
    @inline(__always)
    static func store16(_ v: V16, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: V16.self)
    }

    /// The input of (channel, tap) step (`tc`, `t`), then moves to the next step: the next tap, or tap 0 of the
    /// next channel (`cinStride` further) after the last.
    @inline(__always)
    static func nextStep(_ t: inout Int, _ tc: inout UnsafePointer<Float>, offsets: UnsafePointer<Int>, taps: Int,
                         cinStride: Int) -> UnsafePointer<Float> {
        let p = tc + offsets[t]
        t += 1
        if t == taps { t = 0; tc += cinStride }
        return p
    }

    /// `forward6x16` with one SIMD16 per output channel and even/odd (channel, tap) steps in two accumulator sets.
    @inline(__always)
    static func forward6x16AVX512(tile: UnsafePointer<Float>, offsets: UnsafePointer<Int>, taps: Int,
                                  channels: Int, cinStride: Int, w: UnsafePointer<Float>,
                                  out: UnsafeMutablePointer<Float>, outStride: Int, accumulate: Bool) {
        var a0 = V16(), a1 = V16(), a2 = V16(), a3 = V16(), a4 = V16(), a5 = V16()
        var b0 = V16(), b1 = V16(), b2 = V16(), b3 = V16(), b4 = V16(), b5 = V16()
        var wp = w
        var tc = tile
        var t = 0
        let steps = channels * taps
        for _ in 0..<(steps / 2) {
            let p0 = nextStep(&t, &tc, offsets: offsets, taps: taps, cinStride: cinStride)
            let p1 = nextStep(&t, &tc, offsets: offsets, taps: taps, cinStride: cinStride)
            let x = load16(p0), y = load16(p1)
            a0 = a0.addingProduct(x, V16(repeating: wp[0]))
            a1 = a1.addingProduct(x, V16(repeating: wp[1]))
            a2 = a2.addingProduct(x, V16(repeating: wp[2]))
            a3 = a3.addingProduct(x, V16(repeating: wp[3]))
            a4 = a4.addingProduct(x, V16(repeating: wp[4]))
            a5 = a5.addingProduct(x, V16(repeating: wp[5]))
            b0 = b0.addingProduct(y, V16(repeating: wp[6]))
            b1 = b1.addingProduct(y, V16(repeating: wp[7]))
            b2 = b2.addingProduct(y, V16(repeating: wp[8]))
            b3 = b3.addingProduct(y, V16(repeating: wp[9]))
            b4 = b4.addingProduct(y, V16(repeating: wp[10]))
            b5 = b5.addingProduct(y, V16(repeating: wp[11]))
            wp += 12
        }
        if steps & 1 != 0 {
            let x = load16(tc + offsets[t])
            a0 = a0.addingProduct(x, V16(repeating: wp[0]))
            a1 = a1.addingProduct(x, V16(repeating: wp[1]))
            a2 = a2.addingProduct(x, V16(repeating: wp[2]))
            a3 = a3.addingProduct(x, V16(repeating: wp[3]))
            a4 = a4.addingProduct(x, V16(repeating: wp[4]))
            a5 = a5.addingProduct(x, V16(repeating: wp[5]))
        }
        a0 += b0; a1 += b1; a2 += b2; a3 += b3; a4 += b4; a5 += b5
        let o0 = out, o1 = out + outStride, o2 = out + 2 * outStride
        let o3 = out + 3 * outStride, o4 = out + 4 * outStride, o5 = out + 5 * outStride
        if accumulate {
            a0 += load16(o0); a1 += load16(o1); a2 += load16(o2)
            a3 += load16(o3); a4 += load16(o4); a5 += load16(o5)
        }
        store16(a0, o0); store16(a1, o1); store16(a2, o2)
        store16(a3, o3); store16(a4, o4); store16(a5, o5)
    }

    /// `forward4x16` with one SIMD16 per output channel and even/odd (channel, tap) steps in two accumulator sets.
    @inline(__always)
    static func forward4x16AVX512(tile: UnsafePointer<Float>, offsets: UnsafePointer<Int>, taps: Int,
                                  channels: Int, cinStride: Int, w: UnsafePointer<Float>, wStride: Int,
                                  out: UnsafeMutablePointer<Float>, outStride: Int, accumulate: Bool) {
        var a0 = V16(), a1 = V16(), a2 = V16(), a3 = V16()
        var b0 = V16(), b1 = V16(), b2 = V16(), b3 = V16()
        var wp = w
        var tc = tile
        var t = 0
        let steps = channels * taps
        for _ in 0..<(steps / 2) {
            let p0 = nextStep(&t, &tc, offsets: offsets, taps: taps, cinStride: cinStride)
            let p1 = nextStep(&t, &tc, offsets: offsets, taps: taps, cinStride: cinStride)
            let x = load16(p0), y = load16(p1)
            let wq = wp + wStride
            a0 = a0.addingProduct(x, V16(repeating: wp[0]))
            a1 = a1.addingProduct(x, V16(repeating: wp[1]))
            a2 = a2.addingProduct(x, V16(repeating: wp[2]))
            a3 = a3.addingProduct(x, V16(repeating: wp[3]))
            b0 = b0.addingProduct(y, V16(repeating: wq[0]))
            b1 = b1.addingProduct(y, V16(repeating: wq[1]))
            b2 = b2.addingProduct(y, V16(repeating: wq[2]))
            b3 = b3.addingProduct(y, V16(repeating: wq[3]))
            wp += 2 * wStride
        }
        if steps & 1 != 0 {
            let x = load16(tc + offsets[t])
            a0 = a0.addingProduct(x, V16(repeating: wp[0]))
            a1 = a1.addingProduct(x, V16(repeating: wp[1]))
            a2 = a2.addingProduct(x, V16(repeating: wp[2]))
            a3 = a3.addingProduct(x, V16(repeating: wp[3]))
        }
        a0 += b0; a1 += b1; a2 += b2; a3 += b3
        let o0 = out, o1 = out + outStride, o2 = out + 2 * outStride, o3 = out + 3 * outStride
        if accumulate {
            a0 += load16(o0); a1 += load16(o1); a2 += load16(o2); a3 += load16(o3)
        }
        store16(a0, o0); store16(a1, o1); store16(a2, o2); store16(a3, o3)
    }

    /// `forward4x24` with each output row as one SIMD16 and one SIMD8, and even/odd (channel, tap) steps in two
    /// accumulator sets.
    @inline(__always)
    static func forward4x24AVX512(tile: UnsafePointer<Float>, offsets: UnsafePointer<Int>, taps: Int,
                                  channels: Int, cinStride: Int, w: UnsafePointer<Float>,
                                  out: UnsafeMutablePointer<Float>, outStride: Int, accumulate: Bool) {
        typealias V8 = SIMD8<Float>
        var a0 = V16(), a1 = V16(), a2 = V16(), a3 = V16()
        var c0 = V8(), c1 = V8(), c2 = V8(), c3 = V8()
        var b0 = V16(), b1 = V16(), b2 = V16(), b3 = V16()
        var d0 = V8(), d1 = V8(), d2 = V8(), d3 = V8()
        var wp = w
        var tc = tile
        var t = 0
        let steps = channels * taps
        for _ in 0..<(steps / 2) {
            let p0 = nextStep(&t, &tc, offsets: offsets, taps: taps, cinStride: cinStride)
            let p1 = nextStep(&t, &tc, offsets: offsets, taps: taps, cinStride: cinStride)
            let x = load16(p0), xs = load(p0 + 16)
            let y = load16(p1), ys = load(p1 + 16)
            a0 = a0.addingProduct(x, V16(repeating: wp[0])); c0 = c0.addingProduct(xs, V8(repeating: wp[0]))
            a1 = a1.addingProduct(x, V16(repeating: wp[1])); c1 = c1.addingProduct(xs, V8(repeating: wp[1]))
            a2 = a2.addingProduct(x, V16(repeating: wp[2])); c2 = c2.addingProduct(xs, V8(repeating: wp[2]))
            a3 = a3.addingProduct(x, V16(repeating: wp[3])); c3 = c3.addingProduct(xs, V8(repeating: wp[3]))
            b0 = b0.addingProduct(y, V16(repeating: wp[4])); d0 = d0.addingProduct(ys, V8(repeating: wp[4]))
            b1 = b1.addingProduct(y, V16(repeating: wp[5])); d1 = d1.addingProduct(ys, V8(repeating: wp[5]))
            b2 = b2.addingProduct(y, V16(repeating: wp[6])); d2 = d2.addingProduct(ys, V8(repeating: wp[6]))
            b3 = b3.addingProduct(y, V16(repeating: wp[7])); d3 = d3.addingProduct(ys, V8(repeating: wp[7]))
            wp += 8
        }
        if steps & 1 != 0 {
            let p0 = tc + offsets[t]
            let x = load16(p0), xs = load(p0 + 16)
            a0 = a0.addingProduct(x, V16(repeating: wp[0])); c0 = c0.addingProduct(xs, V8(repeating: wp[0]))
            a1 = a1.addingProduct(x, V16(repeating: wp[1])); c1 = c1.addingProduct(xs, V8(repeating: wp[1]))
            a2 = a2.addingProduct(x, V16(repeating: wp[2])); c2 = c2.addingProduct(xs, V8(repeating: wp[2]))
            a3 = a3.addingProduct(x, V16(repeating: wp[3])); c3 = c3.addingProduct(xs, V8(repeating: wp[3]))
        }
        a0 += b0; a1 += b1; a2 += b2; a3 += b3
        c0 += d0; c1 += d1; c2 += d2; c3 += d3
        let o0 = out, o1 = out + outStride, o2 = out + 2 * outStride, o3 = out + 3 * outStride
        if accumulate {
            a0 += load16(o0); c0 += load(o0 + 16)
            a1 += load16(o1); c1 += load(o1 + 16)
            a2 += load16(o2); c2 += load(o2 + 16)
            a3 += load16(o3); c3 += load(o3 + 16)
        }
        store16(a0, o0); store(c0, o0 + 16)
        store16(a1, o1); store(c1, o1 + 16)
        store16(a2, o2); store(c2, o2 + 16)
        store16(a3, o3); store(c3, o3 + 16)
    }

    /// `weightGrad4x3` over 16 pixels per step (12 SIMD16 accumulators; an odd last chunk of a row fills the low 8
    /// lanes), folded into the caller's SIMD8 accumulators as low half + high half at the end of the call.
    @inline(__always)
    static func weightGrad4x3AVX512(g: UnsafePointer<Float>, gChannelStride: Int, gRowStride: Int,
                                    x0: UnsafePointer<Float>, x1: UnsafePointer<Float>, x2: UnsafePointer<Float>,
                                    xRowStride: Int, rows: Int, chunks: Int, acc: UnsafeMutablePointer<Float>) {
        var a00 = V16(), a01 = V16(), a02 = V16()
        var a10 = V16(), a11 = V16(), a12 = V16()
        var a20 = V16(), a21 = V16(), a22 = V16()
        var a30 = V16(), a31 = V16(), a32 = V16()
        // Zero-extended 8-float load: the high lanes add 0 * 0.
        @inline(__always) func half(_ p: UnsafePointer<Float>) -> V16 { V16(lowHalf: load(p), highHalf: SIMD8()) }
        @inline(__always) func step(_ y0: V16, _ y1: V16, _ y2: V16, _ g0: V16, _ g1: V16, _ g2: V16, _ g3: V16) {
            a00 = a00.addingProduct(g0, y0); a01 = a01.addingProduct(g0, y1); a02 = a02.addingProduct(g0, y2)
            a10 = a10.addingProduct(g1, y0); a11 = a11.addingProduct(g1, y1); a12 = a12.addingProduct(g1, y2)
            a20 = a20.addingProduct(g2, y0); a21 = a21.addingProduct(g2, y1); a22 = a22.addingProduct(g2, y2)
            a30 = a30.addingProduct(g3, y0); a31 = a31.addingProduct(g3, y1); a32 = a32.addingProduct(g3, y2)
        }
        let gs = gChannelStride
        for r in 0..<rows {
            let gr = g + r * gRowStride
            let p0 = x0 + r * xRowStride, p1 = x1 + r * xRowStride, p2 = x2 + r * xRowStride
            var q = 0
            for _ in 0..<(chunks / 2) {
                step(load16(p0 + q), load16(p1 + q), load16(p2 + q),
                     load16(gr + q), load16(gr + gs + q), load16(gr + 2 * gs + q), load16(gr + 3 * gs + q))
                q += 16
            }
            if chunks & 1 != 0 {
                step(half(p0 + q), half(p1 + q), half(p2 + q),
                     half(gr + q), half(gr + gs + q), half(gr + 2 * gs + q), half(gr + 3 * gs + q))
            }
        }
        @inline(__always) func fold(_ v: V16, _ p: UnsafeMutablePointer<Float>) {
            store(load(p) + (v.lowHalf + v.highHalf), p)
        }
        fold(a00, acc); fold(a01, acc + 8); fold(a02, acc + 16)
        fold(a10, acc + 24); fold(a11, acc + 32); fold(a12, acc + 40)
        fold(a20, acc + 48); fold(a21, acc + 56); fold(a22, acc + 64)
        fold(a30, acc + 72); fold(a31, acc + 80); fold(a32, acc + 88)
    }
}
#endif
