#if WXENS_AVX512
/// AVX-512 bodies of the Winograd transforms: all 16 tiles of a block in one SIMD16 (zmm) per value, where the
/// SIMD8 bodies take two halves of eight. The same additions in the same order, so the same bits.
extension Winograd {
    /// `inputTransform` with the 16 tiles of a block in one SIMD16 per value.
    @inline(__always)
    static func inputTransformAVX512(plan: ConvTile, tile: UnsafePointer<Float>, cin: Int, row: Int, col: Int,
                                     v: UnsafeMutablePointer<Float>, xiStride vs: Int) {
        typealias V = SIMD16<Float>
        let rs = plan.rowStride, cs = plan.channelStride
        for ci in 0..<cin {
            let base = tile + ci * cs + row * rs + col
            @inline(__always) func columns(_ i: Int) -> (V, V, V, V) {
                let a = UnsafeRawPointer(base + i * rs).loadUnaligned(as: SIMD32<Float>.self)
                let b = UnsafeRawPointer(base + i * rs + 2).loadUnaligned(as: SIMD32<Float>.self)
                let d0 = a.evenHalf, d1 = a.oddHalf, d2 = b.evenHalf, d3 = b.oddHalf
                return (d0 - d2, d1 + d2, d2 - d1, d1 - d3)
            }
            let r0 = columns(0), r1 = columns(1), r2 = columns(2), r3 = columns(3)
            let dst = v + ci * blockTiles
            @inline(__always) func rowsOf(_ j: Int, _ x0: V, _ x1: V, _ x2: V, _ x3: V) {
                ConvMicroKernel.store16(x0 - x2, dst + j * vs)
                ConvMicroKernel.store16(x1 + x2, dst + (4 + j) * vs)
                ConvMicroKernel.store16(x2 - x1, dst + (8 + j) * vs)
                ConvMicroKernel.store16(x1 - x3, dst + (12 + j) * vs)
            }
            rowsOf(0, r0.0, r1.0, r2.0, r3.0)
            rowsOf(1, r0.1, r1.1, r2.1, r3.1)
            rowsOf(2, r0.2, r1.2, r2.2, r3.2)
            rowsOf(3, r0.3, r1.3, r2.3, r3.3)
        }
    }

    /// `outputTransform` with the 16 tiles of a block (32 output columns) in one SIMD16 per value.
    @inline(__always)
    static func outputTransformAVX512(m: UnsafePointer<Float>, xiStride xs: Int, co0: Int, channels: Int, image n: Int,
                                      row: Int, rows: Int, col: Int, cols: Int,
                                      bias: UnsafePointer<Float>?, activation: ConvActivation, out: ConvOutput) {
        typealias V = SIMD16<Float>
        for c in 0..<channels {
            let b = bias?[co0 + c] ?? 0
            let p = m + c * blockTiles
            @inline(__always) func column(_ j: Int) -> (V, V) {
                let m0 = ConvMicroKernel.load16(p + j * xs), m1 = ConvMicroKernel.load16(p + (4 + j) * xs)
                let m2 = ConvMicroKernel.load16(p + (8 + j) * xs), m3 = ConvMicroKernel.load16(p + (12 + j) * xs)
                return (m0 + m1 + m2, m1 - m2 - m3)
            }
            let s0 = column(0), s1 = column(1), s2 = column(2), s3 = column(3)
            let width = min(2 * blockTiles, cols)
            let d = out.pointer(image: n, channel: co0 + c, row: row, col: col)
            emit32(s0.0 + s1.0 + s2.0 + b, s1.0 - s2.0 - s3.0 + b, to: d, width: width, activation: activation,
                   residual: out.residual(at: d))
            if rows == 2 {
                emit32(s0.1 + s1.1 + s2.1 + b, s1.1 - s2.1 - s3.1 + b, to: d + out.rowStride, width: width,
                       activation: activation, residual: out.residual(at: d + out.rowStride))
            }
        }
    }

    /// `emit` for sixteen 2x2 tiles: pixels 2t and 2t + 1 from lanes t of `even` and `odd`.
    @inline(__always)
    static func emit32(_ e: SIMD16<Float>, _ o: SIMD16<Float>, to d: UnsafeMutablePointer<Float>, width: Int,
                       activation: ConvActivation, residual r: UnsafePointer<Float>?) {
        // The common case keeps the interleave free of calls and variable lane indices, so that LLVM makes it two
        // shuffles; activations and short rows take the lane-by-lane path.
        if activation == .none && width >= 16 {
            var y = SIMD32<Float>()
            for t in 0..<16 { y[2 * t] = e[t]; y[2 * t + 1] = o[t] }
            var lo = y.lowHalf, hi = y.highHalf
            if let r { lo += ConvMicroKernel.load16(r) }
            ConvMicroKernel.store16(lo, d)
            if width == 32 {
                if let r { hi += ConvMicroKernel.load16(r + 16) }
                ConvMicroKernel.store16(hi, d + 16)
            } else if let r {
                for k in 16..<width { d[k] = hi[k - 16] + r[k] }
            } else {
                for k in 16..<width { d[k] = hi[k - 16] }
            }
            return
        }
        for k in 0..<width {
            let v = activation.apply(k & 1 == 0 ? e[k >> 1] : o[k >> 1])
            d[k] = r.map { v + $0[k] } ?? v
        }
    }
}
#endif
