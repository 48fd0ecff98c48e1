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

    /// Two 6x16 tiles side by side (one A panel, B panels `b0` and `b1`), each summed exactly as `runAVX512` sums it,
    /// so that a pair and two single tiles give the same bits; each A value is broadcast once for both panels.
    @inline(__always)
    static func runPairAVX512(kc: Int, a: UnsafePointer<Float>, b0: UnsafePointer<Float>, b1: UnsafePointer<Float>,
                              tile0: UnsafeMutablePointer<Float>, tile1: UnsafeMutablePointer<Float>) {
        typealias V = SIMD16<Float>
        // c: panel 0, d: panel 1; suffix e: even k, o: odd k.
        var c0e = V(), c1e = V(), c2e = V(), c3e = V(), c4e = V(), c5e = V()
        var d0e = V(), d1e = V(), d2e = V(), d3e = V(), d4e = V(), d5e = V()
        var c0o = V(), c1o = V(), c2o = V(), c3o = V(), c4o = V(), c5o = V()
        var d0o = V(), d1o = V(), d2o = V(), d3o = V(), d4o = V(), d5o = V()
        var pa = a
        var p0 = UnsafeRawPointer(b0), p1 = UnsafeRawPointer(b1)
        for _ in 0..<(kc / 2) {
            let x0 = p0.loadUnaligned(as: V.self), y0 = p1.loadUnaligned(as: V.self)
            var s = V(repeating: pa[0])
            c0e = c0e.addingProduct(s, x0); d0e = d0e.addingProduct(s, y0)
            s = V(repeating: pa[1])
            c1e = c1e.addingProduct(s, x0); d1e = d1e.addingProduct(s, y0)
            s = V(repeating: pa[2])
            c2e = c2e.addingProduct(s, x0); d2e = d2e.addingProduct(s, y0)
            s = V(repeating: pa[3])
            c3e = c3e.addingProduct(s, x0); d3e = d3e.addingProduct(s, y0)
            s = V(repeating: pa[4])
            c4e = c4e.addingProduct(s, x0); d4e = d4e.addingProduct(s, y0)
            s = V(repeating: pa[5])
            c5e = c5e.addingProduct(s, x0); d5e = d5e.addingProduct(s, y0)
            let x1 = p0.loadUnaligned(fromByteOffset: 64, as: V.self), y1 = p1.loadUnaligned(fromByteOffset: 64, as: V.self)
            s = V(repeating: pa[6])
            c0o = c0o.addingProduct(s, x1); d0o = d0o.addingProduct(s, y1)
            s = V(repeating: pa[7])
            c1o = c1o.addingProduct(s, x1); d1o = d1o.addingProduct(s, y1)
            s = V(repeating: pa[8])
            c2o = c2o.addingProduct(s, x1); d2o = d2o.addingProduct(s, y1)
            s = V(repeating: pa[9])
            c3o = c3o.addingProduct(s, x1); d3o = d3o.addingProduct(s, y1)
            s = V(repeating: pa[10])
            c4o = c4o.addingProduct(s, x1); d4o = d4o.addingProduct(s, y1)
            s = V(repeating: pa[11])
            c5o = c5o.addingProduct(s, x1); d5o = d5o.addingProduct(s, y1)
            pa += 12
            p0 += 128
            p1 += 128
        }
        if kc & 1 != 0 {
            let x0 = p0.loadUnaligned(as: V.self), y0 = p1.loadUnaligned(as: V.self)
            var s = V(repeating: pa[0])
            c0e = c0e.addingProduct(s, x0); d0e = d0e.addingProduct(s, y0)
            s = V(repeating: pa[1])
            c1e = c1e.addingProduct(s, x0); d1e = d1e.addingProduct(s, y0)
            s = V(repeating: pa[2])
            c2e = c2e.addingProduct(s, x0); d2e = d2e.addingProduct(s, y0)
            s = V(repeating: pa[3])
            c3e = c3e.addingProduct(s, x0); d3e = d3e.addingProduct(s, y0)
            s = V(repeating: pa[4])
            c4e = c4e.addingProduct(s, x0); d4e = d4e.addingProduct(s, y0)
            s = V(repeating: pa[5])
            c5e = c5e.addingProduct(s, x0); d5e = d5e.addingProduct(s, y0)
        }
        let t = UnsafeMutableRawPointer(tile0), u = UnsafeMutableRawPointer(tile1)
        t.storeBytes(of: c0e + c0o, toByteOffset: 0, as: V.self); u.storeBytes(of: d0e + d0o, toByteOffset: 0, as: V.self)
        t.storeBytes(of: c1e + c1o, toByteOffset: 64, as: V.self); u.storeBytes(of: d1e + d1o, toByteOffset: 64, as: V.self)
        t.storeBytes(of: c2e + c2o, toByteOffset: 128, as: V.self); u.storeBytes(of: d2e + d2o, toByteOffset: 128, as: V.self)
        t.storeBytes(of: c3e + c3o, toByteOffset: 192, as: V.self); u.storeBytes(of: d3e + d3o, toByteOffset: 192, as: V.self)
        t.storeBytes(of: c4e + c4o, toByteOffset: 256, as: V.self); u.storeBytes(of: d4e + d4o, toByteOffset: 256, as: V.self)
        t.storeBytes(of: c5e + c5o, toByteOffset: 320, as: V.self); u.storeBytes(of: d5e + d5o, toByteOffset: 320, as: V.self)
    }
}
#endif
