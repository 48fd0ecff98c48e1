import Foundation
import WXCore
import WXIO
import WXVerification

/// `scores.nc` in WeatherBench2's results layout and `diagnostics.nc` with rank histograms, reliability and ROC tables.
///
/// scores.nc: one variable per forecast variable with dims (metric, region, lead_time), `metric` and `region` string
/// coordinates (region "global"), `lead_time` in hours; `<var>_min_valid_members` / `<var>_max_valid_members`
/// (region, lead_time) give the fewest/most valid members at a scored point, `<var>_inits` the inits averaged.
public enum ScoresNetCDF {
    /// Writes `DIR/scores.nc` atomically.
    public static func writeScores(_ card: Scorecard, toDirectory dir: URL) throws {
        let leads = card.leadTimesHours
        var metrics: [String] = []
        for a in card.accumulators {
            for m in Scorecard.metricNames(for: a, hasClimatology: card.metadata.hasClimatology) where !metrics.contains(m) { metrics.append(m) }
        }
        var t = ScoreFile()
        t.dimension("metric", metrics.count)
        t.dimension("region", 1)
        t.dimension("lead_time", leads.count)
        t.variable("metric", ["metric"], .strings(metrics), ["long_name": .string("score name")])
        t.variable("region", ["region"], .strings(["global"]), ["long_name": .string("averaging region")])
        t.variable("lead_time", ["lead_time"], .doubles(leads),
                   ["units": .string("hours"), "standard_name": .string("forecast_period"), "long_name": .string("forecast lead time")])
        t.globalAttributes = globalAttributes(card, title: "wxens verification scores (WeatherBench2 results layout)")
        for v in card.variables {
            var data = [Double](repeating: .nan, count: metrics.count * leads.count)
            var minM = [Int64](repeating: -1, count: leads.count), maxM = minM, inits = minM, pts = minM
            for (li, l) in leads.enumerated() {
                guard let a = card.accumulator(v, l) else { continue }
                let s = Scorecard.scores(of: a, hasClimatology: card.metadata.hasClimatology)
                for (mi, m) in metrics.enumerated() { data[mi * leads.count + li] = s[m] ?? .nan }
                minM[li] = a.points > 0 ? Int64(a.minValidMembers) : 0
                maxM[li] = Int64(a.maxValidMembers)
                inits[li] = Int64(a.inits)
                pts[li] = Int64(a.points)
            }
            t.variable(v, ["metric", "region", "lead_time"], .doubles(data), [
                "long_name": .string("scores of \(v) by metric, region and lead time"),
                "value_units": .string("crps, crps_fair, rmse, bias, mae, spread in \(card.metadata.units[v].flatMap { $0.isEmpty ? nil : $0 } ?? "the variable's units"); ratios, acc, brier_*, roc_auc_*, sedi_*, rank_delta dimensionless"),
            ])
            for (suffix, what, vals) in [("min_valid_members", "fewest valid members at a scored point", minM),
                                         ("max_valid_members", "most valid members at a scored point", maxM),
                                         ("inits", "init times averaged (blocks with at least one valid point)", inits),
                                         ("points", "init x grid points scored", pts)] {
                t.variable("\(v)_\(suffix)", ["region", "lead_time"], .int64s(vals), ["long_name": .string("\(v): \(what)")])
            }
        }
        try t.write(to: dir.appendingPathComponent("scores.nc").path)
    }

    /// Writes `DIR/diagnostics.nc` atomically: rank histograms, reliability tables, ROC points and contingency tables.
    public static func writeDiagnostics(_ card: Scorecard, toDirectory dir: URL) throws {
        let leads = card.leadTimesHours
        var t = ScoreFile()
        t.dimension("lead_time", leads.count)
        t.dimension("contingency", 4)
        t.variable("lead_time", ["lead_time"], .doubles(leads), ["units": .string("hours"), "standard_name": .string("forecast_period")])
        t.variable("contingency", ["contingency"], .strings(["hits", "false_alarms", "misses", "correct_negatives"]),
                   ["long_name": .string("2x2 table entries for the forecast p >= 0.5")])
        t.globalAttributes = globalAttributes(card, title: "wxens verification diagnostics: rank histograms, reliability, ROC, contingency")
        for v in card.variables {
            let accs = leads.map { card.accumulator(v, $0) }
            guard let M = accs.compactMap({ $0?.members }).first else { continue }
            let rankDim = "\(v)_rank", binDim = "\(v)_probability_bin", rocDim = "\(v)_roc_threshold"
            t.dimension(rankDim, M + 1)
            t.dimension(binDim, M + 1)
            t.dimension(rocDim, M + 2)
            var rh = [Double](repeating: .nan, count: leads.count * (M + 1))
            for (li, a) in accs.enumerated() { if let a { for (r, c) in a.rankHistogram.enumerated() { rh[li * (M + 1) + r] = c } } }
            t.variable("\(v)_rank_histogram", ["lead_time", rankDim], .doubles(rh), [
                "long_name": .string("\(v): rank histogram counts, rank 1..M+1, ties split equally (an observation with b members below and k equal adds 1/(k+1) to ranks b+1..b+k+1)")])
            let events = accs.compactMap { $0 }.first?.events.map(\.name) ?? []
            for e in events {
                let def = accs.compactMap { $0?.events.first { $0.name == e }?.definition }.first ?? e
                let specs: [(String, String, String, Int)] = [
                    ("reliability_forecast_probability", binDim, "mean forecast probability in bin k (p = k/M)", M + 1),
                    ("reliability_observed_frequency", binDim, "observed relative frequency in bin k (area-weighted)", M + 1),
                    ("reliability_count", binDim, "forecasts in bin k", M + 1),
                    ("roc_hit_rate", rocDim, "hit rate for the forecast p >= k/M, k = 0..M+1", M + 2),
                    ("roc_false_alarm_rate", rocDim, "false-alarm rate for the forecast p >= k/M, k = 0..M+1", M + 2),
                    ("contingency", "contingency", "hits, false alarms, misses, correct negatives for the forecast p >= 0.5", 4)]
                for (name, dim, what, n) in specs {
                    var vals = [Double](repeating: .nan, count: leads.count * n)
                    for (li, a) in accs.enumerated() {
                        guard let a, let ea = a.events.first(where: { $0.name == e }) else { continue }
                        let d = Scorecard.diagnostics(of: ea, members: a.members)
                        let row: [Double]
                        switch name {
                        case "reliability_forecast_probability": row = d.forecastProbability
                        case "reliability_observed_frequency": row = d.observedFrequency
                        case "reliability_count": row = d.counts.map(Double.init)
                        case "roc_hit_rate": row = d.hitRate
                        case "roc_false_alarm_rate": row = d.falseAlarmRate
                        default: row = [d.contingency.hits, d.contingency.falseAlarms, d.contingency.misses, d.contingency.correctNegatives]
                        }
                        for (k, x) in row.prefix(n).enumerated() { vals[li * n + k] = x }
                    }
                    t.variable("\(v)_\(e)_\(name)", ["lead_time", dim], .doubles(vals), ["long_name": .string("\(def): \(what)")])
                }
            }
        }
        try t.write(to: dir.appendingPathComponent("diagnostics.nc").path)
    }

    /// A score file described whole (dimensions, then double, int64 and string variables) and written at once through
    /// WXIO's `NetCDFWriter` (temporary name, then rename); errors become `VerifyError.cannotWrite`.
    struct ScoreFile {
        enum Values {
            case doubles([Double])
            case int64s([Int64])
            case strings([String])
        }

        var dimensions: [(name: String, size: Int)] = []
        var variables: [(name: String, dimensions: [String], values: Values, attributes: Attributes)] = []
        var globalAttributes: Attributes = [:]

        mutating func dimension(_ name: String, _ size: Int) { dimensions.append((name, size)) }

        mutating func variable(_ name: String, _ dims: [String], _ values: Values, _ attributes: Attributes = [:]) {
            variables.append((name, dims, values, attributes))
        }

        func write(to path: String) throws {
            do {
                let w = try NetCDFWriter(path: path)
                for d in dimensions { try w.defineDimension(d.name, size: d.size) }
                for v in variables {
                    switch v.values {
                    case .doubles: try w.defineVariable(v.name, type: .double, dimensions: v.dimensions, attributes: v.attributes, fillValue: .nan)
                    case .int64s: try w.defineVariable(v.name, type: .int64, dimensions: v.dimensions, attributes: v.attributes, fillValue: -1)
                    case .strings: try w.defineStringVariable(v.name, dimensions: v.dimensions, attributes: v.attributes)
                    }
                }
                for (key, value) in globalAttributes.sorted(by: { $0.key < $1.key }) { try w.setAttribute(key, value) }
                for v in variables {
                    switch v.values {
                    case .doubles(let a): try w.write(v.name, values: a)
                    case .int64s(let a): try w.write(v.name, values: a)
                    case .strings(let a): try w.write(v.name, strings: a)
                    }
                }
                try w.finish()
            } catch let e as VerifyError {
                throw e
            } catch {
                throw VerifyError.cannotWrite(path: path, reason: "\(error)")
            }
        }
    }

    static func globalAttributes(_ card: Scorecard, title: String) -> Attributes {
        let m = card.metadata
        var a: Attributes = [
            "title": .string(title),
            "Conventions": .string("CF-1.8"),
            "source": .string("wxens \(wxensVersion)"),
            "forecast_files": .strings(m.forecastPaths),
            "truth_files": .strings(m.truthPaths),
            "area_weighting": .string(m.weightingDescription),
            "normalisation": .string(VerificationMetadata.normalisation),
            "nan_policy": .string(m.nanPolicy.rawValue),
            "nan_policy_meaning": .string(nanMeaning(m.nanPolicy)),
            "crps_definition": .string("crps: (1/M) sum|x_i - y| - 1/(2M^2) sum_ij|x_i - x_j| (empirical CDF, properscoring); crps_fair: 1/(2M(M-1)) instead (Ferro 2014, WeatherBench2)"),
            "spread_skill_definition": .string("spread_skill = sqrt((M+1)/M) * spread / rmse (Fortin et al. 2014); spread_skill_uncorrected = spread / rmse; spread = sqrt(mean ensemble variance, ddof 1)"),
            "rank_delta_definition": .string("Candille & Talagrand (2005): sum_k (s_k - S/(M+1))^2 / (S M/(M+1)); 1 for a reliable ensemble"),
            "brier_definition": .string("p = (members in event)/M; brier = (p - o)^2; brier_fair = (p - o)^2 - p(1 - p)/(M - 1); rel/res/unc: Murphy (1973) over bins p = k/M, brier = rel - res + unc; roc_auc: trapezoid over p >= k/M; sedi: Ferro & Stephenson (2011) for p >= 0.5"),
        ]
        if let c = m.climatologyPath {
            a["climatology_file"] = .string(c)
            a["acc_definition"] = .string("uncentred anomaly correlation of the ensemble mean: sum w f'o' / sqrt(sum w f'^2 sum w o'^2), anomalies from the climatological mean, per init, then averaged")
        }
        let events = m.events.map { "\($0.name): \($0.definition)" }
        if !events.isEmpty { a["events"] = .strings(events) }
        return a
    }

    static func nanMeaning(_ p: NaNPolicy) -> String {
        switch p {
        case .propagate: return "any NaN member or truth in a (variable, lead) makes all its scores NaN"
        case .omit: return "NaN members are dropped at the point; points with NaN truth or no member are dropped; weights renormalised over valid points per init"
        case .raise: return "a NaN stops the run with an error"
        }
    }
}
