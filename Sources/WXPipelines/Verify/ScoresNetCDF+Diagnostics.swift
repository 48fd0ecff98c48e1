import Foundation
import WXCore
import WXVerification

/// `diagnostics.nc`: rank histograms, reliability tables, ROC points and contingency tables, one variable per
/// (forecast variable, diagnostic) with an `event` dimension.
///
/// Dimensions: `lead_time` (a timedelta to xarray), `event` (labelled by the auxiliary coordinates `event_name`,
/// `event_kind`, `event_operator` and `event_threshold`), `contingency` (labelled by `contingency_entry`), and per
/// variable `<v>_rank`, `<v>_probability_bin`, `<v>_roc_threshold` (numeric coordinate variables; their sizes depend on
/// the variable's ensemble size M). The labels are auxiliary coordinates, not string variables named like their
/// dimension, which CF 1.12 forbids (cf-conventions issue 174) because they pass for coordinate variables; in
/// xarray `ds.set_xindex("event_name").sel(event_name="q90")` selects by name. The `event` axis is the union of every
/// variable's events in first-seen order; a variable's entries for an event it does not have are NaN (the fill value).
extension ScoresNetCDF {
    /// One entry of the `event` axis: its name and how it was defined (nil when the run's metadata lacks it).
    struct EventAxisEntry {
        var name: String
        var definition: EventDefinition?

        /// fixed, climatology_quantile or climatology_anomaly_sd.
        var kind: String {
            switch definition?.threshold {
            case .fixed: return "fixed"
            case .climatologyQuantile: return "climatology_quantile"
            case .climatologyAnomaly: return "climatology_anomaly_sd"
            case nil: return "unknown"
            }
        }

        /// The threshold's number: a value in the variable's units, a quantile level, or signed standard deviations.
        var threshold: Double {
            switch definition?.threshold {
            case .fixed(let t), .climatologyQuantile(let t), .climatologyAnomaly(let t): return t
            case nil: return .nan
            }
        }
    }

    /// The diagnostics of one (variable, event): name, dimension, description and size of each table.
    static func diagnosticTables(members M: Int, binDim: String, rocDim: String) -> [(name: String, dim: String, what: String, size: Int)] {
        [("reliability_forecast_probability", binDim, "mean forecast probability in bin k (p = k/M)", M + 1),
         ("reliability_observed_frequency", binDim, "observed relative frequency in bin k (area-weighted)", M + 1),
         ("reliability_count", binDim, "forecasts in bin k", M + 1),
         ("roc_hit_rate", rocDim, "hit rate for the forecast p >= k/M, k = 0..M+1", M + 2),
         ("roc_false_alarm_rate", rocDim, "false-alarm rate for the forecast p >= k/M, k = 0..M+1", M + 2),
         ("contingency", "contingency", "hits, false alarms, misses, correct negatives for the forecast p >= 0.5", 4)]
    }

    /// The row of one table of `diagnosticTables` in an event's diagnostics.
    static func row(_ table: String, of d: EventDiagnostics) -> [Double] {
        switch table {
        case "reliability_forecast_probability": return d.forecastProbability
        case "reliability_observed_frequency": return d.observedFrequency
        case "reliability_count": return d.counts.map(Double.init)
        case "roc_hit_rate": return d.hitRate
        case "roc_false_alarm_rate": return d.falseAlarmRate
        default: return [d.contingency.hits, d.contingency.falseAlarms, d.contingency.misses, d.contingency.correctNegatives]
        }
    }

    /// Every event name of the scorecard's accumulators in first-seen order, each with the first definition of
    /// that name in the metadata (an event's name encodes its comparison and threshold, so they agree across variables).
    static func eventAxis(_ card: Scorecard) -> [EventAxisEntry] {
        var out: [EventAxisEntry] = []
        for a in card.accumulators {
            for e in a.events where !out.contains(where: { $0.name == e.name }) {
                out.append(EventAxisEntry(name: e.name, definition: card.metadata.events.first { $0.name == e.name }))
            }
        }
        return out
    }

