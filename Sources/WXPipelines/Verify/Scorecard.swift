import Foundation
import WXVerification

/// One score: variable, lead time, metric name and value (a row of scores.csv).
public struct ScoreRow: Sendable, Equatable, Codable {
    /// Forecast variable name.
    public var variable: String
    /// Lead time in hours.
    public var leadTimeHours: Double
    /// Published metric name (`MetricName`), e.g. crps, brier_score_gt280.
    public var metric: String
    /// Score value (NaN when undefined).
    public var value: Double

    /// A row.
    public init(variable: String, leadTimeHours: Double, metric: String, value: Double) {
        self.variable = variable
        self.leadTimeHours = leadTimeHours
        self.metric = metric
        self.value = value
    }
}

/// Reliability table, ROC points and contingency counts of one event at one variable and lead.
public struct EventDiagnostics: Sendable {
    /// Event name.
    public var name: String
    /// Mean forecast probability per bin (NaN for empty bins).
    public var forecastProbability: [Double]
    /// Observed relative frequency per bin (NaN for empty bins).
    public var observedFrequency: [Double]
    /// Forecasts per bin.
    public var counts: [Int]
    /// Weighted base rate of the event.
    public var baseRate: Double
    /// ROC false-alarm rates for thresholds p >= k/M, k = 0...M+1.
    public var falseAlarmRate: [Double]
    /// ROC hit rates for the same thresholds.
    public var hitRate: [Double]
    /// Hits, false alarms, misses, correct negatives (point counts) for the forecast "p >= 0.5".
    public var contingency: ContingencyTable
}

/// All scores of a verification run, computed from its accumulators.
public struct Scorecard: Sendable {
    /// Accumulators per variable and lead, in output order.
    public var accumulators: [VerificationAccumulator]
    /// Run description stored in the outputs (weighting, NaN policy, files, events).
    public var metadata: VerificationMetadata

    /// A scorecard over accumulators.
    public init(accumulators: [VerificationAccumulator], metadata: VerificationMetadata) {
        self.accumulators = accumulators
        self.metadata = metadata
    }

    /// Variables in first-seen order.
    public var variables: [String] {
        var seen: [String] = []
        for a in accumulators where !seen.contains(a.variable) { seen.append(a.variable) }
        return seen
    }

    /// Lead times (hours) in ascending order over all variables.
    public var leadTimesHours: [Double] { Array(Set(accumulators.map(\.leadTimeHours))).sorted() }

    /// The accumulator of a variable at a lead.
    public func accumulator(_ variable: String, _ lead: Double) -> VerificationAccumulator? {
        accumulators.first { $0.variable == variable && $0.leadTimeHours == lead }
    }

    /// The scorecard's own metric keys for an accumulator (`crps` is the standard estimator here; published names
    /// are `MetricName`'s).
    public static func metricNames(for a: VerificationAccumulator, hasClimatology: Bool) -> [String] {
        var m = ["crps", "crps_fair", "crps_skill", "crps_spread", "rmse", "bias", "mae", "spread", "spread_skill", "spread_skill_uncorrected"]
        if hasClimatology { m.append("acc") }
        m.append("rank_delta")
        for e in a.events {
            m += ["brier_\(e.name)", "brier_fair_\(e.name)", "brier_rel_\(e.name)", "brier_res_\(e.name)",
                  "brier_unc_\(e.name)", "roc_auc_\(e.name)", "sedi_\(e.name)"]
        }
        return m
    }

    /// Every score as long-form rows (variable, lead, metric, value) under its published name (`MetricName`).
    public var rows: [ScoreRow] {
        var out: [ScoreRow] = []
        for a in accumulators {
            let values = MetricName.values(of: a, hasClimatology: metadata.hasClimatology)
            for m in MetricName.all(for: a, hasClimatology: metadata.hasClimatology) {
                out.append(ScoreRow(variable: a.variable, leadTimeHours: a.leadTimeHours, metric: m.name, value: values[m.name] ?? .nan))
            }
        }
        return out
    }

