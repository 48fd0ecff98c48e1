import WXCore

/// Feature-wise linear modulation for noise-level conditioning: y = x * (1 + scale[n, c]) + shift[n, c].
public enum FiLM {
    /// Checks x [N, C, ...] against scale and shift [N, C] (or [N, C, 1, 1]).
    static func check(_ op: String, _ x: Tensor, _ scale: Tensor, _ shift: Tensor) throws -> ChannelBroadcast {
        let a = try ChannelBroadcast(op: op, x: x.shape, other: scale.shape)
        let b = try ChannelBroadcast(op: op, x: x.shape, other: shift.shape)
        guard a.mode == .sampleChannel, b.mode == .sampleChannel else {
            throw KernelError.shapeMismatch(op: op, detail: "scale \(scale.shape) and shift \(shift.shape) must be [N, C] = [\(a.n), \(a.c)] for x \(x.shape)")
        }
        return a
    }

    /// y = x * (1 + scale[n, c]) + shift[n, c] for x [N, C, ...].
    public static func forward(_ x: Tensor, scale: Tensor, shift: Tensor) throws -> Tensor {
        let bc = try check("FiLM", x, scale, shift)
        var y = Tensor(zeros: x.shape)
        let xp = x.storage.pointer, sc = scale.storage.pointer, sh = shift.storage.pointer, dst = y.ownedPointer
        let s = bc.s
        Parallel.forEach(bc.n * bc.c) { plane in
            let m = 1 + sc[plane], b = sh[plane]
            for i in (plane * s)..<((plane + 1) * s) { dst[i] = xp[i] * m + b }
        }
        return y
    }

    /// Gradients: dx = g (1 + scale), dscale[n, c] = sum g x, dshift[n, c] = sum g (sums in Double).
    public static func backward(_ x: Tensor, scale: Tensor, shift: Tensor, gradOutput: Tensor) throws
        -> (gradInput: Tensor, gradScale: Tensor, gradShift: Tensor) {
        let bc = try check("FiLMBackward", x, scale, shift)
        guard gradOutput.shape == x.shape else {
            throw KernelError.shapeMismatch(op: "FiLMBackward", detail: "gradOutput \(gradOutput.shape) differs from x \(x.shape)")
        }
        var dx = Tensor(zeros: x.shape), dscale = Tensor(zeros: scale.shape), dshift = Tensor(zeros: shift.shape)
        let xp = x.storage.pointer, sc = scale.storage.pointer, g = gradOutput.storage.pointer
        let dxp = dx.ownedPointer, dsc = dscale.ownedPointer, dsh = dshift.ownedPointer
        let s = bc.s
        Parallel.forEach(bc.n * bc.c) { plane in
            let m = 1 + sc[plane]
            var accScale = 0.0, accShift = 0.0
            for i in (plane * s)..<((plane + 1) * s) {
                dxp[i] = g[i] * m
                accScale += Double(g[i]) * Double(xp[i])
                accShift += Double(g[i])
            }
            dsc[plane] = Float(accScale)
            dsh[plane] = Float(accShift)
        }
        return (dx, dscale, dshift)
    }
}
