#if WXENS_AVX512
/// `VectorMath` on `SIMD16<Float>` (one zmm register): the same operations lane for lane as the SIMD8 functions, so
/// each lane gets the same bits as it would from them.
extension VectorMath {
    /// e^x as `exp(_: SIMD8<Float>)`, 16 lanes at a time.
    @inline(__always)
    static func exp(_ x: SIMD16<Float>) -> SIMD16<Float> {
        let x = clamp(x, SIMD16(repeating: -87.33654), SIMD16(repeating: 88.37626))
        let n = (x * 1.442_695_040_888_963_4 + 0.5).rounded(.down)
        var r = x - n * 0.693_359_375
        r = r - n * -2.121_944_400_546_905_8e-4
        var p = SIMD16<Float>(repeating: 1.987_569_150_0e-4)
        p = p * r + 1.398_199_950_7e-3
        p = p * r + 8.333_451_907_3e-3
        p = p * r + 4.166_579_589_4e-2
        p = p * r + 1.666_666_545_9e-1
        p = p * r + 5.000_000_120_1e-1
        let y = p * (r * r) + r + 1
        let bits = unsafeBitCast(n + 12_583_039, to: SIMD16<Int32>.self) &<< 23
        return y * unsafeBitCast(bits, to: SIMD16<Float>.self)
    }

    /// `clamp(_:_:_:)` on 16 lanes.
    @inline(__always)
    static func clamp(_ x: SIMD16<Float>, _ lo: SIMD16<Float>, _ hi: SIMD16<Float>) -> SIMD16<Float> {
        let a = x.replacing(with: lo, where: .!(x .> lo))
        return a.replacing(with: hi, where: a .> hi)
    }

    /// `sigmoid(_: SIMD8<Float>)` on 16 lanes.
    @inline(__always)
    static func sigmoid(_ x: SIMD16<Float>) -> SIMD16<Float> {
        1 / (1 + exp(-x))
    }

    /// Loads 16 floats from any address.
    @inline(__always)
    static func load16(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
    }

    /// Stores 16 floats to any address.
    @inline(__always)
    static func store(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self)
    }
}
#endif
