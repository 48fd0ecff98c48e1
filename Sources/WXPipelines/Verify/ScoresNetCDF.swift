import Foundation
import WXCore
import WXIO
import WXVerification

/// `scores.nc` in WeatherBench2's results layout (and, in `ScoresNetCDF+Diagnostics.swift`, `diagnostics.nc`).
///
/// scores.nc: one variable per forecast variable with dims (metric, region, lead_time) and the variable's `units`,
/// `metric` and `region` label coordinates (characters, so CF checkers accept them; xarray reads str) (region "global"; metric names are `MetricName`'s), `units_power(metric)`
/// giving the power of those units each metric carries (1, 2 or 0 for dimensionless), `lead_time` decoded by xarray as
/// a timedelta; the counts (`<var>_inits`, `_points`, `_min_valid_members`, `_max_valid_members`) are in the group
/// `counts`, out of the way of code that iterates over the score variables.
public enum ScoresNetCDF {
    /// Writes `DIR/scores.nc` atomically.
    public static func writeScores(_ card: Scorecard, toDirectory dir: URL) throws {
        let leads = card.leadTimesHours
        var metrics: [MetricName] = []
        for a in card.accumulators {
            for m in MetricName.all(for: a, hasClimatology: card.metadata.hasClimatology) where !metrics.contains(m) { metrics.append(m) }
        }
        var t = ScoreFile()
        t.dimension("metric", metrics.count)
        t.dimension("region", 1)
        t.dimension("lead_time", leads.count)
        let metricNames = metrics.map(\.name), regions = ["global"]
        t.dimension("metric_strlen", ScoreFile.labelWidth(metricNames))
        t.dimension("region_strlen", ScoreFile.labelWidth(regions))
        t.coordinate("metric", ["metric", "metric_strlen"], .labels(metricNames), ["long_name": .string("score name (WeatherBench2's where WB2 has the score)")])
        t.coordinate("units_power", ["metric"], .int32s(metrics.map { Int32($0.unitsPower) }), [
            "long_name": .string("power of the variable's units carried by the metric's values (1: the units, 2: squared, 0: dimensionless)"),
            "units": .string("1")])
        t.coordinate("region", ["region", "region_strlen"], .labels(regions), ["long_name": .string("averaging region")])
        t.coordinate("lead_time", ["lead_time"], .doubles(leads), leadTimeAttributes)
        t.globalAttributes = globalAttributes(card, title: "wxens verification scores (WeatherBench2 results layout)")
        var counts: [(String, [String], ScoreFile.Values, Attributes)] = []
        for v in card.variables {
            var data = [Double](repeating: .nan, count: metrics.count * leads.count)
            var minM = [Int32](repeating: -1, count: leads.count), maxM = minM, inits = minM
            var pts = [Double](repeating: .nan, count: leads.count)
            for (li, l) in leads.enumerated() {
                guard let a = card.accumulator(v, l) else { continue }
                let s = MetricName.values(of: a, hasClimatology: card.metadata.hasClimatology)
                for (mi, m) in metrics.enumerated() { data[mi * leads.count + li] = s[m.name] ?? .nan }
                minM[li] = a.points > 0 ? Int32(clamping: a.minValidMembers) : 0
                maxM[li] = Int32(clamping: a.maxValidMembers)
                inits[li] = Int32(clamping: a.inits)
                pts[li] = Double(a.points)
            }
            let units = card.metadata.units[v].flatMap { $0.isEmpty ? nil : $0 }
            var attrs: Attributes = [
                "long_name": .string("scores of \(v) by metric, region and lead time"),
                "coordinates": .string("units_power"),
                "comment": .string("values of a metric are in units^units_power: " + metrics.map { "\($0.name) \($0.units(variableUnits: units) ?? "units")" }.joined(separator: ", ")),
            ]
            if let units { attrs["units"] = .string(units) }
            t.variable(v, ["metric", "region", "lead_time"], .doubles(data), attrs)
            // CF-1.8 has no int64: int32 counts, and the points (which can pass 2^31) as exact doubles.
            for (suffix, what, vals) in [("min_valid_members", "fewest valid members at a scored point", ScoreFile.Values.int32s(minM)),
                                         ("max_valid_members", "most valid members at a scored point", .int32s(maxM)),
                                         ("inits", "init times averaged (blocks with at least one valid point)", .int32s(inits)),
                                         ("points", "init x grid points scored", .doubles(pts))] {
                counts.append(("counts/\(v)_\(suffix)", ["region", "lead_time"], vals,
                               ["long_name": .string("\(v): \(what)"), "units": .string("1")]))
            }
        }
        t.groups.append("counts")
        // The group repeats the coordinates so that xr.open_dataset(path, group="counts") has them too.
        t.coordinate("counts/region", ["region", "region_strlen"], .labels(regions), ["long_name": .string("averaging region")])
        t.coordinate("counts/lead_time", ["lead_time"], .doubles(leads), leadTimeAttributes)
        for c in counts { t.variable(c.0, c.1, c.2, c.3) }
        try t.write(to: dir.appendingPathComponent("scores.nc").path)
    }

    static var leadTimeAttributes: Attributes { CFLeadTimeAxis.attributes }

    /// A score file described whole (dimensions, then coordinate and data variables of doubles, integers or strings;
    /// a name `GROUP/NAME` puts a variable in a group) and written at once through WXIO's `NetCDFWriter` (temporary
    /// name, then rename); errors become `VerifyError.cannotWrite`. Data variables get a `_FillValue` (NaN, or -1 for
    /// integers), coordinates none.
    struct ScoreFile {
        enum Values {
            case doubles([Double])
            case int32s([Int32])
            case int64s([Int64])
            case strings([String])
            /// Character labels: the variable's last dimension is the label width (`labelWidth`).
            case labels([String])

