/// One bin of a reliability diagram.
public struct ReliabilityBin: Codable, Sendable, Equatable {
    /// Forecast probability of the bin (k/M, or the mean forecast probability of a binned diagram).
    public var forecastProbability: Double
    /// Observed relative frequency of the event in the bin (NaN when empty).
    public var observedFrequency: Double
    /// Number of points in the bin.
    public var count: Int
    /// Number of observed events in the bin.
    public var events: Int
}

extension ProbabilityEventAccumulator {
    /// Reliability diagram on member counts: one bin per k with p = k/M, ō_k = o_k/n_k and n_k
    /// (Wilks 2011, §8.4.4; unweighted counts).
    public var reliabilityDiagram: [ReliabilityBin] {
        (0...members).map { k in
            ReliabilityBin(forecastProbability: probability(k),
                           observedFrequency: pointCounts[k] == 0 ? .nan : Double(eventCounts[k]) / Double(pointCounts[k]),
                           count: pointCounts[k], events: eventCounts[k])
        }
    }

    /// Reliability diagram on probability bins with the given ascending edges: bins are [e_i, e_{i+1}) and the last
    /// one is closed (numpy `histogram`, xskillscore `reliability`). `forecastProbability` is the bin centre.
    public func reliabilityDiagram(binEdges e: [Double]) throws -> [ReliabilityBin] {
        guard e.count >= 2, zip(e, e.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw VerificationError.invalidParameter(name: "binEdges", value: "\(e)", reason: "need at least two strictly increasing edges")
        }
        var bins = (0..<(e.count - 1)).map { ReliabilityBin(forecastProbability: (e[$0] + e[$0 + 1]) / 2, observedFrequency: .nan, count: 0, events: 0) }
        for k in 0...members {
            let p = probability(k)
            guard p >= e[0], p <= e[e.count - 1] else { continue }
            var b = 0
            while b < bins.count - 1 && p >= e[b + 1] { b += 1 }
            bins[b].count += pointCounts[k]
            bins[b].events += eventCounts[k]
        }
        for b in bins.indices where bins[b].count > 0 { bins[b].observedFrequency = Double(bins[b].events) / Double(bins[b].count) }
        return bins
    }
}

/// One bin of a reliability diagram on equal-width probability bins, from weighted counts.
public struct WeightedReliabilityBin: Codable, Sendable, Equatable {
    /// Lower edge of the bin, i/B.
    public var lower: Double
    /// Upper edge of the bin, (i+1)/B (the last bin includes it).
    public var upper: Double
    /// Weighted mean forecast probability of the points in the bin (NaN when empty).
    public var forecastProbability: Double
    /// Weighted observed relative frequency of the event in the bin (NaN when empty).
    public var observedFrequency: Double
    /// Number of points in the bin (unweighted).
    public var count: Int
    /// Σ w over the points in the bin.
    public var weight: Double
}

extension ProbabilityEventAccumulator {
    /// Reliability diagram on `bins` equal-width bins [i/B, (i+1)/B), the last closed: member count k falls in bin
    /// min(⌊kB/M⌋, B−1) (integer arithmetic, so p = k/M on an edge goes up as in numpy `histogram`); per bin
    /// p̄ = Σ_k P_k / Σ_k W_k and ō = Σ_k O_k / Σ_k W_k with W_k, O_k the weighted point and event counts and P_k the
    /// weighted forecast probability (`probabilityWeights`, default W_k k/M) (Wilks 2011, §8.4.4).
    public func reliabilityDiagram(bins B: Int = 10, probabilityWeights: [Double]? = nil) throws -> [WeightedReliabilityBin] {
        guard B >= 1 else {
            throw VerificationError.invalidParameter(name: "bins", value: "\(B)", reason: "need at least one bin")
        }
        if let pw = probabilityWeights, pw.count != members + 1 {
            throw VerificationError.sizeMismatch(what: "probabilityWeights (one per member count 0...M)", expected: members + 1, got: pw.count)
        }
        var out = (0..<B).map {
            WeightedReliabilityBin(lower: Double($0) / Double(B), upper: Double($0 + 1) / Double(B),
                                   forecastProbability: .nan, observedFrequency: .nan, count: 0, weight: 0)
        }
        var p = [Double](repeating: 0, count: B), o = [Double](repeating: 0, count: B)
        for k in 0...members {
            let b = min(k * B / members, B - 1)
            out[b].count += pointCounts[k]
            out[b].weight += weightedPointCounts[k]
            p[b] += probabilityWeights?[k] ?? weightedPointCounts[k] * probability(k)
            o[b] += weightedEventCounts[k]
        }
        for b in 0..<B where out[b].weight > 0 {
            out[b].forecastProbability = p[b] / out[b].weight
            out[b].observedFrequency = o[b] / out[b].weight
        }
        return out
    }
}
