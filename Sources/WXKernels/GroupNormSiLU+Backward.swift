import WXCore

/// Gradients of `GroupNormSiLU.forward`.
public struct GroupNormSiLUGradients: Sendable {
    /// Gradient of x.
    public var input: Tensor
    /// Gradients of gamma and beta [C].
    public var gamma: Tensor, beta: Tensor
    /// Gradients of scale and shift [N, C] (nil when the forward had none).
    public var scale: Tensor?, shift: Tensor?
}

extension GroupNormSiLU {
    /// Gradients of `forward` from x, its statistics and the output gradient.
    ///
    /// With xhat = (x - mean) rstd, u = xhat gamma + beta, z = u (1 + scale) + shift and gz = g silu'(z):
    /// dshift = sum gz, dscale = sum gz u (per sample and channel); dbeta = sum gz (1 + scale), dgamma = sum gz (1 + scale) xhat
    /// (over samples); with d = gz (1 + scale) gamma, dx = rstd (d - mean_group(d) - xhat mean_group(d xhat)).
    public static func backward(_ x: Tensor, groups: Int, gamma: Tensor, beta: Tensor, scale: Tensor? = nil,
                                shift: Tensor? = nil, statistics: GroupNormStatistics,
                                gradOutput: Tensor) throws -> GroupNormSiLUGradients {
        let (n, c, s) = try check("groupNormSiLUBackward", x, groups: groups, gamma: gamma, beta: beta, scale: scale, shift: shift)
        guard gradOutput.shape == x.shape else {
            throw KernelError.shapeMismatch(op: "groupNormSiLUBackward", detail: "gradOutput \(gradOutput.shape) differs from x \(x.shape)")
        }
        guard statistics.mean.shape == [n, groups], statistics.rstd.shape == [n, groups] else {
            throw KernelError.shapeMismatch(op: "groupNormSiLUBackward",
                                            detail: "statistics are \(statistics.mean.shape), expected [\(n), \(groups)]")
        }
        let cg = c / groups
        // Per (sample, channel): sum gz and sum gz xhat.
        var sumGZ = [Double](repeating: 0, count: n * c), sumGZXhat = [Double](repeating: 0, count: n * c)
        let xp = x.storage.pointer, gop = gradOutput.storage.pointer
        let gp = gamma.storage.pointer, bp = beta.storage.pointer, sp = scale?.storage.pointer, tp = shift?.storage.pointer
        let mp = statistics.mean.storage.pointer, rp = statistics.rstd.storage.pointer
        let dx = Tensor(unsafeUninitializedShape: x.shape) { buf in
            let dxp = buf.baseAddress!
            sumGZ.withUnsafeMutableBufferPointer { sgz in
                sumGZXhat.withUnsafeMutableBufferPointer { sgzx in
                    let sgzp = sgz.baseAddress!, sgzxp = sgzx.baseAddress!
                    Parallel.forEach(n * groups) { ng in
                        let sample = ng / groups, g = ng % groups
                        let mu = Double(mp[ng]), r = Double(rp[ng])
                        var k1 = 0.0, k2 = 0.0
                        for ch in (g * cg)..<((g + 1) * cg) {
                            let nc = sample * c + ch
                            let m = 1 + Double(sp?[nc] ?? 0)
                            let a = r * Double(gp[ch]) * m
                            let b = (Double(bp[ch]) - mu * r * Double(gp[ch])) * m + Double(tp?[nc] ?? 0)
                            // gz into dx; sums of gz and gz x.
                            let (sg, sgx) = siluGradient(xp + nc * s, gop + nc * s, dxp + nc * s, s, Float(a), Float(b))
                            let sgxhat = (sgx - mu * sg) * r
                            sgzp[nc] = sg
                            sgzxp[nc] = sgxhat
                            k1 += Double(gp[ch]) * m * sg
                            k2 += Double(gp[ch]) * m * sgxhat
                        }
                        let count = Double(cg * s)
                        k1 /= count
                        k2 /= count
                        for ch in (g * cg)..<((g + 1) * cg) {
                            let nc = sample * c + ch
                            let m = 1 + Double(sp?[nc] ?? 0)
                            // dx = r (gz m gamma - k1 - (x - mu) r k2)
                            let ag = Float(r * m * Double(gp[ch])), bx = Float(-r * r * k2), c0 = Float(-r * k1 + r * r * k2 * mu)
                            inputGradient(xp + nc * s, dxp + nc * s, s, ag, bx, c0)
                        }
                    }
                }
            }
        }
        var dgamma = Tensor(zeros: [c]), dbeta = Tensor(zeros: [c])
        let dgp = dgamma.ownedPointer, dbp = dbeta.ownedPointer
        for ch in 0..<c {
            var ag = 0.0, ab = 0.0
            for sample in 0..<n {
                let nc = sample * c + ch
                let m = 1 + Double(sp?[nc] ?? 0)
                ag += m * sumGZXhat[nc]
                ab += m * sumGZ[nc]
            }
            dgp[ch] = Float(ag)
            dbp[ch] = Float(ab)
        }
        var dscale: Tensor? = nil, dshift: Tensor? = nil
        if let scale, shift != nil {
            var ds = Tensor(zeros: scale.shape), dt = Tensor(zeros: scale.shape)
            let dsp = ds.ownedPointer, dtp = dt.ownedPointer
            for sample in 0..<n {
                for ch in 0..<c {
                    let nc = sample * c + ch
                    // sum gz u = gamma sum gz xhat + beta sum gz
                    dsp[nc] = Float(Double(gp[ch]) * sumGZXhat[nc] + Double(bp[ch]) * sumGZ[nc])
                    dtp[nc] = Float(sumGZ[nc])
                }
            }
            dscale = ds
            dshift = dt
        }
        return GroupNormSiLUGradients(input: dx, gamma: dgamma, beta: dbeta, scale: dscale, shift: dshift)
    }

