import Foundation
import WXVerification
import WXCore

/// An event with its threshold resolved to one value per grid point (or one value for all points).
public struct ResolvedEvent: Sendable {
    /// The comparison.
    public var comparison: EventComparison
    /// Thresholds: one per point, or a single value used everywhere.
    public var thresholds: [Double]

    /// A resolved event.
    public init(comparison: EventComparison, thresholds: [Double]) {
        self.comparison = comparison
        self.thresholds = thresholds
    }

    @inline(__always) func threshold(_ p: Int) -> Double { thresholds.count == 1 ? thresholds[0] : thresholds[p] }
}

/// One (init, lead) block: members x points of forecast and the matching truth, ready to score.
public struct ScoreBlock {
    /// Forecast values, member-major: value of member m at point p is `forecast[m * points + p]`.
    public var forecast: UnsafeBufferPointer<Double>
    /// Truth per point.
    public var truth: UnsafeBufferPointer<Double>
    /// Members in the block.
    public var members: Int
    /// Points in the block.
    public var points: Int

    /// A block over caller-owned buffers.
    public init(forecast: UnsafeBufferPointer<Double>, truth: UnsafeBufferPointer<Double>, members: Int, points: Int) {
        self.forecast = forecast
        self.truth = truth
        self.members = members
        self.points = points
    }
}

/// Scores (init, lead) blocks into a `VerificationAccumulator`: per-point statistics from WXVerification's
/// `EnsemblePointStatistics` (one sort per point gives both CRPS estimators, the truth's rank and every event's member
/// count), then area-weighted means per block, the one place weights are applied (WeatherBench2 order: spatial mean per
/// init, then mean over inits).
///
/// Formulas (per point, m valid members x_i, truth y, weight w): CRPS and fair CRPS as in `EnsemblePointStatistics`;
/// skill and spread = `CRPSSkillSpread.from(standard:fair:members: m)` (WeatherBench2's CRPSSkill, CRPSSpread, each
/// point with its own m, over the points with m >= 2 as the fair CRPS); error e = mean − y; variance =
/// Σ(x_i − mean)²/(m − 1); Brier = (p − o)², fair Brier = `BrierScore.point(fair:)`, p = (members in event)/m; ACC sums from `AnomalyCorrelationAccumulator`. Block means are Σ w s / Σ w over the scored
/// points. Points are cut into a fixed number of chunks reduced in order, so results are the same bits at any thread count.
public struct BlockScorer: Sendable {
    /// Area weights per point (unnormalised; normalised over the valid points of each block).
    public var weights: [Double]
    /// Events with per-point thresholds, in the accumulator's event order.
    public var events: [ResolvedEvent]
    /// Climatological mean per point, for ACC (nil: no ACC).
    public var climatologyMean: [Double]?
    /// NaN handling.
    public var nanPolicy: NaNPolicy
    private let thresholdEvents: [ThresholdEvent]

    /// Fixed number of work pieces per block (independent of the thread count).
    static let chunks = 32

    /// A scorer.
    public init(weights: [Double], events: [ResolvedEvent], climatologyMean: [Double]?, nanPolicy: NaNPolicy) {
        self.weights = weights
        self.events = events
        self.climatologyMean = climatologyMean
        self.nanPolicy = nanPolicy
        thresholdEvents = events.map { ThresholdEvent(thresholds: $0.thresholds, comparison: $0.comparison.thresholdComparison) }
    }

    /// Weighted sums of one chunk of points (or of a whole block once the chunks are merged in order).
    private struct Partial {
        var w = 0.0, wFair = 0.0, crps = 0.0, fair = 0.0, se = 0.0, err = 0.0, ae = 0.0, variance = 0.0
        var skill = 0.0, spread = 0.0
        var acc = AnomalyCorrelationAccumulator()
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

        mutating func merge(_ part: Partial) throws {
            w += part.w; wFair += part.wFair; crps += part.crps; fair += part.fair; se += part.se
            err += part.err; ae += part.ae; variance += part.variance
            skill += part.skill; spread += part.spread
            acc.merge(part.acc)
            points += part.points; nan += part.nan; minM = min(minM, part.minM); maxM = max(maxM, part.maxM)
            try ranks.merge(part.ranks)
            for i in brier.indices {
                brier[i] += part.brier[i]; brierFair[i] += part.brierFair[i]
                try tables[i].merge(part.tables[i])
            }
            for i in binWP.indices { binWP[i] += part.binWP[i] }
        }
    }

    /// Per-worker point statistics, freed with the worker.
    private final class Workspace {
        let stats: EnsemblePointStatistics
        init(_ stats: EnsemblePointStatistics) { self.stats = stats }
        deinit { stats.deallocate() }
    }

