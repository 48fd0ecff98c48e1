/// The register-blocked inner loop of the GEMM: a 6x16 tile of C from packed panels.
///
/// Twelve SIMD8 accumulators (6 rows x 2 vectors) stay in registers; each k step broadcasts
/// six A values and loads two B vectors. Where the target CPU has FMA (`WXENS_FMA`, set by
/// Package.swift for release builds) each step is one fused multiply-add; elsewhere a multiply
/// then an add (a SIMD `addingProduct` without FMA hardware becomes a libm call per lane).
/// The k loop runs in index order, so each sum has a fixed order. With `WXENS_AVX512` the tile runs
/// as `runAVX512` instead (same packing and tile, one zmm per row).
enum GemmMicroKernel {
    /// Rows of C per micro-tile.
    static let mr = 6
    /// Columns of C per micro-tile.
    static let nr = 16

    /// acc + a * b, fused where the target has FMA.
    @inline(__always)
    static func fma(_ acc: inout SIMD8<Float>, _ a: SIMD8<Float>, _ b: SIMD8<Float>) {
        #if WXENS_FMA
        acc.addProduct(a, b)
        #else
        acc = acc + a * b
        #endif
    }

    /// Writes the 6x16 product of packed `a` (kc x 6, k-major) and packed `b` (kc x 16, k-major)
    /// into `tile` (row-major, 16 columns).
    @inline(__always)
    static func run(kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, tile: UnsafeMutablePointer<Float>) {
        #if WXENS_AVX512
        runAVX512(kc: kc, a: a, b: b, tile: tile)
        #else
        typealias V = SIMD8<Float>
        var c00 = V(), c01 = V(), c10 = V(), c11 = V(), c20 = V(), c21 = V()
        var c30 = V(), c31 = V(), c40 = V(), c41 = V(), c50 = V(), c51 = V()
        var pa = a
        var pb = UnsafeRawPointer(b)
        for _ in 0..<kc {
            let b0 = pb.loadUnaligned(as: V.self)
            let b1 = pb.loadUnaligned(fromByteOffset: 32, as: V.self)
            var av = V(repeating: pa[0])
            fma(&c00, av, b0); fma(&c01, av, b1)
            av = V(repeating: pa[1])
            fma(&c10, av, b0); fma(&c11, av, b1)
            av = V(repeating: pa[2])
            fma(&c20, av, b0); fma(&c21, av, b1)
            av = V(repeating: pa[3])
            fma(&c30, av, b0); fma(&c31, av, b1)
            av = V(repeating: pa[4])
            fma(&c40, av, b0); fma(&c41, av, b1)
            av = V(repeating: pa[5])
            fma(&c50, av, b0); fma(&c51, av, b1)
            pa += 6
            pb += 64
        }
        let t = UnsafeMutableRawPointer(tile)
        t.storeBytes(of: c00, toByteOffset: 0, as: V.self); t.storeBytes(of: c01, toByteOffset: 32, as: V.self)
        t.storeBytes(of: c10, toByteOffset: 64, as: V.self); t.storeBytes(of: c11, toByteOffset: 96, as: V.self)
        t.storeBytes(of: c20, toByteOffset: 128, as: V.self); t.storeBytes(of: c21, toByteOffset: 160, as: V.self)
        t.storeBytes(of: c30, toByteOffset: 192, as: V.self); t.storeBytes(of: c31, toByteOffset: 224, as: V.self)
        t.storeBytes(of: c40, toByteOffset: 256, as: V.self); t.storeBytes(of: c41, toByteOffset: 288, as: V.self)
        t.storeBytes(of: c50, toByteOffset: 320, as: V.self); t.storeBytes(of: c51, toByteOffset: 352, as: V.self)
        #endif
    }
}
