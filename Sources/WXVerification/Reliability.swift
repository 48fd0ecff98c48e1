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
