/// A point of the ROC curve: the event is forecast when p ≥ threshold.
public struct ROCPoint: Codable, Sendable, Equatable {
    /// Probability threshold (k/M; +∞ for the "never" point).
    public var threshold: Double
    /// Hit rate (POD) H = Σ_{j≥k} o_j / Σ o.
    public var hitRate: Double
    /// False-alarm rate (POFD) F = Σ_{j≥k} (n_j − o_j) / Σ (n − o).
    public var falseAlarmRate: Double
}

extension ProbabilityEventAccumulator {
    /// The ROC curve at thresholds k/M, k = 0…M, then +∞ (scores `roc_curve_data`), from the weighted table.
    /// Reference: Mason 1982 (Aust. Met. Mag. 30, 291); Wilks 2011, §8.4.7.
    public var rocCurve: [ROCPoint] {
        let events = weightedEventCounts.reduce(0, +), nonEvents = totalWeight - events
        var out: [ROCPoint] = []
        var h = 0.0, f = 0.0
        var tail: [(Double, Double)] = Array(repeating: (0, 0), count: members + 2)
        for k in stride(from: members, through: 0, by: -1) {
            h += weightedEventCounts[k]
            f += weightedPointCounts[k] - weightedEventCounts[k]
            tail[k] = (h, f)
        }
        for k in 0...members {
            out.append(ROCPoint(threshold: probability(k), hitRate: tail[k].0 / events, falseAlarmRate: tail[k].1 / nonEvents))
        }
        out.append(ROCPoint(threshold: .infinity, hitRate: 0, falseAlarmRate: 0))
        return out
    }

    /// The ROC curve at the given probability thresholds (event forecast when k/M ≥ t), e.g. scores' float thresholds,
    /// where 0.1·3 = 0.30000000000000004 excludes p = 3/10; `rocCurve` uses the exact member counts instead.
    public func rocCurve(probabilityThresholds: [Double]) -> [ROCPoint] {
        probabilityThresholds.map { t in
            let r = rates(probabilityThreshold: t)
            return ROCPoint(threshold: t, hitRate: r.hitRate, falseAlarmRate: r.falseAlarmRate)
        }
    }

    /// Area under the ROC curve by the trapezoid rule over the points of `rocCurve` (scores `roc_auc`).
    public var rocArea: Double {
        let c = rocCurve
        var a = 0.0
        for i in 0..<(c.count - 1) {
            a += (c[i].falseAlarmRate - c[i + 1].falseAlarmRate) * (c[i].hitRate + c[i + 1].hitRate) / 2
        }
        return a
    }

    /// Area under the ROC curve as the Mann–Whitney statistic: P(p_event > p_non-event) + ½ P(equal).
    public var rocAreaMannWhitney: Double {
        let events = weightedEventCounts.reduce(0, +), nonEvents = totalWeight - events
        var below = 0.0, s = 0.0
        for k in 0...members {
            let non = weightedPointCounts[k] - weightedEventCounts[k]
            s += weightedEventCounts[k] * (below + 0.5 * non)
            below += non
        }
        return s / (events * nonEvents)
    }
}