    /// Scores of one accumulator by the scorecard's own keys (see `BlockScorer` for per-point formulas).
    ///
    /// crps_skill, crps_spread = mean over inits of the area means of (1/m)Σ|x_i − y| and Σ_ij|x_i − x_j|/(m(m − 1))
    /// (WeatherBench2's CRPSSkill and CRPSSpread; each point with its own m, over the points with m >= 2, so
    /// crps_fair = crps_skill − crps_spread/2); rmse = sqrt(mean over inits of area-mean squared ensemble-mean error); spread = sqrt(mean of area-mean ensemble
    /// variance, ddof 1); spread_skill = sqrt((M+1)/M) spread/rmse (Fortin et al. 2014), spread_skill_uncorrected = spread/rmse;
    /// acc = mean over inits of sum w f'o' / sqrt(sum w f'^2 sum w o'^2) (uncentred, WeatherBench2);
    /// rank_delta = Candille & Talagrand (2005) delta = sum_k (s_k - S/(M+1))^2 / (S M/(M+1));
    /// Brier decomposition (Murphy 1973) over probability bins k/M: REL - RES + UNC = BS;
    /// roc_auc by the trapezoid rule over thresholds p >= k/M; SEDI (Ferro & Stephenson 2011) for the forecast p >= 0.5;
    /// the tables are WXVerification's (`RankHistogramAccumulator`, `ProbabilityEventAccumulator`, `ContingencyTable`).
    public static func scores(of a: VerificationAccumulator, hasClimatology: Bool) -> [String: Double] {
        var s: [String: Double] = [:]
        let names = metricNames(for: a, hasClimatology: hasClimatology)
        if a.nanBlocks > 0 || a.inits == 0 {
            for n in names { s[n] = .nan }
            return s
        }
        let n = Double(a.inits)
        s["crps"] = a.sumCRPS / n
        let rmse = (a.sumSquaredError / n).squareRoot()
        s["rmse"] = rmse
        s["bias"] = a.sumError / n
        s["mae"] = a.sumAbsError / n
        if a.fairInits > 0, let ss = spreadSkill(of: a) {
            s["crps_fair"] = a.sumCRPSFair / Double(a.fairInits)
            s["crps_skill"] = a.sumCRPSSkill / Double(a.fairInits)
            s["crps_spread"] = a.sumCRPSSpread / Double(a.fairInits)
            s["spread"] = ss.spread
            s["spread_skill"] = rmse > 0 ? ss.correctedRatio : .nan
            s["spread_skill_uncorrected"] = rmse > 0 ? ss.ratio : .nan
        } else {
            for k in ["crps_fair", "crps_skill", "crps_spread", "spread", "spread_skill", "spread_skill_uncorrected"] { s[k] = .nan }
        }
        if hasClimatology { s["acc"] = a.accInits > 0 ? a.sumACC / Double(a.accInits) : .nan }
        s["rank_delta"] = a.ranks.count > 0 ? a.ranks.unreliability : .nan
        for e in a.events {
            let d = diagnostics(of: e, members: a.members)
            s["brier_\(e.name)"] = e.sumBrier / n
            s["brier_fair_\(e.name)"] = e.fairInits > 0 ? e.sumBrierFair / Double(e.fairInits) : .nan
            // Bins at the mean forecast probability of their points (k/M unless members were omitted).
            let bd = e.table.brierDecomposition(binProbabilityWeights: e.probabilityWeight)
            s["brier_rel_\(e.name)"] = bd.reliability
            s["brier_res_\(e.name)"] = bd.resolution
            s["brier_unc_\(e.name)"] = d.baseRate * (1 - d.baseRate)
            s["roc_auc_\(e.name)"] = e.table.rocArea
            s["sedi_\(e.name)"] = d.contingency.symmetricExtremalDependenceIndex
        }
        return s
    }

    /// The init-mean squared error and variance of an accumulator as WXVerification's spread-skill sums (each init's
    /// area mean weighing 1), or nil when no init had two members.
    static func spreadSkill(of a: VerificationAccumulator) -> SpreadSkillAccumulator? {
        guard a.fairInits > 0, var ss = try? SpreadSkillAccumulator(members: a.members) else { return nil }
        ss.squaredError.sumWeightedValues = a.sumSquaredError
        ss.squaredError.sumWeights = Double(a.inits)
        ss.squaredError.count = a.inits
        ss.error.sumWeightedValues = a.sumError
        ss.error.sumWeights = Double(a.inits)
        ss.error.count = a.inits
        ss.variance.sumWeightedValues = a.sumVariance
        ss.variance.sumWeights = Double(a.fairInits)
        ss.variance.count = a.fairInits
        return ss
    }

    /// Reliability, ROC and contingency of one event accumulator.
    public static func diagnostics(of e: EventAccumulator, members M: Int) -> EventDiagnostics {
        let table = e.table
        let W = table.totalWeight, O = table.weightedEventCounts.reduce(0, +)
        let fp = e.weight.indices.map { e.weight[$0] > 0 ? e.probabilityWeight[$0] / e.weight[$0] : .nan }
        let of = e.weight.indices.map { e.weight[$0] > 0 ? e.observedWeight[$0] / e.weight[$0] : .nan }
        // ROC points for p >= k/M, k = 0...M, then "never"; undefined rates are NaN.
        let roc = table.rocCurve
        let hr = roc.map { O > 0 ? $0.hitRate : .nan }
        let far = roc.map { W - O > 0 ? $0.falseAlarmRate : .nan }
        let K = (M + 1) / 2  // smallest k with k/M >= 0.5
        var ct = ContingencyTable()
        for k in 0...M {
            let ev = Double(table.eventCounts[k]), non = Double(table.pointCounts[k] - table.eventCounts[k])
            if k >= K { ct.hits += ev; ct.falseAlarms += non } else { ct.misses += ev; ct.correctNegatives += non }
        }
        return EventDiagnostics(name: e.name, forecastProbability: fp, observedFrequency: of, counts: table.pointCounts,
                                baseRate: W > 0 ? table.baseRate : .nan, falseAlarmRate: far, hitRate: hr, contingency: ct)
    }
}