    /// Writes `DIR/diagnostics.nc` atomically.
    public static func writeDiagnostics(_ card: Scorecard, toDirectory dir: URL) throws {
        let leads = card.leadTimesHours
        let events = eventAxis(card)
        let E = events.count
        var t = ScoreFile()
        t.dimension("lead_time", leads.count)
        t.dimension("contingency", 4)
        t.coordinate("lead_time", ["lead_time"], .doubles(leads), leadTimeAttributes)
        t.coordinate("contingency_entry", ["contingency"], .strings(["hits", "false_alarms", "misses", "correct_negatives"]),
                     ["long_name": .string("2x2 table entries for the forecast p >= 0.5")])
        if E > 0 {
            t.dimension("event", E)
            t.coordinate("event_name", ["event"], .strings(events.map(\.name)), [
                "long_name": .string("binary event (as in the metric names brier_score_<event>); definitions in the global attribute events")])
            t.coordinate("event_kind", ["event"], .strings(events.map(\.kind)), [
                "long_name": .string("where the threshold comes from: fixed (a value), climatology_quantile (the climatological quantile at the grid point), climatology_anomaly_sd (climatological mean + event_threshold standard deviations at the grid point)")])
            t.coordinate("event_operator", ["event"], .strings(events.map { $0.definition?.comparison.rawValue ?? "" }), [
                "long_name": .string("the event holds when value OPERATOR threshold (one of >, >=, <, <=)")])
            t.coordinate("event_threshold", ["event"], .doubles(events.map(\.threshold)), [
                "long_name": .string("the threshold's number: for kind fixed a value in the units of the verified variable, for climatology_quantile the quantile level, for climatology_anomaly_sd the signed number of standard deviations")])
        }
        t.globalAttributes = globalAttributes(card, title: "wxens verification diagnostics: rank histograms, reliability, ROC, contingency")
        for v in card.variables {
            let accs = leads.map { card.accumulator(v, $0) }
            guard let M = accs.compactMap({ $0?.members }).first else { continue }
            let rankDim = "\(v)_rank", binDim = "\(v)_probability_bin", rocDim = "\(v)_roc_threshold"
            t.dimension(rankDim, M + 1)
            t.dimension(binDim, M + 1)
            t.dimension(rocDim, M + 2)
            t.coordinate(rankDim, [rankDim], .int32s((1...(M + 1)).map { Int32($0) }), [
                "long_name": .string("rank of the truth among the \(M) members of \(v) (1: below all members)"), "units": .string("1")])
            t.coordinate(binDim, [binDim], .doubles((0...M).map { Double($0) / Double(M) }), [
                "long_name": .string("nominal forecast probability k/M of the bin (\(v), M = \(M))"), "units": .string("1")])
            t.coordinate(rocDim, [rocDim], .doubles((0...(M + 1)).map { Double($0) / Double(M) }), [
                "long_name": .string("forecast probability threshold k/M of the ROC point (\(v), M = \(M); k = M + 1: never)"), "units": .string("1")])
            var rh = [Double](repeating: .nan, count: leads.count * (M + 1))
            for (li, a) in accs.enumerated() { if let a { for (r, c) in a.rankHistogram.enumerated() { rh[li * (M + 1) + r] = c } } }
            t.variable("\(v)_rank_histogram", ["lead_time", rankDim], .doubles(rh), [
                "long_name": .string("\(v): rank histogram counts, rank 1..M+1, ties split equally (an observation with b members below and k equal adds 1/(k+1) to ranks b+1..b+k+1)"),
                "units": .string("1")])
            guard accs.contains(where: { !($0?.events.isEmpty ?? true) }) else { continue }
            let own = events.filter { e in accs.contains { $0?.events.contains { $0.name == e.name } ?? false } }.map(\.name)
            for (name, dim, what, n) in diagnosticTables(members: M, binDim: binDim, rocDim: rocDim) {
                var vals = [Double](repeating: .nan, count: leads.count * E * n)
                for (li, a) in accs.enumerated() {
                    guard let a else { continue }
                    for (ei, e) in events.enumerated() {
                        guard let ea = a.events.first(where: { $0.name == e.name }) else { continue }
                        let r = row(name, of: Scorecard.diagnostics(of: ea, members: a.members))
                        for (k, x) in r.prefix(n).enumerated() { vals[(li * E + ei) * n + k] = x }
                    }
                }
                t.variable("\(v)_\(name)", ["lead_time", "event", dim], .doubles(vals), [
                    "long_name": .string("\(v): \(what), per lead time and event"),
                    "comment": .string("events of \(v): \(own.joined(separator: ", ")); NaN for the other events"),
                    "coordinates": .string("event_name event_kind event_operator event_threshold" + (dim == "contingency" ? " contingency_entry" : "")),
                    "units": .string("1")])
            }
        }
        try t.write(to: dir.appendingPathComponent("diagnostics.nc").path)
    }
}
