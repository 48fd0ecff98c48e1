import Foundation

/// How a value is compared with a threshold to decide that an event happened.
public enum ThresholdComparison: String, Codable, Sendable, CaseIterable {
    /// x > t.
    case greater
    /// x ≥ t (scores' default `operator.ge`).
    case greaterOrEqual
    /// x < t.
    case less
    /// x ≤ t.
    case lessOrEqual

    /// Whether `x` is an event against threshold `t` (false for NaN).
    @inline(__always)
    public func isEvent(_ x: Double, _ t: Double) -> Bool {
        switch self {
        case .greater: return x > t
        case .greaterOrEqual: return x >= t
        case .less: return x < t
        case .lessOrEqual: return x <= t
        }
    }
}

/// A threshold event: one threshold for every point, or one per point (e.g. from a climatology).
public struct ThresholdEvent: Codable, Sendable, Equatable {
    /// Thresholds: one value (applied everywhere) or one per point.
    public var thresholds: [Double]
    /// The comparison, stated explicitly.
    public var comparison: ThresholdComparison

    /// An event `x comparison t` with the same threshold everywhere.
    public init(threshold: Double, comparison: ThresholdComparison) {
        thresholds = [threshold]
        self.comparison = comparison
    }

    /// An event with a threshold per point.
    public init(thresholds: [Double], comparison: ThresholdComparison) {
        self.thresholds = thresholds
        self.comparison = comparison
    }

    /// The threshold at point p.
    @inline(__always)
    public func threshold(at p: Int) -> Double { thresholds.count == 1 ? thresholds[0] : thresholds[p] }

    func check(points: Int) throws {
        guard thresholds.count == 1 || thresholds.count == points else {
            throw VerificationError.sizeMismatch(what: "thresholds (one, or one per point)", expected: points, got: thresholds.count)
        }
    }
}

/// Per-point thresholds derived from a climatology.
public enum ClimatologyThresholds {
    /// The q-quantile (0 ≤ q ≤ 1) at every point of a sample-major climatology `samples[s * points + p]`,
    /// by linear interpolation between order statistics (numpy `quantile` default, Hyndman & Fan 1996 type 7).
    /// NaN samples are ignored; a point with no finite sample gets NaN.
    public static func quantile(samples: [Double], sampleCount: Int, q: Double) throws -> [Double] {
        guard q >= 0, q <= 1 else { throw VerificationError.invalidParameter(name: "q", value: "\(q)", reason: "must be within [0, 1]") }
        guard sampleCount >= 1, samples.count % sampleCount == 0 else {
            throw VerificationError.sizeMismatch(what: "samples (sampleCount × points)", expected: sampleCount * max(1, samples.count / max(sampleCount, 1)), got: samples.count)
        }
        let points = samples.count / sampleCount
        var out = [Double](repeating: .nan, count: points)
        var column = [Double]()
        column.reserveCapacity(sampleCount)
        for p in 0..<points {
            column.removeAll(keepingCapacity: true)
            for s in 0..<sampleCount where !samples[s * points + p].isNaN { column.append(samples[s * points + p]) }
            if column.isEmpty { continue }
            column.sort()
            let h = Double(column.count - 1) * q
            let lo = Int(h.rounded(.down)), hi = min(lo + 1, column.count - 1)
            out[p] = column[lo] + (h - Double(lo)) * (column[hi] - column[lo])
        }
        return out
    }

    /// mean + k·sd at every point (k = ±2, ±3 for SEEDS-style anomaly events).
    public static func anomaly(mean: [Double], sd: [Double], k: Double) throws -> [Double] {
        guard mean.count == sd.count else { throw VerificationError.sizeMismatch(what: "sd", expected: mean.count, got: sd.count) }
        return zip(mean, sd).map { $0 + k * $1 }
    }
}
