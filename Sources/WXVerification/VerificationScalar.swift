/// Input element types the batched scores read (Double, and Float accumulated in Double).
public protocol VerificationScalar: BinaryFloatingPoint, Sendable {
    /// Four consecutive values widened to Double.
    static func load4(_ p: UnsafePointer<Self>) -> SIMD4<Double>
}

extension Double: VerificationScalar {
    /// Four consecutive values.
    @inline(__always)
    public static func load4(_ p: UnsafePointer<Double>) -> SIMD4<Double> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD4<Double>.self)
    }
}

extension Float: VerificationScalar {
    /// Four consecutive values widened to Double.
    @inline(__always)
    public static func load4(_ p: UnsafePointer<Float>) -> SIMD4<Double> {
        SIMD4<Double>(UnsafeRawPointer(p).loadUnaligned(as: SIMD4<Float>.self))
    }
}
