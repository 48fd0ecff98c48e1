import Foundation
import WXCore
import WXPipelines
import WXVerification

// The block scorer as it was before it used WXVerification's sorted tiles: every point gathered, sorted and scored one
// at a time. Kept as the plain reference the tiled `BlockScorer` must match bit for bit.
/// Reference scorer: per-point CRPS (standard and fair), ensemble-mean error, ensemble variance, exact ranks and event
/// probabilities by the scalar path, then area-weighted means per block.
///
/// Formulas (per point, m valid members x_i, truth y):
/// CRPS = (1/m) sum|x_i - y| - 1/(2m^2) sum_ij |x_i - x_j| (Gneiting & Raftery 2007; properscoring),
/// fair CRPS = (1/m) sum|x_i - y| - 1/(2m(m-1)) sum_ij |x_i - x_j| (Ferro 2014; WeatherBench2's CRPS),
/// with sum_ij |x_i - x_j| = 2 sum_i (2i - m - 1) x_(i) over sorted members;
/// Brier = (p - o)^2, fair Brier = (p - o)^2 - p(1 - p)/(m - 1) (Ferro 2014), p = (members in event)/m.
/// Points are cut into a fixed number of chunks reduced in order, so results are the same bits at any thread count.
struct ScalarBlockScorer: Sendable {
    /// Area weights per point (unnormalised; normalised over the valid points of each block).
    var weights: [Double]
    /// Events with per-point thresholds, in the accumulator's event order.
    var events: [ResolvedEvent]
    /// Climatological mean per point, for ACC (nil: no ACC).
    var climatologyMean: [Double]?
    /// NaN handling.
    var nanPolicy: NaNPolicy

    /// Fixed number of work pieces per block (independent of the thread count).
    static let chunks = 32

    /// A scorer.
    init(weights: [Double], events: [ResolvedEvent], climatologyMean: [Double]?, nanPolicy: NaNPolicy) {
        self.weights = weights
        self.events = events
        self.climatologyMean = climatologyMean
        self.nanPolicy = nanPolicy
    }

    private struct Partial {
        var w = 0.0, wFair = 0.0, crps = 0.0, fair = 0.0, se = 0.0, err = 0.0, ae = 0.0, variance = 0.0
        var skill = 0.0, spread = 0.0
        var accFO = 0.0, accFF = 0.0, accOO = 0.0
        var points = 0, nan = 0, minM = Int.max, maxM = 0
        var ranks: RankHistogramAccumulator
        var brier: [Double], brierFair: [Double]
        var tables: [ProbabilityEventAccumulator]
        var binWP: [Double]
        init(ranks: RankHistogramAccumulator, tables: [ProbabilityEventAccumulator]) {
            self.ranks = ranks
            self.tables = tables
            brier = Array(repeating: 0, count: tables.count)
            brierFair = brier
            binWP = Array(repeating: 0, count: tables.count * (ranks.members + 1))
        }
    }

