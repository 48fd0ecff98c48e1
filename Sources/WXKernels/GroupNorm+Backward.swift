import WXCore

extension GroupNorm {
    /// Gradients of `forward` for input, gamma and beta (gamma/beta gradients are nil when the forward had none).
    ///
    /// With xhat = (x - mean) rstd and dxhat = g gamma, over the M elements of a group:
    /// dx = rstd (dxhat - mean(dxhat) - xhat mean(dxhat xhat)); dgamma = sum g xhat; dbeta = sum g.
    public static func backward(_ x: Tensor, groups: Int, gamma: Tensor? = nil, statistics: GroupNormStatistics,
                                gradOutput: Tensor, hasBeta: Bool = true) throws
        -> (gradInput: Tensor, gradGamma: Tensor?, gradBeta: Tensor?) {
        let (n, c, s) = try check("groupNormBackward", x, groups: groups, gamma: gamma, beta: nil)
        guard gradOutput.shape == x.shape else {
            throw KernelError.shapeMismatch(op: "groupNormBackward", detail: "gradOutput \(gradOutput.shape) differs from x \(x.shape)")
        }
        guard statistics.mean.shape == [n, groups], statistics.rstd.shape == [n, groups] else {
            throw KernelError.shapeMismatch(op: "groupNormBackward", detail: "statistics are \(statistics.mean.shape), expected [\(n), \(groups)]")
        }
        let cg = c / groups, count = Double(cg * s)
        var dx = Tensor(zeros: x.shape)
        if n == 0 || s == 0 {
            return (dx, gamma == nil ? nil : Tensor(zeros: [c]), hasBeta ? Tensor(zeros: [c]) : nil)
        }
        // Per (sample, channel): sum g x and sum g, in Double.
        var sumGX = [Double](repeating: 0, count: n * c), sumG = [Double](repeating: 0, count: n * c)
        let xp = x.storage.pointer, gp = gradOutput.storage.pointer, dxp = dx.ownedPointer
        let gam = gamma?.storage.pointer, mp = statistics.mean.storage.pointer, rp = statistics.rstd.storage.pointer
        sumGX.withUnsafeMutableBufferPointer { sgx in
            sumG.withUnsafeMutableBufferPointer { sg in
                let sgxp = sgx.baseAddress!, sgp = sg.baseAddress!
                Parallel.forEach(n * groups) { ng in
                    let sample = ng / groups, g = ng % groups
                    let mu = Double(mp[ng]), r = Double(rp[ng])
                    var sumDxhat = 0.0, sumDxhatXhat = 0.0
                    for ch in (g * cg)..<((g + 1) * cg) {
                        let o = (sample * c + ch) * s
                        var a = 0.0, b = 0.0
                        for i in o..<(o + s) { a += Double(gp[i]) * Double(xp[i]); b += Double(gp[i]) }
                        sgxp[sample * c + ch] = a
                        sgp[sample * c + ch] = b
                        let gm = gam.map { Double($0[ch]) } ?? 1
                        sumDxhat += gm * b
                        sumDxhatXhat += gm * (a - mu * b) * r
                    }
                    let k1 = sumDxhat / count, k2 = sumDxhatXhat / count
                    for ch in (g * cg)..<((g + 1) * cg) {
                        let gm = gam.map { Double($0[ch]) } ?? 1
                        let o = (sample * c + ch) * s
                        // dx = r (g gm - k1 - (x - mu) r k2)
                        let a = Float(r * gm), b = Float(-r * r * k2), c0 = Float(-r * k1), m = Float(mu)
                        for i in o..<(o + s) { dxp[i] = a * gp[i] + b * (xp[i] - m) + c0 }
                    }
                }
            }
        }
        var dgamma: Tensor? = nil, dbeta: Tensor? = nil
        if gamma != nil {
            var t = Tensor(zeros: [c])
            let d = t.ownedPointer
            for ch in 0..<c {
                var acc = 0.0
                for sample in 0..<n {
                    let ng = sample * groups + ch / cg
                    acc += (sumGX[sample * c + ch] - Double(mp[ng]) * sumG[sample * c + ch]) * Double(rp[ng])
                }
                d[ch] = Float(acc)
            }
            dgamma = t
        }
        if hasBeta {
            var t = Tensor(zeros: [c])
            let d = t.ownedPointer
            for ch in 0..<c {
                var acc = 0.0
                for sample in 0..<n { acc += sumG[sample * c + ch] }
                d[ch] = Float(acc)
            }
            dbeta = t
        }
        return (dx, dgamma, dbeta)
    }
}