    /// Writes gz = g silu'(a x + b) to `out` over one plane and returns (sum gz, sum gz x) in Double (16 lanes at a
    /// time under WXENS_AVX512, the same bits).
    @inline(__always)
    static func siluGradient(_ x: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                             _ s: Int, _ a: Float, _ b: Float) -> (Double, Double) {
        let av = SIMD8<Float>(repeating: a), bv = SIMD8<Float>(repeating: b)
        @inline(__always) func gz(_ xv: SIMD8<Float>, _ gv: SIMD8<Float>) -> SIMD8<Float> {
            let z = xv * av + bv
            let sig = VectorMath.sigmoid(z)
            return gv * sig * (1 + z * (1 - sig))
        }
        var accG = SIMD8<Float>(), accGX = SIMD8<Float>()
        var i = 0
        #if WXENS_AVX512
        i = siluGradient16(x, g, out, s, a, b, &accG, &accGX)
        #endif
        while i + 8 <= s {
            let xv = VectorMath.load(x + i)
            let v = gz(xv, VectorMath.load(g + i))
            VectorMath.store(v, out + i)
            accG += v
            accGX += v * xv
            i += 8
        }
        var sg = 0.0, sgx = 0.0
        for l in 0..<8 { sg += Double(accG[l]); sgx += Double(accGX[l]) }
        if i < s {
            var xt = SIMD8<Float>(), gt = SIMD8<Float>()
            for l in 0..<(s - i) { xt[l] = x[i + l]; gt[l] = g[i + l] }
            let v = gz(xt, gt)
            for l in 0..<(s - i) { out[i + l] = v[l]; sg += Double(v[l]); sgx += Double(v[l] * xt[l]) }
        }
        return (sg, sgx)
    }

    #if WXENS_AVX512
    /// The leading multiple of 16 elements of `siluGradient`, 16 lanes at a time; the low then the high half go into
    /// the 8 accumulator lanes, the order of the SIMD8 loop. Returns the count done. Out of line: inlined into the
    /// large backward closure, its `VectorMath` calls were left out of line.
    @inline(never)
    static func siluGradient16(_ x: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                               _ s: Int, _ a: Float, _ b: Float,
                               _ accG: inout SIMD8<Float>, _ accGX: inout SIMD8<Float>) -> Int {
        let av = SIMD16<Float>(repeating: a), bv = SIMD16<Float>(repeating: b)
        var i = 0
        while i + 16 <= s {
            let xv = VectorMath.load16(x + i)
            let z = xv * av + bv
            let sig = VectorMath.sigmoid(z)
            let v = VectorMath.load16(g + i) * sig * (1 + z * (1 - sig))
            VectorMath.store(v, out + i)
            let vx = v * xv
            accG += v.lowHalf
            accGX += vx.lowHalf
            accG += v.highHalf
            accGX += vx.highHalf
            i += 16
        }
        return i
    }
    #endif

    /// dx = ag gz + bx x + c0 in place over one plane (gz is what `out` holds; 16 lanes at a time under WXENS_AVX512).
    @inline(__always)
    static func inputGradient(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ s: Int,
                              _ ag: Float, _ bx: Float, _ c0: Float) {
        let a = SIMD8<Float>(repeating: ag), b = SIMD8<Float>(repeating: bx), c = SIMD8<Float>(repeating: c0)
        var i = 0
        #if WXENS_AVX512
        let a16 = SIMD16<Float>(repeating: ag), b16 = SIMD16<Float>(repeating: bx), c16 = SIMD16<Float>(repeating: c0)
        while i + 16 <= s {
            VectorMath.store(a16 * VectorMath.load16(out + i) + b16 * VectorMath.load16(x + i) + c16, out + i)
            i += 16
        }
        #endif
        while i + 8 <= s {
            VectorMath.store(a * VectorMath.load(out + i) + b * VectorMath.load(x + i) + c, out + i)
            i += 8
        }
        while i < s { out[i] = ag * out[i] + bx * x[i] + c0; i += 1 }
    }
}