    /// Scores one block into `acc`. Returns the position (point index) of the first NaN seen, if any.
    @discardableResult
    func score(_ block: ScoreBlock, into acc: inout VerificationAccumulator) throws -> Int? {
        let M = block.members, P = block.points, E = events.count
        let nominal = acc.members
        let empty = Partial(ranks: try RankHistogramAccumulator(members: nominal),
                            tables: try (0..<E).map { _ in try ProbabilityEventAccumulator(members: nominal) })
        var parts = [Partial](repeating: empty, count: Self.chunks)
        var firstNaN = [Int](repeating: Int.max, count: Self.chunks)
        parts.withUnsafeMutableBufferPointer { partsBuf in
            firstNaN.withUnsafeMutableBufferPointer { nanBuf in
                let pb = partsBuf, nb = nanBuf
                Parallel.forEach(Self.chunks) { c in
                    let lo = P * c / Self.chunks, hi = P * (c + 1) / Self.chunks
                    var part = empty
                    var xs = [Double](repeating: 0, count: M)
                    for p in lo..<hi {
                        let y = block.truth[p]
                        var m = 0
                        var sawNaN = !y.isFinite
                        for i in 0..<M {
                            let v = block.forecast[i * P + p]
                            if v.isFinite { xs[m] = v; m += 1 } else { sawNaN = true }
                        }
                        if sawNaN {
                            part.nan += 1
                            if nb[c] == Int.max { nb[c] = p }
                            if nanPolicy != .omit { continue }
                        }
                        guard y.isFinite, m > 0 else { continue }
                        let w = weights[p]
                        part.points += 1
                        part.minM = min(part.minM, m)
                        part.maxM = max(part.maxM, m)
                        // Ensemble mean and variance (two-pass), and the rank counts.
                        var sum = 0.0
                        for i in 0..<m { sum += xs[i] }
                        let mean = sum / Double(m)
                        var ss = 0.0, below = 0, equal = 0
                        for i in 0..<m {
                            let d = xs[i] - mean
                            ss += d * d
                            if xs[i] < y { below += 1 } else if xs[i] == y { equal += 1 }
                        }
                        // One sort serves both CRPS estimators.
                        let (crps, fair): (Double, Double) = xs.withUnsafeMutableBufferPointer { b in
                            var s = UnsafeMutableBufferPointer(rebasing: b[0..<m])
                            s.sort()
                            let sorted = UnsafeBufferPointer(s)
                            return (CRPS.fromSorted(sorted, observation: y, estimator: .standard),
                                    m >= 2 ? CRPS.fromSorted(sorted, observation: y, estimator: .fair) : .nan)
                        }
                        let md = Double(m)
                        part.w += w
                        part.crps += w * crps
                        let e = mean - y
                        part.se += w * e * e
                        part.err += w * e
                        part.ae += w * abs(e)
                        if m >= 2 {
                            part.wFair += w
                            part.fair += w * fair
                            part.variance += w * ss / (md - 1)
                            let split = CRPSSkillSpread.from(standard: crps, fair: fair, members: m)
                            part.skill += w * split.skill
                            part.spread += w * split.spread
                        }
                        if let clim = climatologyMean {
                            let fa = mean - clim[p], oa = y - clim[p]
                            part.accFO += w * fa * oa
                            part.accFF += w * fa * fa
                            part.accOO += w * oa * oa
                        }
                        if m == nominal { part.ranks.add(below: below, equal: equal) }
                        for (ei, ev) in events.enumerated() {
                            let t = ev.thresholds.count == 1 ? ev.thresholds[0] : ev.thresholds[p]
                            var k = 0
                            for i in 0..<m where ev.comparison.holds(xs[i], t) { k += 1 }
                            let prob = Double(k) / md
                            let observed = ev.comparison.holds(y, t)
                            let d = prob - (observed ? 1 : 0)
                            part.brier[ei] += w * d * d
                            if m >= 2 { part.brierFair[ei] += w * (d * d - prob * (1 - prob) / (md - 1)) }
                            let bin = Int((prob * Double(nominal)).rounded())
                            part.tables[ei].add(memberCount: bin, event: observed, weight: w)
                            part.binWP[ei * (nominal + 1) + bin] += w * prob
                        }
                    }
                    pb[c] = part
                }
            }
        }
        // Reduce the chunks in order.
        var t = empty
        for part in parts {
            t.w += part.w; t.wFair += part.wFair; t.crps += part.crps; t.fair += part.fair; t.se += part.se
            t.err += part.err; t.ae += part.ae; t.variance += part.variance
            t.skill += part.skill; t.spread += part.spread
            t.accFO += part.accFO; t.accFF += part.accFF; t.accOO += part.accOO
            t.points += part.points; t.nan += part.nan; t.minM = min(t.minM, part.minM); t.maxM = max(t.maxM, part.maxM)
            try t.ranks.merge(part.ranks)
            for i in 0..<E {
                t.brier[i] += part.brier[i]; t.brierFair[i] += part.brierFair[i]
                try t.tables[i].merge(part.tables[i])
            }
            for i in t.binWP.indices { t.binWP[i] += part.binWP[i] }
        }
        acc.blocks += 1
        if t.nan > 0 && nanPolicy == .propagate { acc.nanBlocks += 1 }
        acc.points += t.points
        acc.minValidMembers = min(acc.minValidMembers, t.minM)
        acc.maxValidMembers = max(acc.maxValidMembers, t.maxM)
        try acc.ranks.merge(t.ranks)
        if t.w > 0 {
            acc.inits += 1
            acc.sumCRPS += t.crps / t.w
            acc.sumSquaredError += t.se / t.w
            acc.sumError += t.err / t.w
            acc.sumAbsError += t.ae / t.w
            if climatologyMean != nil, t.accFF > 0, t.accOO > 0 {
                acc.sumACC += t.accFO / (t.accFF * t.accOO).squareRoot()
                acc.accInits += 1
            }
            for ei in 0..<E {
                acc.events[ei].sumBrier += t.brier[ei] / t.w
                if t.wFair > 0 { acc.events[ei].sumBrierFair += t.brierFair[ei] / t.wFair; acc.events[ei].fairInits += 1 }
                try acc.events[ei].table.merge(t.tables[ei], dividingWeightsBy: t.w)
                for k in 0...nominal { acc.events[ei].probabilityWeight[k] += t.binWP[ei * (nominal + 1) + k] / t.w }
            }
        }
        if t.wFair > 0 {
            acc.fairInits += 1
            acc.sumCRPSFair += t.fair / t.wFair
            acc.sumVariance += t.variance / t.wFair
            acc.sumCRPSSkill += t.skill / t.wFair
            acc.sumCRPSSpread += t.spread / t.wFair
        }
        let first = firstNaN.min() ?? Int.max
        return first == Int.max ? nil : first
    }
}
