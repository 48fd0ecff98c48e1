/// Relative economic value of forecasts in the cost/loss model.
///
/// With cost/loss ratio α, base rate ō, hit rate H and false-alarm rate F:
/// V = [min(α, ō) − Fα(1 − ō) + Hō(1 − α) − ō] / [min(α, ō) − ōα] (Richardson 2000, QJRMS 126, 649, eq. 8;
/// scores `relative_economic_value`, which turns ±∞ into NaN). For a probability forecast the event is forecast
/// when p ≥ the probability threshold, and the value curve is the maximum over thresholds.
public enum EconomicValue {
    /// V for one (H, F, ō, α); NaN where the denominator is 0.
    public static func relative(hitRate h: Double, falseAlarmRate f: Double, baseRate o: Double, costLoss a: Double) -> Double {
        let clim = min(a, o)
        let v = (clim - f * a * (1 - o) + h * o * (1 - a) - o) / (clim - o * a)
        return v.isInfinite ? .nan : v
    }
}

extension ProbabilityEventAccumulator {
    /// Hit and false-alarm rates when the event is forecast for p = k/M ≥ `threshold`.
    public func rates(probabilityThreshold t: Double) -> (hitRate: Double, falseAlarmRate: Double) {
        let events = weightedEventCounts.reduce(0, +), nonEvents = totalWeight - events
        var h = 0.0, f = 0.0
        for k in 0...members where probability(k) >= t {
            h += weightedEventCounts[k]
            f += weightedPointCounts[k] - weightedEventCounts[k]
        }
        return (h / events, f / nonEvents)
    }

    /// V[threshold][cost/loss ratio] for the given probability thresholds (default k/M, k = 1…M) and ratios in [0, 1].
    public func relativeEconomicValue(costLossRatios: [Double], probabilityThresholds: [Double]? = nil) throws -> [[Double]] {
        for a in costLossRatios where !(a >= 0 && a <= 1) {
            throw VerificationError.invalidParameter(name: "costLossRatios", value: "\(a)", reason: "must be within [0, 1]")
        }
        let ts = probabilityThresholds ?? (1...members).map(probability)
        let o = baseRate
        return ts.map { t in
            let r = rates(probabilityThreshold: t)
            return costLossRatios.map { EconomicValue.relative(hitRate: r.hitRate, falseAlarmRate: r.falseAlarmRate, baseRate: o, costLoss: $0) }
        }
    }

    /// The value curve: for each cost/loss ratio the maximum of V over the probability thresholds (NaN ignored).
    public func maximumRelativeEconomicValue(costLossRatios: [Double], probabilityThresholds: [Double]? = nil) throws -> [Double] {
        let v = try relativeEconomicValue(costLossRatios: costLossRatios, probabilityThresholds: probabilityThresholds)
        return costLossRatios.indices.map { j in
            v.map { $0[j] }.filter { !$0.isNaN }.max() ?? .nan
        }
    }
}
