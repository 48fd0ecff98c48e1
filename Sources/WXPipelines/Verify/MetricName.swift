import Foundation
import WXVerification

/// A score as scores.csv and scores.nc publish it: WeatherBench2's name where WB2 has the score, an unambiguous name
/// otherwise, and the power of the variable's units its values carry.
///
/// This is the one place where the scorecard's own keys (`Scorecard.scores(of:)`, where `crps` is the standard
/// estimator) become published names (where `crps` is WB2's, the fair estimator).
public struct MetricName: Sendable, Equatable {
    /// Published name, e.g. `crps`, `ensemble_mean_rmse`, `brier_score_gt280`.
    public var name: String
    /// Units of the values as a power of the variable's units: 1 (same units), 2 (squared), 0 (dimensionless).
    public var unitsPower: Int
    /// The WeatherBench2 metric with the same name and definition, nil when WB2 has no such score.
    public var weatherBench2: String?

    /// A published metric.
    public init(_ name: String, unitsPower: Int, weatherBench2: String? = nil) {
        self.name = name
        self.unitsPower = unitsPower
        self.weatherBench2 = weatherBench2
    }

    /// Published metrics of an accumulator in output order, each with the scorecard key (or rule) it comes from.
    static func catalogue(events: [String], hasClimatology: Bool) -> [(metric: MetricName, value: ([String: Double]) -> Double)] {
        func key(_ k: String) -> ([String: Double]) -> Double { { $0[k] ?? .nan } }
        func squared(_ k: String) -> ([String: Double]) -> Double { { s in s[k].map { $0 * $0 } ?? .nan } }
        var c: [(MetricName, ([String: Double]) -> Double)] = [
            (MetricName("crps", unitsPower: 1, weatherBench2: "crps"), key("crps_fair")),
            (MetricName("crps_standard", unitsPower: 1), key("crps")),
            (MetricName("crps_skill", unitsPower: 1, weatherBench2: "crps_skill"), key("crps_skill")),
            (MetricName("crps_spread", unitsPower: 1, weatherBench2: "crps_spread"), key("crps_spread")),
            (MetricName("ensemble_mean_rmse", unitsPower: 1, weatherBench2: "ensemble_mean_rmse"), key("rmse")),
            (MetricName("ensemble_mean_mse", unitsPower: 2, weatherBench2: "ensemble_mean_mse"), squared("rmse")),
            (MetricName("ensemble_stddev", unitsPower: 1, weatherBench2: "ensemble_stddev"), key("spread")),
            (MetricName("ensemble_variance", unitsPower: 2, weatherBench2: "ensemble_variance"), squared("spread")),
            (MetricName("spread_skill", unitsPower: 0), key("spread_skill")),
            (MetricName("spread_skill_uncorrected", unitsPower: 0), key("spread_skill_uncorrected")),
            (MetricName("bias", unitsPower: 1, weatherBench2: "bias"), key("bias")),
            (MetricName("mae", unitsPower: 1, weatherBench2: "mae"), key("mae")),
        ]
        if hasClimatology { c.append((MetricName("acc", unitsPower: 0, weatherBench2: "acc"), key("acc"))) }
        c.append((MetricName("rank_delta", unitsPower: 0), key("rank_delta")))
        for e in events {
            c += [(MetricName("brier_score_\(e)", unitsPower: 0, weatherBench2: "brier_score"), key("brier_\(e)")),
                  (MetricName("debiased_brier_score_\(e)", unitsPower: 0, weatherBench2: "debiased_brier_score"), key("brier_fair_\(e)")),
                  (MetricName("brier_rel_\(e)", unitsPower: 0), key("brier_rel_\(e)")),
                  (MetricName("brier_res_\(e)", unitsPower: 0), key("brier_res_\(e)")),
                  (MetricName("brier_unc_\(e)", unitsPower: 0), key("brier_unc_\(e)")),
                  (MetricName("roc_auc_\(e)", unitsPower: 0), key("roc_auc_\(e)")),
                  (MetricName("sedi_\(e)", unitsPower: 0), key("sedi_\(e)"))]
        }
        return c
    }

    /// Published metrics of an accumulator, in output order.
    public static func all(for a: VerificationAccumulator, hasClimatology: Bool) -> [MetricName] {
        catalogue(events: a.events.map(\.name), hasClimatology: hasClimatology).map(\.metric)
    }

    /// Published values of an accumulator by published name (ensemble_mean_mse and ensemble_variance are the squares
    /// of ensemble_mean_rmse and ensemble_stddev).
    public static func values(of a: VerificationAccumulator, hasClimatology: Bool) -> [String: Double] {
        let s = Scorecard.scores(of: a, hasClimatology: hasClimatology)
        var out: [String: Double] = [:]
        for (m, value) in catalogue(events: a.events.map(\.name), hasClimatology: hasClimatology) { out[m.name] = value(s) }
        return out
    }

    /// The CF units of a score whose variable has `units` (nil when the variable's units are unknown and the score
    /// has units): "1" for dimensionless scores, the units for power 1, "(units)2" (UDUNITS) for power 2.
    public func units(variableUnits units: String?) -> String? {
        if unitsPower == 0 { return "1" }
        guard let u = units?.trimmingCharacters(in: .whitespaces), !u.isEmpty else { return nil }
        if unitsPower == 1 { return u }
        let simple = u.allSatisfy { $0.isLetter }
        return simple ? "\(u)\(unitsPower)" : "(\(u))\(unitsPower)"
    }
}
