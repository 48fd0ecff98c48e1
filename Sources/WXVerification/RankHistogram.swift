/// Rank histogram (Talagrand diagram) with ties split uniformly, kept as exact integer counts of (b, k) pairs.
///
/// For each point, b = number of members below the observation and k = number equal to it; the point adds
/// 1/(k + 1) to each of the ranks b + 1 … b + k + 1 (scores `rank_histogram`). Counting (b, k) pairs as integers
/// makes merging shards exact; the histogram is derived at the end. Points with any NaN (member or observation)
/// are skipped and counted in `skipped` under `propagate` and `omit` (a rank needs every member); `raise` throws.
/// Reference: Hamill 2001 (MWR 129, 550); Candille & Talagrand 2005 (QJRMS 131, 2131) for δ.
public struct RankHistogramAccumulator: Codable, Sendable, Equatable {
    /// Ensemble size M.
    public var members: Int
    /// pairCounts[b * (M + 1) + k]: points with b members below and k equal to the observation.
    public var pairCounts: [Int]
    /// Points skipped because of NaN.
    public var skipped = 0

    /// An empty histogram for ensembles of `members` members.
    public init(members: Int) throws {
        guard members >= 1 else {
            throw VerificationError.invalidParameter(name: "members", value: "\(members)", reason: "an ensemble needs at least one member")
        }
        self.members = members
        pairCounts = [Int](repeating: 0, count: (members + 1) * (members + 1))
    }

    /// Adds a member-major block `forecast[m * points + p]` against `observations[p]`.
    public mutating func add<T: VerificationScalar>(forecast: [T], observations: [T], nanPolicy: NaNPolicy = .propagate) throws {
        let n = observations.count, m = members
        guard forecast.count == m * n else {
            throw VerificationError.sizeMismatch(what: "forecast (members × points = \(m) × \(n))", expected: m * n, got: forecast.count)
        }
        var below = [Int32](repeating: 0, count: n), equal = [Int32](repeating: 0, count: n)
        var bad = [Bool](repeating: false, count: n)
        for p in 0..<n where observations[p].isNaN {
            if nanPolicy == .raise { throw VerificationError.nonFinite(what: "observations", index: p, value: Double(observations[p])) }
            bad[p] = true
        }
        for i in 0..<m {
            let base = i * n
            for p in 0..<n {
                let x = forecast[base + p], y = observations[p]
                if x.isNaN {
                    if nanPolicy == .raise { throw VerificationError.nonFinite(what: "forecast", index: base + p, value: Double(x)) }
                    bad[p] = true
                }
                below[p] &+= x < y ? 1 : 0
                equal[p] &+= x == y ? 1 : 0
            }
        }
        for p in 0..<n {
            if bad[p] { skipped += 1; continue }
            pairCounts[Int(below[p]) * (m + 1) + Int(equal[p])] += 1
        }
    }

    /// Adds one point from its number of members below (`below`) and equal to (`equal`) the observation, e.g. read
    /// off the point's sorted members; `below + equal` must not exceed the ensemble size.
    public mutating func add(below: Int, equal: Int) {
        precondition(below >= 0 && equal >= 0 && below + equal <= members, "rank counts \(below) below, \(equal) equal exceed \(members) members")
        pairCounts[below * (members + 1) + equal] += 1
    }

    /// Adds another histogram's counts (same ensemble size).
    public mutating func merge(_ other: RankHistogramAccumulator) throws {
        guard other.members == members else {
            throw VerificationError.incompatibleMerge(what: "rank histograms of \(members) and \(other.members) members")
        }
        for i in 0..<pairCounts.count { pairCounts[i] += other.pairCounts[i] }
        skipped += other.skipped
    }

    /// Number of points counted.
    public var count: Int { pairCounts.reduce(0, +) }

    /// Counts per rank 1 … M + 1 (index r − 1), ties split uniformly; they sum to `count`.
    public var counts: [Double] {
        let m = members
        var s = [Double](repeating: 0, count: m + 1)
        for b in 0...m {
            for k in 0...(m - b) {
                let c = pairCounts[b * (m + 1) + k]
                if c == 0 { continue }
                let share = Double(c) / Double(k + 1)
                for r in b...(b + k) { s[r] += share }
            }
        }
        return s
    }

    /// Relative frequency per rank (counts / count).
    public var frequencies: [Double] { let n = Double(count); return counts.map { $0 / n } }

    /// Unreliability δ = Δ / Δ₀ with Δ = Σ_k (s_k − N/(M+1))² and Δ₀ = N·M/(M+1) (Candille & Talagrand 2005);
    /// about 1 for a reliable ensemble, larger when the histogram is not flat.
    public var unreliability: Double {
        let n = Double(count), m = Double(members)
        let e = n / (m + 1)
        let delta = counts.reduce(0) { $0 + ($1 - e) * ($1 - e) }
        return delta / (n * m / (m + 1))
    }
}
