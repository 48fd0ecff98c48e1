import WXCore

/// Elementwise add, multiply and scale, with the second operand optionally broadcast over channels.
///
/// `b` is the shape of `a`, one value per channel ([C] or [1, C, 1, 1]) or one per sample and
/// channel ([N, C] or [N, C, 1, 1]), with `a` laid out [N, C, ...].
public enum Elementwise {
    static func combine(_ op: String, _ a: Tensor, _ b: Tensor, _ f: @escaping (Float, Float) -> Float) throws -> Tensor {
        let bc = try ChannelBroadcast(op: op, x: a.shape, other: b.shape)
        let ap = a.storage.pointer, bp = b.storage.pointer
        // Every element is written, so no zero fill.
        return Tensor(unsafeUninitializedShape: a.shape) { buf in
            let dst = buf.baseAddress!
            if bc.mode == .full {
                ChunkedLoop.forEach(a.count) { r in for i in r { dst[i] = f(ap[i], bp[i]) } }
            } else {
                let s = bc.s
                Parallel.forEach(bc.n * bc.c) { plane in
                    let v = bp[bc.planeIndex(plane)]
                    for i in (plane * s)..<((plane + 1) * s) { dst[i] = f(ap[i], v) }
                }
            }
        }
    }

    /// a + b (b broadcast over channels as described on the type).
    public static func add(_ a: Tensor, _ b: Tensor) throws -> Tensor { try combine("add", a, b, +) }

    /// a * b (b broadcast over channels as described on the type).
    public static func mul(_ a: Tensor, _ b: Tensor) throws -> Tensor { try combine("mul", a, b, *) }

    /// s * a.
    public static func scale(_ a: Tensor, by s: Float) -> Tensor { Activations.map(a) { $0 * s } }
}
