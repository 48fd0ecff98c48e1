import Foundation
import WXVerification

/// The SVG figures of a scorecard: CRPS and spread/skill against lead per variable, rank histograms per variable and
/// lead, reliability diagrams and ROC curves per variable, event and lead.
public enum VerificationFigures {
    /// File names written, relative to the figures directory.
    @discardableResult
    public static func write(_ card: Scorecard, toDirectory dir: URL) throws -> [String] {
        do { try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true) } catch {
            throw VerifyError.cannotWrite(path: dir.path, reason: "\(error)")
        }
        var written: [String] = []
        func save(_ doc: SVGDocument, _ name: String) throws {
            try doc.write(to: dir.appendingPathComponent(name))
            written.append(name)
        }
        let leadsAll = card.leadTimesHours
        let inDays = (leadsAll.last ?? 0) >= 240
        let leadLabel = inDays ? "Lead time (days)" : "Lead time (h)"
        func lx(_ h: Double) -> Double { inDays ? h / 24 : h }
        let clim = card.metadata.hasClimatology
        var ratioSeries: [ChartSeries] = []
        for v in card.variables {
            let accs = card.accumulators.filter { $0.variable == v }.sorted { $0.leadTimeHours < $1.leadTimeHours }
            let scores = accs.map { Scorecard.scores(of: $0, hasClimatology: clim) }
            let u = card.metadata.units[v].flatMap { $0.isEmpty ? nil : $0 } ?? "1"
            func series(_ metric: String, _ label: String, dash: String? = nil, color: String? = nil) -> ChartSeries {
                ChartSeries(label: label, points: zip(accs, scores).map { (lx($0.0.leadTimeHours), $0.1[metric] ?? .nan) }, dash: dash, color: color)
            }
            let safe = fileSafe(v)
            try save(LineChart(title: "\(v): CRPS against lead time", xLabel: leadLabel, yLabel: "CRPS (\(u))",
                               series: [series("crps", "CRPS (\(accs.first?.members ?? 0) members)"),
                                        series("crps_fair", "fair CRPS", dash: "7,4")]).render(), "crps_\(safe).svg")
            try save(LineChart(title: "\(v): ensemble-mean RMSE and spread", xLabel: leadLabel, yLabel: "RMSE, spread (\(u))",
                               series: [series("rmse", "RMSE of ensemble mean"), series("spread", "spread (ensemble sd)", dash: "7,4")]).render(),
                     "rmse_spread_\(safe).svg")
            ratioSeries.append(series("spread_skill", v, color: chartPalette[ratioSeries.count % chartPalette.count]))
            for a in accs {
                let lead = VerificationPlan.hoursText(a.leadTimeHours)
                let leadText = inDays ? "\(VerificationPlan.hoursText(a.leadTimeHours / 24)) d" : "\(lead) h"
                try save(RankHistogramChart(title: "\(v): rank histogram, lead \(leadText)", counts: a.rankHistogram).render(),
                         "rank_histogram_\(safe)_\(lead)h.svg")
                for e in a.events {
                    let d = Scorecard.diagnostics(of: e, members: a.members)
                    let def = e.definition
                    try save(ReliabilityDiagramChart(title: "\(def), lead \(leadText)", forecastProbability: d.forecastProbability,
                                                     observedFrequency: d.observedFrequency, counts: d.counts.map(Double.init),
                                                     climatology: d.baseRate).render(),
                             "reliability_\(safe)_\(fileSafe(e.name))_\(lead)h.svg")
                    try save(ROCChart(title: "\(def), lead \(leadText)", falseAlarmRate: d.falseAlarmRate, hitRate: d.hitRate,
                                      auc: e.table.rocArea).render(),
                             "roc_\(safe)_\(fileSafe(e.name))_\(lead)h.svg")
                }
            }
        }
        let members = card.accumulators.first?.members ?? 0
        try save(LineChart(title: "Spread/skill ratio, sqrt((M+1)/M) spread / RMSE, M = \(members)", xLabel: leadLabel,
                           yLabel: "Spread/skill ratio (1)", series: ratioSeries,
                           reference: (1, "calibrated (ratio 1)")).render(), "spread_skill.svg")
        return written
    }

    static func fileSafe(_ s: String) -> String {
        String(s.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." ? $0 : "_" })
    }
}
