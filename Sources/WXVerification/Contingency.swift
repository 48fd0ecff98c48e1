import Foundation

/// A 2×2 contingency table of yes/no forecasts against observed events, mergeable across shards.
///
/// a = hits, b = false alarms, c = misses, d = correct negatives, n = a + b + c + d; H = a/(a + c), F = b/(b + d).
/// Scores (Wilks 2011, §8.2; Jolliffe & Stephenson 2012): POD = H, POFD = F, FAR = b/(a + b), frequency bias
/// (a + b)/(a + c), CSI = a/(a + b + c), ETS = (a − a_r)/(a + b + c − a_r) with a_r = (a + b)(a + c)/n,
/// Peirce = H − F, Heidke = 2(ad − bc)/[(a + c)(c + d) + (a + b)(b + d)], odds ratio = ad/(bc),
/// EDI = (ln F − ln H)/(ln F + ln H) and SEDI = [ln F − ln H − ln(1 − F) + ln(1 − H)]/[ln F + ln H + ln(1 − F) + ln(1 − H)]
/// (Ferro & Stephenson 2011, WAF 26, 699). Undefined ratios give NaN.
public struct ContingencyTable: Codable, Sendable, Equatable {
    /// a: forecast yes, observed yes.
    public var hits: Double = 0
    /// b: forecast yes, observed no.
    public var falseAlarms: Double = 0
    /// c: forecast no, observed yes.
    public var misses: Double = 0
    /// d: forecast no, observed no.
    public var correctNegatives: Double = 0
    /// Points skipped because of NaN.
    public var skipped = 0

    /// A table from its four (possibly weighted) counts.
    public init(hits: Double = 0, falseAlarms: Double = 0, misses: Double = 0, correctNegatives: Double = 0) {
        self.hits = hits
        self.falseAlarms = falseAlarms
        self.misses = misses
        self.correctNegatives = correctNegatives
    }

    /// Adds deterministic forecasts and observations for an event, with optional weights; NaN points are skipped
    /// (`propagate`, `omit`) or throw (`raise`).
    public mutating func add(forecast: [Double], observations: [Double], event: ThresholdEvent,
                             weights: [Double]? = nil, nanPolicy: NaNPolicy = .propagate) throws {
        let n = observations.count
        guard forecast.count == n else { throw VerificationError.sizeMismatch(what: "forecast", expected: n, got: forecast.count) }
        if let w = weights, w.count != n { throw VerificationError.sizeMismatch(what: "weights", expected: n, got: w.count) }
        try event.check(points: n)
        for p in 0..<n {
            let x = forecast[p], y = observations[p], t = event.threshold(at: p)
            if x.isNaN || y.isNaN || t.isNaN {
                if nanPolicy == .raise { throw VerificationError.nonFinite(what: x.isNaN ? "forecast" : "observations", index: p, value: .nan) }
                skipped += 1
                continue
            }
            let w = weights?[p] ?? 1
            switch (event.comparison.isEvent(x, t), event.comparison.isEvent(y, t)) {
            case (true, true): hits += w
            case (true, false): falseAlarms += w
            case (false, true): misses += w
            case (false, false): correctNegatives += w
            }
        }
    }

    /// Adds another table's counts.
    public mutating func merge(_ other: ContingencyTable) {
        hits += other.hits; falseAlarms += other.falseAlarms; misses += other.misses
        correctNegatives += other.correctNegatives; skipped += other.skipped
    }

    /// Total count n.
    public var total: Double { hits + falseAlarms + misses + correctNegatives }
    /// Probability of detection (hit rate) H = a/(a + c).
    public var probabilityOfDetection: Double { hits / (hits + misses) }
    /// Probability of false detection (false-alarm rate) F = b/(b + d).
    public var probabilityOfFalseDetection: Double { falseAlarms / (falseAlarms + correctNegatives) }
    /// False-alarm ratio b/(a + b).
    public var falseAlarmRatio: Double { falseAlarms / (hits + falseAlarms) }
    /// Frequency bias (a + b)/(a + c).
    public var frequencyBias: Double { (hits + falseAlarms) / (hits + misses) }
    /// Critical success index (threat score) a/(a + b + c).
    public var criticalSuccessIndex: Double { hits / (hits + falseAlarms + misses) }
    /// Equitable threat score (Gilbert skill score).
    public var equitableThreatScore: Double {
        let ar = (hits + falseAlarms) * (hits + misses) / total
        return (hits - ar) / (hits + falseAlarms + misses - ar)
    }
    /// Peirce skill score (Hanssen–Kuipers) H − F.
    public var peirceSkillScore: Double { probabilityOfDetection - probabilityOfFalseDetection }
    /// Heidke skill score.
    public var heidkeSkillScore: Double {
        let (a, b, c, d) = (hits, falseAlarms, misses, correctNegatives)
        return 2 * (a * d - b * c) / ((a + c) * (c + d) + (a + b) * (b + d))
    }
    /// Odds ratio ad/(bc).
    public var oddsRatio: Double { hits * correctNegatives / (falseAlarms * misses) }
    /// Extremal dependence index (ln F − ln H)/(ln F + ln H) (NaN when F or H is 0 or 1).
    public var extremalDependenceIndex: Double {
        let h = probabilityOfDetection, f = probabilityOfFalseDetection
        guard h > 0, h < 1, f > 0, f < 1 else { return .nan }
        return (log(f) - log(h)) / (log(f) + log(h))
    }
    /// Symmetric extremal dependence index (NaN when F or H is 0 or 1).
    public var symmetricExtremalDependenceIndex: Double {
        let h = probabilityOfDetection, f = probabilityOfFalseDetection
        guard h > 0, h < 1, f > 0, f < 1 else { return .nan }
        return (log(f) - log(h) - log(1 - f) + log(1 - h)) / (log(f) + log(h) + log(1 - f) + log(1 - h))
    }
}
