/// Vectorised elementary functions on `SIMD8<Float>` for the fused activation kernels.
enum VectorMath {
    /// e^x to about 1 ulp (Cephes `expf`: x = n ln 2 + r, |r| <= ln 2 / 2, degree-6 polynomial, times 2^n).
    /// Inputs are clamped to [-87.3, 88.37] so 2^n stays a normal float; the result is never NaN for finite x.
    @inline(__always)
    static func exp(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let x = clamp(x, SIMD8(repeating: -87.33654), SIMD8(repeating: 88.37626))
        let n = (x * 1.442_695_040_888_963_4 + 0.5).rounded(.down)
        var r = x - n * 0.693_359_375
        r = r - n * -2.121_944_400_546_905_8e-4
        var p = SIMD8<Float>(repeating: 1.987_569_150_0e-4)
        p = p * r + 1.398_199_950_7e-3
        p = p * r + 8.333_451_907_3e-3
        p = p * r + 4.166_579_589_4e-2
        p = p * r + 1.666_666_545_9e-1
        p = p * r + 5.000_000_120_1e-1
        let y = p * (r * r) + r + 1
        // 2^n from the bits: n + 127 + 1.5 * 2^23 is exact with n + 127 in its low mantissa bits; the shift drops the
        // rest. (The generic SIMD float-to-integer conversion runs lane by lane and took a third of a training step.)
        let bits = unsafeBitCast(n + 12_583_039, to: SIMD8<Int32>.self) &<< 23
        return y * unsafeBitCast(bits, to: SIMD8<Float>.self)
    }

    /// x.clamped(lowerBound: lo, upperBound: hi), the same lanes (NaN gives lo), as two vector compares and blends:
    /// the standard library's generic `clamped` is called out of line, per vector, through `pointwiseMin`/`pointwiseMax`.
    @inline(__always)
    static func clamp(_ x: SIMD8<Float>, _ lo: SIMD8<Float>, _ hi: SIMD8<Float>) -> SIMD8<Float> {
        let a = x.replacing(with: lo, where: .!(x .> lo))
        return a.replacing(with: hi, where: a .> hi)
    }

    /// The logistic sigmoid 1 / (1 + e^-x).
    @inline(__always)
    static func sigmoid(_ x: SIMD8<Float>) -> SIMD8<Float> {
        1 / (1 + exp(-x))
    }

    /// The 8 lanes as Doubles, written lane by lane so it inlines to one vector conversion (the generic SIMD
    /// conversion initialiser is called out of line).
    @inline(__always)
    static func widen(_ v: SIMD8<Float>) -> SIMD8<Double> {
        SIMD8(Double(v[0]), Double(v[1]), Double(v[2]), Double(v[3]), Double(v[4]), Double(v[5]), Double(v[6]), Double(v[7]))
    }

    /// Loads 8 floats from any address.
    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }

    /// Stores 8 floats to any address.
    @inline(__always)
    static func store(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
    }
}