            var isReal: Bool { if case .doubles = self { return true } else { return false } }
        }

        var dimensions: [(name: String, size: Int)] = []
        var groups: [String] = []
        var variables: [(name: String, dimensions: [String], values: Values, attributes: Attributes, isCoordinate: Bool)] = []
        var globalAttributes: Attributes = [:]

        mutating func dimension(_ name: String, _ size: Int) { dimensions.append((name, size)) }

        /// The width in bytes of a character-label dimension holding `labels` (at least 1).
        static func labelWidth(_ labels: [String]) -> Int { max(1, labels.map(\.utf8.count).max() ?? 1) }

        mutating func variable(_ name: String, _ dims: [String], _ values: Values, _ attributes: Attributes = [:]) {
            variables.append((name, dims, values, attributes, false))
        }

        mutating func coordinate(_ name: String, _ dims: [String], _ values: Values, _ attributes: Attributes = [:]) {
            variables.append((name, dims, values, attributes, true))
        }

        func write(to path: String) throws {
            do {
                let w = try NetCDFWriter(path: path)
                for d in dimensions { try w.defineDimension(d.name, size: d.size) }
                for g in groups { try w.defineGroup(g) }
                for v in variables {
                    let fill: Double? = v.isCoordinate ? nil : (v.values.isReal ? .nan : -1)
                    switch v.values {
                    case .doubles: try w.defineVariable(v.name, type: .double, dimensions: v.dimensions, attributes: v.attributes, fillValue: fill)
                    case .int32s: try w.defineVariable(v.name, type: .int32, dimensions: v.dimensions, attributes: v.attributes, fillValue: fill)
                    case .int64s: try w.defineVariable(v.name, type: .int64, dimensions: v.dimensions, attributes: v.attributes, fillValue: fill)
                    case .strings: try w.defineStringVariable(v.name, dimensions: v.dimensions, attributes: v.attributes)
                    case .labels: try w.defineCharVariable(v.name, dimensions: Array(v.dimensions.dropLast()),
                                                           widthDimension: v.dimensions.last!, attributes: v.attributes)
                    }
                }
                for (key, value) in globalAttributes.sorted(by: { $0.key < $1.key }) { try w.setAttribute(key, value) }
                for v in variables {
                    switch v.values {
                    case .doubles(let a): try w.write(v.name, values: a)
                    case .int32s(let a): try w.write(v.name, values: a)
                    case .int64s(let a): try w.write(v.name, values: a)
                    case .strings(let a): try w.write(v.name, strings: a)
                    case .labels(let a): try w.write(v.name, labels: a)
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

    /// Title, Conventions, source, `history` (UTC time and command line) and the run's description.
    static func globalAttributes(_ card: Scorecard, title: String) -> Attributes {
        let m = card.metadata
        var a: Attributes = [
            "forecast_files": .strings(m.forecastPaths),
            "truth_files": .strings(m.truthPaths),
            "area_weighting": .string(m.weightingDescription),
            "normalisation": .string(VerificationMetadata.normalisation),
            "nan_policy": .string(m.nanPolicy.rawValue),
            "nan_policy_meaning": .string(nanMeaning(m.nanPolicy)),
            "crps_definition": .string("crps (WeatherBench2's): (1/M) sum|x_i - y| - 1/(2M(M-1)) sum_ij|x_i - x_j| (fair, Ferro 2014) = crps_skill - crps_spread/2 with crps_skill = (1/M) sum|x_i - y|, crps_spread = sum_ij|x_i - x_j|/(M(M-1)), per point with its own member count M (points with M >= 2); crps_standard: 1/(2M^2) instead (empirical CDF, properscoring)"),
            "spread_skill_definition": .string("ensemble_mean_rmse = sqrt(ensemble_mean_mse), ensemble_stddev = sqrt(ensemble_variance) (ddof 1), square roots after the mean over inits; spread_skill = sqrt((M+1)/M) * ensemble_stddev / ensemble_mean_rmse (Fortin et al. 2014); spread_skill_uncorrected = ensemble_stddev / ensemble_mean_rmse (WeatherBench2's spread/skill)"),
            "rank_delta_definition": .string("Candille & Talagrand (2005): sum_k (s_k - S/(M+1))^2 / (S M/(M+1)); 1 for a reliable ensemble"),
            "brier_definition": .string("p = (members in event)/M; brier_score = (p - o)^2; debiased_brier_score = (p - o)^2 - p(1 - p)/(M - 1); brier_rel/res/unc: Murphy (1973) over bins p = k/M, brier = rel - res + unc; roc_auc: trapezoid over p >= k/M; sedi: Ferro & Stephenson (2011) for p >= 0.5"),
        ]
        if let c = m.climatologyPath {
            a["climatology_file"] = .string(c)
            a["acc_definition"] = .string("uncentred anomaly correlation of the ensemble mean: sum w f'o' / sqrt(sum w f'^2 sum w o'^2), anomalies from the climatological mean, per init, then averaged")
        }
        let events = m.events.map { "\($0.name): \($0.definition)" }
        if !events.isEmpty { a["events"] = .strings(events) }
        return CFGlobalAttributes(title: title, extra: a).attributes()
    }

    static func nanMeaning(_ p: NaNPolicy) -> String {
        switch p {
        case .propagate: return "any NaN member or truth in a (variable, lead) makes all its scores NaN"
        case .omit: return "NaN members are dropped at the point; points with NaN truth or no member are dropped; weights renormalised over valid points per init"
        case .raise: return "a NaN stops the run with an error"
        }
    }
}