    /// Scores one block into `acc`. Returns the position (point index) of the first NaN seen, if any.
    @discardableResult
    public func score(_ block: ScoreBlock, into acc: inout VerificationAccumulator) throws -> Int? {
        let M = block.members, P = block.points, E = events.count
        let nominal = acc.members
        let empty = Partial(ranks: try RankHistogramAccumulator(members: nominal),
                            tables: try (0..<E).map { _ in try ProbabilityEventAccumulator(members: nominal) })
        var parts = [Partial](repeating: empty, count: Self.chunks)
        var firstNaN = [Int](repeating: Int.max, count: Self.chunks)
        let capacity = (P + Self.chunks - 1) / Self.chunks
        _ = try EnsemblePointStatistics(members: M, points: P, capacity: 0, events: thresholdEvents).deallocate()
        guard let fBase = block.forecast.baseAddress, let yBase = block.truth.baseAddress else { return nil }
        parts.withUnsafeMutableBufferPointer { partsBuf in
            firstNaN.withUnsafeMutableBufferPointer { nanBuf in
                let pb = partsBuf, nb = nanBuf
                Parallel.forEach(Self.chunks, perWorker: {
                    // Checked above: the members and thresholds are valid.
                    Workspace(try! EnsemblePointStatistics(members: M, points: P, capacity: capacity, events: thresholdEvents))
                }) { ws, c in
                    let lo = P * c / Self.chunks, hi = P * (c + 1) / Self.chunks
                    let st = ws.stats
                    st.compute(forecast: fBase, observations: yBase, range: lo..<hi, nanPolicy: nanPolicy)
                    var part = empty
                    for p in lo..<hi {
                        let j = p - lo
                        if st.nonFinite[j] {
                            part.nan += 1
                            if nb[c] == Int.max { nb[c] = p }
                        }
                        let m = Int(st.validMembers[j])
                        guard m > 0 else { continue }
                        add(point: p, m: m, y: yBase[p], stats: st, j: j, nominal: nominal, to: &part)
                    }
                    pb[c] = part
                }
            }
        }
        var t = empty
        for part in parts { try t.merge(part) }
        try finish(t, into: &acc)
        let first = firstNaN.min() ?? Int.max
        return first == Int.max ? nil : first
    }

    /// Adds one scored point's statistics with its area weight.
    @inline(__always)
    private func add(point p: Int, m: Int, y: Double, stats st: EnsemblePointStatistics, j: Int, nominal: Int, to part: inout Partial) {
        let w = weights[p]
        let md = Double(m)
        let mean = st.mean[j]
        part.points += 1
        part.minM = min(part.minM, m)
        part.maxM = max(part.maxM, m)
        part.w += w
        part.crps += w * st.crps[j]
        let e = mean - y
        part.se += w * e * e
        part.err += w * e
        part.ae += w * abs(e)
        if m >= 2 {
            part.wFair += w
            part.fair += w * st.crpsFair[j]
            let split = CRPSSkillSpread.from(standard: st.crps[j], fair: st.crpsFair[j], members: m)
            part.skill += w * split.skill
            part.spread += w * split.spread
            part.variance += w * st.squaredDeviations[j] / (md - 1)
        }
        if let clim = climatologyMean { part.acc.accumulate(forecast: mean, observation: y, climatology: clim[p], weight: w) }
        if m == nominal { part.ranks.add(below: Int(st.below[j]), equal: Int(st.equal[j])) }
        for (ei, ev) in events.enumerated() {
            let prob = Double(st.eventCounts[ei * st.capacity + j]) / md
            let observed = ev.comparison.holds(y, ev.threshold(p))
            let d = prob - (observed ? 1 : 0)
            part.brier[ei] += w * d * d
            if m >= 2 { part.brierFair[ei] += w * BrierScore.point(probability: prob, observed: observed, members: md, fair: true) }
            let bin = Int((prob * Double(nominal)).rounded())
            part.tables[ei].add(memberCount: bin, event: observed, weight: w)
            part.binWP[ei * (nominal + 1) + bin] += w * prob
        }
    }

    /// Adds a block's area-weighted means (each sum divided by the weight of its points) to the accumulator.
    private func finish(_ t: Partial, into acc: inout VerificationAccumulator) throws {
        let E = events.count, nominal = acc.members
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
            if climatologyMean != nil, t.acc.sumForecastSquares > 0, t.acc.sumObservationSquares > 0 {
                acc.sumACC += t.acc.acc
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
    }
}

extension EventComparison {
    /// The same comparison as WXVerification names it.
    var thresholdComparison: ThresholdComparison {
        switch self {
        case .greater: return .greater
        case .greaterOrEqual: return .greaterOrEqual
        case .less: return .less
        case .lessOrEqual: return .lessOrEqual
        }
    }
}
