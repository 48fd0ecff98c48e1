#if WXENS_AVX512
extension GemmMicroKernel {
    /// The 6x16 tile of `run` with one SIMD16 (zmm) per row: even k steps go to one set of six accumulators, odd
    /// ones to another, summed at the end, so that twelve independent FMA chains cover the FMA latency.
    ///
    /// Each sum still has a fixed order (even and odd k in index order, then their sum), whatever the thread count.
    @inline(__always)
    static func runAVX512(kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, tile: UnsafeMutablePointer<Float>) {
        typealias V = SIMD16<Float>
        var c0 = V(), c1 = V(), c2 = V(), c3 = V(), c4 = V(), c5 = V()
        var d0 = V(), d1 = V(), d2 = V(), d3 = V(), d4 = V(), d5 = V()
        var pa = a
        var pb = UnsafeRawPointer(b)
        for _ in 0..<(kc / 2) {
            let b0 = pb.loadUnaligned(as: V.self)
            let b1 = pb.loadUnaligned(fromByteOffset: 64, as: V.self)
            c0 = c0.addingProduct(V(repeating: pa[0]), b0)
            c1 = c1.addingProduct(V(repeating: pa[1]), b0)
            c2 = c2.addingProduct(V(repeating: pa[2]), b0)
            c3 = c3.addingProduct(V(repeating: pa[3]), b0)
            c4 = c4.addingProduct(V(repeating: pa[4]), b0)
            c5 = c5.addingProduct(V(repeating: pa[5]), b0)
            d0 = d0.addingProduct(V(repeating: pa[6]), b1)
            d1 = d1.addingProduct(V(repeating: pa[7]), b1)
            d2 = d2.addingProduct(V(repeating: pa[8]), b1)
            d3 = d3.addingProduct(V(repeating: pa[9]), b1)
            d4 = d4.addingProduct(V(repeating: pa[10]), b1)
            d5 = d5.addingProduct(V(repeating: pa[11]), b1)
            pa += 12
            pb += 128
        }
        if kc & 1 != 0 {
            let b0 = pb.loadUnaligned(as: V.self)
            c0 = c0.addingProduct(V(repeating: pa[0]), b0)
            c1 = c1.addingProduct(V(repeating: pa[1]), b0)
            c2 = c2.addingProduct(V(repeating: pa[2]), b0)
            c3 = c3.addingProduct(V(repeating: pa[3]), b0)
            c4 = c4.addingProduct(V(repeating: pa[4]), b0)
            c5 = c5.addingProduct(V(repeating: pa[5]), b0)
        }
        let t = UnsafeMutableRawPointer(tile)
        t.storeBytes(of: c0 + d0, toByteOffset: 0, as: V.self)
        t.storeBytes(of: c1 + d1, toByteOffset: 64, as: V.self)
        t.storeBytes(of: c2 + d2, toByteOffset: 128, as: V.self)
        t.storeBytes(of: c3 + d3, toByteOffset: 192, as: V.self)
        t.storeBytes(of: c4 + d4, toByteOffset: 256, as: V.self)
        t.storeBytes(of: c5 + d5, toByteOffset: 320, as: V.self)
    }
}
#endif
