/// Counts of an ensemble's event probabilities against observed events, per member count k = 0…M.
///
/// For each point, k = number of members for which the event happens (forecast probability p_k = k/M) and
/// o = 1 if the observation is an event. The table keeps n_k (points), o_k (events) as integers and their weighted
/// versions; the Brier score and its decomposition, the reliability diagram, the ROC curve and the relative economic
/// value are all functions of it, so merging shards is exact. Points with any NaN member or a NaN observation are
/// skipped (a probability k/M needs every member) under `propagate` and `omit`; `raise` throws.
public struct ProbabilityEventAccumulator: Codable, Sendable, Equatable {
    /// Ensemble size M.
    public var members: Int
    /// n_k: points whose forecast had k members with the event.
    public var pointCounts: [Int]
    /// o_k: of those, points where the event was observed.
    public var eventCounts: [Int]
    /// Σ w over the points of each k.
    public var weightedPointCounts: [Double]
    /// Σ w over the observed events of each k.
    public var weightedEventCounts: [Double]
    /// Points skipped because of NaN.
    public var skipped = 0

    /// An empty table for ensembles of `members` members.
    public init(members: Int) throws {
        guard members >= 1 else {
            throw VerificationError.invalidParameter(name: "members", value: "\(members)", reason: "an ensemble needs at least one member")
        }
        self.members = members
        pointCounts = [Int](repeating: 0, count: members + 1)
        eventCounts = pointCounts
        weightedPointCounts = [Double](repeating: 0, count: members + 1)
        weightedEventCounts = weightedPointCounts
    }

    /// Adds a member-major block `forecast[m * points + p]` against `observations[p]` for `event`, with optional weights.
    public mutating func add<T: VerificationScalar>(forecast: [T], observations: [T], event: ThresholdEvent,
                                                    weights: [Double]? = nil, nanPolicy: NaNPolicy = .propagate) throws {
        let n = observations.count, m = members
        guard forecast.count == m * n else {
            throw VerificationError.sizeMismatch(what: "forecast (members × points = \(m) × \(n))", expected: m * n, got: forecast.count)
        }
        if let w = weights, w.count != n { throw VerificationError.sizeMismatch(what: "weights", expected: n, got: w.count) }
        try event.check(points: n)
        var k = [Int32](repeating: 0, count: n)
        var bad = [Bool](repeating: false, count: n)
        for i in 0..<m {
            let base = i * n
            for p in 0..<n {
                let x = Double(forecast[base + p])
                if x.isNaN {
                    if nanPolicy == .raise { throw VerificationError.nonFinite(what: "forecast", index: base + p, value: x) }
                    bad[p] = true
                }
                k[p] &+= event.comparison.isEvent(x, event.threshold(at: p)) ? 1 : 0
            }
        }
        for p in 0..<n {
            let y = Double(observations[p])
            if y.isNaN {
                if nanPolicy == .raise { throw VerificationError.nonFinite(what: "observations", index: p, value: y) }
                bad[p] = true
            }
            if bad[p] || event.threshold(at: p).isNaN { skipped += 1; continue }
            let kk = Int(k[p]), w = weights?[p] ?? 1
            pointCounts[kk] += 1
            weightedPointCounts[kk] += w
            if event.comparison.isEvent(y, event.threshold(at: p)) {
                eventCounts[kk] += 1
                weightedEventCounts[kk] += w
            }
        }
    }

    /// Adds one point from its number of members with the event (`memberCount`, 0…M) and whether the observation is an
    /// event, with weight `weight`; for callers that already counted (or sorted) the point's members.
    public mutating func add(memberCount k: Int, event observed: Bool, weight w: Double = 1) {
        precondition(k >= 0 && k <= members, "member count \(k) outside 0...\(members)")
        pointCounts[k] += 1
        weightedPointCounts[k] += w
        if observed {
            eventCounts[k] += 1
            weightedEventCounts[k] += w
        }
    }

    /// Adds another table's counts (same ensemble size).
    public mutating func merge(_ other: ProbabilityEventAccumulator) throws {
        try merge(other, dividingWeightsBy: 1)
    }

    /// Adds another table's counts with its weighted counts divided by `divisor` (e.g. its total weight, so that a
    /// block's points carry normalised weights and every block counts once).
    public mutating func merge(_ other: ProbabilityEventAccumulator, dividingWeightsBy divisor: Double) throws {
        guard other.members == members else {
            throw VerificationError.incompatibleMerge(what: "event tables of \(members) and \(other.members) members")
        }
        for k in 0...members {
            pointCounts[k] += other.pointCounts[k]
            eventCounts[k] += other.eventCounts[k]
            weightedPointCounts[k] += other.weightedPointCounts[k] / divisor
            weightedEventCounts[k] += other.weightedEventCounts[k] / divisor
        }
        skipped += other.skipped
    }

    /// Forecast probability of member count k: k/M.
    @inline(__always)
    public func probability(_ k: Int) -> Double { Double(k) / Double(members) }

    /// Number of points counted.
    public var count: Int { pointCounts.reduce(0, +) }
    /// Σ w over all points counted.
    public var totalWeight: Double { weightedPointCounts.reduce(0, +) }
    /// Weighted base rate ō = Σ w o / Σ w.
    public var baseRate: Double { weightedEventCounts.reduce(0, +) / totalWeight }
}
