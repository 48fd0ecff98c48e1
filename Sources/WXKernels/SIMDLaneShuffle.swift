#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif

/// Interleaves within each 128-bit half of SIMD8<Float> (x86's unpcklps, unpckhps, unpcklpd, unpckhpd): the
/// building blocks of a 4x4 transpose per half. Written as lane initialisers they compile to scalar moves; clang's
/// headers define them as vector shuffles, so on x86-64 they are one instruction (two SSE ones without AVX).
enum SIMDLaneShuffle {
    /// (a0, b0, a1, b1, a4, b4, a5, b5).
    @inline(__always)
    static func lowPairs(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
        #if arch(x86_64)
        _mm256_unpacklo_ps(a, b)
        #else
        SIMD8(a[0], b[0], a[1], b[1], a[4], b[4], a[5], b[5])
        #endif
    }

    /// (a2, b2, a3, b3, a6, b6, a7, b7).
    @inline(__always)
    static func highPairs(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
        #if arch(x86_64)
        _mm256_unpackhi_ps(a, b)
        #else
        SIMD8(a[2], b[2], a[3], b[3], a[6], b[6], a[7], b[7])
        #endif
    }

    /// (a0, a1, b0, b1, a4, a5, b4, b5).
    @inline(__always)
    static func lowQuads(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
        #if arch(x86_64)
        _mm256_castpd_ps(_mm256_unpacklo_pd(_mm256_castps_pd(a), _mm256_castps_pd(b)))
        #else
        SIMD8(a[0], a[1], b[0], b[1], a[4], a[5], b[4], b[5])
        #endif
    }

    /// (a2, a3, b2, b3, a6, a7, b6, b7).
    @inline(__always)
    static func highQuads(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
        #if arch(x86_64)
        _mm256_castpd_ps(_mm256_unpackhi_pd(_mm256_castps_pd(a), _mm256_castps_pd(b)))
        #else
        SIMD8(a[2], a[3], b[2], b[3], a[6], a[7], b[6], b[7])
        #endif
    }

    /// The 4x4 transpose of each 128-bit half of (a, b, c, d): result k holds element k (low half) and 4 + k (high
    /// half) of each input, in input order.
    @inline(__always)
    static func transposeHalves(_ a: SIMD8<Float>, _ b: SIMD8<Float>, _ c: SIMD8<Float>, _ d: SIMD8<Float>)
        -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
        let t0 = lowPairs(a, b), t1 = highPairs(a, b), t2 = lowPairs(c, d), t3 = highPairs(c, d)
        return (lowQuads(t0, t2), highQuads(t0, t2), lowQuads(t1, t3), highQuads(t1, t3))
    }
}
