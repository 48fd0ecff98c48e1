import Foundation
import WXCore

/// Per-(sample, group) statistics saved by the GroupNorm forward pass for its backward pass.
public struct GroupNormStatistics: Sendable {
    /// Mean of each (sample, group), shape [N, G].
    public var mean: Tensor
    /// 1 / sqrt(variance + eps) of each (sample, group), shape [N, G] (biased variance, as torch).
    public var rstd: Tensor
}

/// Group normalisation (Wu & He 2018; torch `group_norm`): y = (x - mean_g) * rstd_g * gamma[c] + beta[c].
public enum GroupNorm {
    /// Validates x [N, C, ...], the group count and the affine parameters; returns (N, C, S).
    static func check(_ op: String, _ x: Tensor, groups: Int, gamma: Tensor?, beta: Tensor?) throws -> (Int, Int, Int) {
        guard x.rank >= 2 else { throw KernelError.shapeMismatch(op: op, detail: "expected [N, C, ...], got \(x.shape)") }
        let n = x.shape[0], c = x.shape[1], s = x.shape.dropFirst(2).reduce(1, *)
        guard groups > 0, c % groups == 0 else {
            throw KernelError.invalidParameter(op: op, detail: "\(groups) groups do not divide \(c) channels")
        }
        for (name, p) in [("gamma", gamma), ("beta", beta)] {
            if let p, p.shape != [c] { throw KernelError.shapeMismatch(op: op, detail: "\(name) is \(p.shape), expected [\(c)]") }
        }
        return (n, c, s)
    }

    /// Normalises each (sample, group) of x [N, C, ...] over its channels and positions; statistics in Double.
    public static func forward(_ x: Tensor, groups: Int, gamma: Tensor? = nil, beta: Tensor? = nil,
                               eps: Float = 1e-5) throws -> (output: Tensor, statistics: GroupNormStatistics) {
        let (n, c, s) = try check("groupNorm", x, groups: groups, gamma: gamma, beta: beta)
        guard eps >= 0, eps.isFinite else { throw KernelError.invalidParameter(op: "groupNorm", detail: "eps \(eps) must be finite and >= 0") }
        let cg = c / groups, count = cg * s
        var y = Tensor(zeros: x.shape), mean = Tensor(zeros: [n, groups]), rstd = Tensor(zeros: [n, groups])
        let xp = x.storage.pointer, yp = y.ownedPointer, mp = mean.ownedPointer, rp = rstd.ownedPointer
        let gp = gamma?.storage.pointer, bp = beta?.storage.pointer
        Parallel.forEach(n * groups) { ng in
            let sample = ng / groups, g = ng % groups
            let base = (sample * c + g * cg) * s
            var acc = 0.0
            for i in base..<(base + count) { acc += Double(xp[i]) }
            let mu = count > 0 ? acc / Double(count) : 0
            var sq = 0.0
            for i in base..<(base + count) { let d = Double(xp[i]) - mu; sq += d * d }
            let variance = count > 0 ? sq / Double(count) : 0
            let r = 1 / (variance + Double(eps)).squareRoot()
            mp[ng] = Float(mu)
            rp[ng] = Float(r)
            for ch in (g * cg)..<((g + 1) * cg) {
                let gam = gp.map { Double($0[ch]) } ?? 1, bet = bp.map { Double($0[ch]) } ?? 0
                let a = Float(r * gam), b = Float(bet), m = Float(mu)
                let o = (sample * c + ch) * s
                for i in o..<(o + s) { yp[i] = (xp[i] - m) * a + b }
            }
        }
        return (y, GroupNormStatistics(mean: mean, rstd: rstd))
    }
}
