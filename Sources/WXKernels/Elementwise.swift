import WXCore

/// Elementwise add, multiply and scale, with the second operand optionally broadcast over channels.
///
/// `b` is the shape of `a`, one value per channel ([C] or [1, C, 1, 1]) or one per sample and
/// channel ([N, C] or [N, C, 1, 1]), with `a` laid out [N, C, ...].
public enum Elementwise {
    /// a `op` b for each element (b broadcast over channels), in vector loops with the operation inlined.
    @inline(__always)
    static func combine<Op: ElementwiseOperation>(_ name: String, _ a: Tensor, _ b: Tensor, _ op: Op.Type) throws -> Tensor {
        let bc = try ChannelBroadcast(op: name, x: a.shape, other: b.shape)
        let ap = a.storage.pointer, bp = b.storage.pointer
        // Every element is written, so no zero fill.
        return Tensor(unsafeUninitializedShape: a.shape) { buf in
            let dst = buf.baseAddress!
            if bc.mode == .full {
                ChunkedLoop.forEach(a.count) { r in
                    var i = r.lowerBound
                    while i + ElementwiseVector.scalarCount <= r.upperBound {
                        storeVector(Op.apply(loadVector(ap + i), loadVector(bp + i)), dst + i)
                        i += ElementwiseVector.scalarCount
                    }
                    while i < r.upperBound { dst[i] = Op.apply(ap[i], bp[i]); i += 1 }
                }
            } else {
                let s = bc.s
                Parallel.forEach(bc.n * bc.c) { plane in
                    let v = bp[bc.planeIndex(plane)]
                    let vv = ElementwiseVector(repeating: v)
                    var i = plane * s
                    let end = (plane + 1) * s
                    while i + ElementwiseVector.scalarCount <= end {
                        storeVector(Op.apply(loadVector(ap + i), vv), dst + i)
                        i += ElementwiseVector.scalarCount
                    }
                    while i < end { dst[i] = Op.apply(ap[i], v); i += 1 }
                }
            }
        }
    }

    /// Loads one `ElementwiseVector` from any address.
    @inline(__always)
    static func loadVector(_ p: UnsafePointer<Float>) -> ElementwiseVector {
        UnsafeRawPointer(p).loadUnaligned(as: ElementwiseVector.self)
    }

    /// Stores one `ElementwiseVector` to any address.
    @inline(__always)
    static func storeVector(_ v: ElementwiseVector, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: ElementwiseVector.self)
    }

    /// a + b (b broadcast over channels as described on the type).
    public static func add(_ a: Tensor, _ b: Tensor) throws -> Tensor { try combine("add", a, b, ElementwiseAdd.self) }

    /// a * b (b broadcast over channels as described on the type).
    public static func mul(_ a: Tensor, _ b: Tensor) throws -> Tensor { try combine("mul", a, b, ElementwiseMultiply.self) }

    /// s * a.
    public static func scale(_ a: Tensor, by s: Float) -> Tensor { Activations.map(a) { $0 * s } }
}

#if WXENS_AVX512
/// The vector the elementwise loops step by: one zmm register.
typealias ElementwiseVector = SIMD16<Float>
#else
/// The vector the elementwise loops step by: one ymm register.
typealias ElementwiseVector = SIMD8<Float>
#endif

/// A lane-wise binary operation, as a scalar and a vector function with the same rounding per element.
protocol ElementwiseOperation {
    /// The operation on one element.
    static func apply(_ a: Float, _ b: Float) -> Float
    /// The operation on each lane.
    static func apply(_ a: ElementwiseVector, _ b: ElementwiseVector) -> ElementwiseVector
}

/// a + b.
enum ElementwiseAdd: ElementwiseOperation {
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a + b }
    @inline(__always) static func apply(_ a: ElementwiseVector, _ b: ElementwiseVector) -> ElementwiseVector { a + b }
}

/// a * b.
enum ElementwiseMultiply: ElementwiseOperation {
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a * b }
    @inline(__always) static func apply(_ a: ElementwiseVector, _ b: ElementwiseVector) -> ElementwiseVector { a * b }
}
