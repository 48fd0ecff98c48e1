import Foundation
import WXCore
import WXGenerative

/// The normalisation of a SEEDS model from its training block: per lead, variable and grid point the mean and standard
/// deviation over inits and members; per lead and variable the residual scale q, the root mean square over inits,
/// grid points and every (seed pair, other member) of (a_member - mean of the pair's anomalies).
public enum SEEDSStatistics {
    /// Statistics of `block` (in Double; std floored at 1e-6 of the variable's mean std).
    public static func compute(_ block: ReforecastBlock, seeds k: Int) -> SEEDSConditioning {
        precondition(block.members > k, "SEEDSStatistics: needs more members than seeds")
        let nI = block.initTimes.count, nM = block.members, nL = block.leadHours.count
        let n = block.stateSize, v = block.variables.count, p = block.plane
        var mean = [Float](repeating: 0, count: nL * n), std = [Float](repeating: 0, count: nL * n)
        for l in 0..<nL {
            var s = [Double](repeating: 0, count: n), s2 = [Double](repeating: 0, count: n)
            for i in 0..<nI { for m in 0..<nM {
                let o = block.offset(init: i, member: m, lead: l)
                for k in 0..<n { let x = Double(block.values[o + k]); s[k] += x; s2[k] += x * x }
            } }
            let cnt = Double(nI * nM)
            for c in 0..<v {
                var meanStd = 0.0
                var sd = [Double](repeating: 0, count: p)
                for k in 0..<p {
                    let mu = s[c * p + k] / cnt
                    sd[k] = max(0, s2[c * p + k] / cnt - mu * mu).squareRoot()
                    mean[l * n + c * p + k] = Float(mu)
                    meanStd += sd[k] / Double(p)
                }
                for k in 0..<p { std[l * n + c * p + k] = Float(max(sd[k], 1e-6 * meanStd)) }
            }
        }
        let stats0 = SEEDSConditioning(mean: Tensor(shape: [nL, v, block.latitudes.count, block.longitudes.count], values: mean),
                                       std: Tensor(shape: [nL, v, block.latitudes.count, block.longitudes.count], values: std),
                                       residualScale: Tensor(shape: [nL, v], repeating: 1),
                                       latitudes: block.latitudes, longitudes: block.longitudes)
        var q = [Float](repeating: 0, count: nL * v)
        let combos = SEEDSExamples.combinations(members: nM, seeds: k)
        for l in 0..<nL {
            var acc = [Double](repeating: 0, count: v), count = 0
            for i in 0..<nI {
                let a = (0..<nM).map { m -> [Float] in
                    let o = block.offset(init: i, member: m, lead: l)
                    return stats0.anomalies(Array(block.values[o ..< o + n]), lead: l)
                }
                for c in combos {
                    for k in 0..<n {
                        var s: Float = 0
                        for j in c.seeds { s += a[j][k] }
                        let d = Double(a[c.target][k] - s / Float(c.seeds.count))
                        acc[k / p] += d * d
                    }
                    count += 1
                }
            }
            for c in 0..<v { q[l * v + c] = Float((acc[c] / Double(count * p)).squareRoot()) }
        }
        return SEEDSConditioning(mean: stats0.mean, std: stats0.std, residualScale: Tensor(shape: [nL, v], values: q),
                                 latitudes: block.latitudes, longitudes: block.longitudes)
    }
}

/// Training examples of a SEEDS model: every (init, lead, seed set, target member) of a reforecast block.
public enum SEEDSExamples {
    /// A set of seed members and a different target member.
    public struct Combination: Equatable, Sendable {
        /// The seed members (ascending).
        public var seeds: [Int]
        /// The target member.
        public var target: Int
    }

    /// Every k-subset of `members` with every member outside it as target.
    public static func combinations(members: Int, seeds k: Int) -> [Combination] {
        var out: [Combination] = []
        func subsets(_ start: Int, _ chosen: [Int]) {
            if chosen.count == k {
                for t in 0..<members where !chosen.contains(t) { out.append(Combination(seeds: chosen, target: t)) }
                return
            }
            guard start < members else { return }
            for m in start..<members { subsets(m + 1, chosen + [m]) }
        }
        subsets(0, [])
        return out
    }
}
