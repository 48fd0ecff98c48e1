/// Streaming weighted mean: Σ w·x, Σ w and the count, mergeable across shards.
///
/// mean = Σ w_i x_i / Σ w_i. Points whose value is NaN are skipped under `NaNPolicy.omit` (and counted in
/// `omitted`), make the mean NaN under `propagate`, and throw under `raise`. Merging partial accumulators of
/// shards gives the one-pass sums up to rounding and the counts exactly.
public struct WeightedMean: Codable, Sendable, Equatable {
    /// Σ w·x.
    public var sumWeightedValues: Double = 0
    /// Σ w.
    public var sumWeights: Double = 0
    /// Number of points added (not omitted).
    public var count: Int = 0
    /// Number of points skipped because their value was NaN (`omit`).
    public var omitted: Int = 0

    /// An empty accumulator.
    public init() {}

    /// The weighted mean so far (NaN when nothing was added).
    public var mean: Double { count == 0 ? .nan : sumWeightedValues / sumWeights }

    /// Adds one value with a weight.
    public mutating func add(_ value: Double, weight: Double = 1, nanPolicy: NaNPolicy = .propagate) throws {
        if value.isNaN {
            switch nanPolicy {
            case .omit: omitted += 1; return
            case .raise: throw VerificationError.nonFinite(what: "value", index: count + omitted, value: value)
            case .propagate: break
            }
        } else if nanPolicy == .raise && !value.isFinite {
            throw VerificationError.nonFinite(what: "value", index: count + omitted, value: value)
        }
        sumWeightedValues += weight * value
        sumWeights += weight
        count += 1
    }

    /// Adds a block of values with their weights (`weights` nil: all 1; otherwise one per value).
    public mutating func add(_ values: [Double], weights: [Double]? = nil, nanPolicy: NaNPolicy = .propagate) throws {
        if let w = weights, w.count != values.count {
            throw VerificationError.sizeMismatch(what: "weights", expected: values.count, got: w.count)
        }
        var swx = 0.0, sw = 0.0, n = 0, skipped = 0
        for i in 0..<values.count {
            let x = values[i], w = weights?[i] ?? 1
            if x.isNaN {
                if nanPolicy == .omit { skipped += 1; continue }
                if nanPolicy == .raise { throw VerificationError.nonFinite(what: "values", index: i, value: x) }
            } else if nanPolicy == .raise && !x.isFinite {
                throw VerificationError.nonFinite(what: "values", index: i, value: x)
            }
            swx += w * x
            sw += w
            n += 1
        }
        sumWeightedValues += swx
        sumWeights += sw
        count += n
        omitted += skipped
    }

    /// Adds another accumulator's sums (a shard's partial statistics).
    public mutating func merge(_ other: WeightedMean) {
        sumWeightedValues += other.sumWeightedValues
        sumWeights += other.sumWeights
        count += other.count
        omitted += other.omitted
    }

    /// This accumulator merged with another.
    public func merging(_ other: WeightedMean) -> WeightedMean {
        var r = self
        r.merge(other)
        return r
    }
}
