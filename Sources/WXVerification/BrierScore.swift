/// The Brier score of ensemble event probabilities and its Murphy decomposition.
///
/// BS = (1/N) Σ (p − o)² with p = k/M (Brier 1950, MWR 78, 1); fair BS = (1/N) Σ [(p − o)² − p(1 − p)/(M − 1)]
/// (Ferro 2014; xskillscore `fair=True`, scores `fair_correction=True`). Murphy 1973 (JAM 12, 595) with one bin per
/// member count: REL = (1/N)Σ n_k (p_k − ō_k)², RES = (1/N)Σ n_k (ō_k − ō)², UNC = ō(1 − ō), and
/// REL − RES + UNC = BS exactly. Weighted forms replace counts by sums of weights.
public struct BrierDecomposition: Codable, Sendable, Equatable {
    /// Reliability term REL (smaller is better).
    public var reliability: Double
    /// Resolution term RES (larger is better).
    public var resolution: Double
    /// Uncertainty term UNC = ō(1 − ō).
    public var uncertainty: Double
    /// REL − RES + UNC.
    public var brierScore: Double { reliability - resolution + uncertainty }
}

extension ProbabilityEventAccumulator {
    /// The (weighted) Brier score; `fair` subtracts p(1 − p)/(M − 1) per point (NaN for M = 1).
    public func brierScore(fair: Bool = false) -> Double {
        var s = 0.0
        for k in 0...members {
            let p = probability(k), n = weightedPointCounts[k], o = weightedEventCounts[k]
            s += o * (1 - p) * (1 - p) + (n - o) * p * p
            if fair { s -= n * p * (1 - p) / Double(members - 1) }
        }
        return s / totalWeight
    }

    /// Murphy's decomposition with one bin per member count.
    public var brierDecomposition: BrierDecomposition { brierDecomposition(binProbabilityWeights: nil) }

    /// Murphy's decomposition with one bin per member count, where bin k's forecast probability is
    /// `binProbabilityWeights[k] / weightedPointCounts[k]` (the mean probability of its points, which differs from k/M
    /// when members were dropped) instead of k/M when given.
    public func brierDecomposition(binProbabilityWeights pw: [Double]?) -> BrierDecomposition {
        let total = totalWeight, obar = baseRate
        var rel = 0.0, res = 0.0
        for k in 0...members where weightedPointCounts[k] > 0 {
            let n = weightedPointCounts[k], ok = weightedEventCounts[k] / n
            let pk = pw.map { $0[k] / n } ?? probability(k)
            rel += n * (pk - ok) * (pk - ok)
            res += n * (ok - obar) * (ok - obar)
        }
        return BrierDecomposition(reliability: rel / total, resolution: res / total, uncertainty: obar * (1 - obar))
    }
}

/// Brier scores point by point.
public enum BrierScore {
    /// (p − o)² for probability p and outcome o, minus p(1 − p)/(m − 1) when `fair` (Ferro 2014), m members.
    @inline(__always)
    public static func point(probability p: Double, observed: Bool, members m: Double, fair: Bool) -> Double {
        let d = p - (observed ? 1 : 0)
        return fair ? d * d - p * (1 - p) / (m - 1) : d * d
    }

    /// (p − o)² at every point, p = (members with the event)/M, o = 1 if the observation is an event; `fair`
    /// subtracts p(1 − p)/(M − 1). A NaN member or observation gives NaN (`propagate`) or is dropped from p (`omit`).
    public static func pointwise<T: VerificationScalar>(forecast: [T], observations: [T], members: Int, event: ThresholdEvent,
                                                        fair: Bool = false, nanPolicy: NaNPolicy = .propagate) throws -> [Double] {
        let n = observations.count
        guard members >= 1, forecast.count == members * n else {
            throw VerificationError.sizeMismatch(what: "forecast (members × points = \(members) × \(n))", expected: members * n, got: forecast.count)
        }
        try event.check(points: n)
        var out = [Double](repeating: 0, count: n)
        for p in 0..<n {
            let t = event.threshold(at: p), y = Double(observations[p])
            var k = 0.0, valid = 0.0, nan = y.isNaN || t.isNaN
            if y.isNaN && nanPolicy == .raise { throw VerificationError.nonFinite(what: "observations", index: p, value: y) }
            for i in 0..<members {
                let x = Double(forecast[i * n + p])
                if x.isNaN {
                    if nanPolicy == .raise { throw VerificationError.nonFinite(what: "forecast", index: i * n + p, value: x) }
                    if nanPolicy == .propagate { nan = true }
                    continue
                }
                valid += 1
                if event.comparison.isEvent(x, t) { k += 1 }
            }
            if nan || valid == 0 { out[p] = .nan; continue }
            out[p] = point(probability: k / valid, observed: event.comparison.isEvent(y, t), members: valid, fair: fair)
        }
        return out
    }
}
