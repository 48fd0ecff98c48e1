import WXCore

/// Group normalisation, optional feature-wise modulation and SiLU fused in one pass over memory:
/// y = silu(GN(x; gamma, beta) * (1 + scale[n, c]) + shift[n, c]) (torch: `F.silu(F.group_norm(x, G, gamma, beta,
/// eps) * (1 + scale) + shift)`), the pre-activation of every residual block of the U-Net.
///
/// Statistics are those of `GroupNorm` (biased variance, sums of each channel plane in 8 Float lanes combined in
/// Double); every (sample, group) is one piece, so results are the same bits at any thread count.
public enum GroupNormSiLU {
    /// Validates x [N, C, ...], groups, gamma/beta [C] and scale/shift [N, C] (both or neither); returns (N, C, S).
    static func check(_ op: String, _ x: Tensor, groups: Int, gamma: Tensor, beta: Tensor,
                      scale: Tensor?, shift: Tensor?) throws -> (Int, Int, Int) {
        let (n, c, s) = try GroupNorm.check(op, x, groups: groups, gamma: gamma, beta: beta)
        guard (scale == nil) == (shift == nil) else {
            throw KernelError.invalidParameter(op: op, detail: "scale and shift must be given together")
        }
        for (name, t) in [("scale", scale), ("shift", shift)] {
            if let t, t.count != n * c || t.shape.first != n {
                throw KernelError.shapeMismatch(op: op, detail: "\(name) is \(t.shape), expected [\(n), \(c)]")
            }
        }
        return (n, c, s)
    }

    /// Mean and 1/sqrt(var + eps) of `count` values at `p` (sums of 8 lanes per plane of `s` values, in Double).
    @inline(__always)
    static func moments(_ p: UnsafePointer<Float>, planes: Int, s: Int, eps: Float) -> (Double, Double) {
        var sum = 0.0
        for c in 0..<planes { sum += planeSum(p + c * s, s) { $0 } }
        let count = Double(planes * s)
        let mu = sum / count
        let m = Float(mu)
        var sq = 0.0
        for c in 0..<planes { sq += planeSum(p + c * s, s) { let d = $0 - m; return d * d } }
        return (mu, 1 / (sq / count + Double(eps)).squareRoot())
    }

    /// Sum of f over `s` values, in 8 Float lanes then Double.
    @inline(__always)
    static func planeSum(_ p: UnsafePointer<Float>, _ s: Int, _ f: (SIMD8<Float>) -> SIMD8<Float>) -> Double {
        var acc = SIMD8<Float>()
        var i = 0
        while i + 8 <= s { acc += f(VectorMath.load(p + i)); i += 8 }
        var total = 0.0
        for l in 0..<8 { total += Double(acc[l]) }
        while i < s { total += Double(f(SIMD8(repeating: p[i]))[0]); i += 1 }
        return total
    }

    /// The forward pass; the statistics are kept for `backward` (which recomputes everything else from x).
    public static func forward(_ x: Tensor, groups: Int, gamma: Tensor, beta: Tensor, scale: Tensor? = nil,
                               shift: Tensor? = nil, eps: Float = 1e-5) throws -> (output: Tensor, statistics: GroupNormStatistics) {
        let (n, c, s) = try check("groupNormSiLU", x, groups: groups, gamma: gamma, beta: beta, scale: scale, shift: shift)
        var mean = Tensor(zeros: [n, groups]), rstd = Tensor(zeros: [n, groups])
        let cg = c / groups
        let xp = x.storage.pointer, gp = gamma.storage.pointer, bp = beta.storage.pointer
        let sp = scale?.storage.pointer, tp = shift?.storage.pointer
        let mp = mean.ownedPointer, rp = rstd.ownedPointer
        let y = Tensor(unsafeUninitializedShape: x.shape) { buf in
            let yp = buf.baseAddress!
            Parallel.forEach(n * groups) { ng in
                let sample = ng / groups, g = ng % groups
                let base = (sample * c + g * cg) * s
                let (mu, r) = moments(xp + base, planes: cg, s: s, eps: eps)
                mp[ng] = Float(mu)
                rp[ng] = Float(r)
                for ch in (g * cg)..<((g + 1) * cg) {
                    let m = 1 + Double(sp?[sample * c + ch] ?? 0)
                    let a = r * Double(gp[ch]) * m
                    let b = (Double(bp[ch]) - mu * r * Double(gp[ch])) * m + Double(tp?[sample * c + ch] ?? 0)
                    apply(xp + (sample * c + ch) * s, yp + (sample * c + ch) * s, s, Float(a), Float(b))
                }
            }
        }
        return (y, GroupNormStatistics(mean: mean, rstd: rstd))
    }

    /// y = silu(a x + b) over one channel plane (16 lanes at a time under WXENS_AVX512, the same bits per element).
    @inline(__always)
    static func apply(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ s: Int, _ a: Float, _ b: Float) {
        let av = SIMD8<Float>(repeating: a), bv = SIMD8<Float>(repeating: b)
        var i = 0
        #if WXENS_AVX512
        let av16 = SIMD16<Float>(repeating: a), bv16 = SIMD16<Float>(repeating: b)
        while i + 16 <= s {
            let z = VectorMath.load16(x + i) * av16 + bv16
            VectorMath.store(z * VectorMath.sigmoid(z), y + i)
            i += 16
        }
        #endif
        while i + 8 <= s {
            let z = VectorMath.load(x + i) * av + bv
            VectorMath.store(z * VectorMath.sigmoid(z), y + i)
            i += 8
        }
        if i < s {
            var tail = SIMD8<Float>()
            for l in 0..<(s - i) { tail[l] = x[i + l] }
            let z = tail * av + bv
            let o = z * VectorMath.sigmoid(z)
            for l in 0..<(s - i) { y[i + l] = o[l] }
        }
    }
}
