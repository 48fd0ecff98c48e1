import Foundation
import WXVerification

/// The SVG figures of a scorecard and the page listing them: per variable CRPS, RMSE and spread against lead;
/// spread/skill against lead over all variables; rank histograms per lead; reliability diagrams and ROC curves per
/// event and lead; `index.html` with all of them. Every figure's subtitle gives the verification period and inits.
public enum VerificationFigures {
    /// Probability bins of the reliability diagrams.
    public static let defaultReliabilityBins = 10
    /// Fewest forecasts for a reliability bin to be drawn as a point.
    public static let defaultMinimumBinCount = 100

    /// Writes the figures and `index.html` into `dir`; returns the file names written, relative to `dir`.
    @discardableResult
    public static func write(_ card: Scorecard, toDirectory dir: URL, reliabilityBins: Int = defaultReliabilityBins,
                             minimumBinCount: Int = defaultMinimumBinCount) throws -> [String] {
        do { try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true) } catch {
            throw VerifyError.cannotWrite(path: dir.path, reason: "\(error)")
        }
        var written: [String] = []
        var entries: [FigureIndex.Entry] = []
        func save(_ doc: SVGDocument, _ name: String, _ section: String, _ group: String, _ caption: String) throws {
            try doc.write(to: dir.appendingPathComponent(name))
            written.append(name)
            entries.append(FigureIndex.Entry(section: section, group: group, file: name, caption: caption))
        }
        let axis = LeadTimeAxis(hours: card.leadTimesHours)
        let clim = card.metadata.hasClimatology
        let allVariables = "All variables"
        var ratioSeries: [ChartSeries] = []
        for v in card.variables {
            let accs = card.accumulators.filter { $0.variable == v }.sorted { $0.leadTimeHours < $1.leadTimeHours }
            let scores = accs.map { Scorecard.scores(of: $0, hasClimatology: clim) }
            let u = units(card, v)
            let section = u == "1" ? v : "\(v) (\(u))"
            let sub = subtitle(card, inits: accs.map(\.inits))
            func series(_ metric: String, _ label: String, dash: String? = nil, color: String? = nil) -> ChartSeries {
                ChartSeries(label: label, points: zip(accs, scores).map { ($0.0.leadTimeHours, $0.1[metric] ?? .nan) }, dash: dash, color: color)
            }
            let safe = fileSafe(v)
            let skill = "Skill against lead time"
            try save(LineChart(title: "\(v): CRPS, ensemble-mean RMSE and spread", subtitle: sub, leads: axis,
                               yLabel: "CRPS, RMSE, spread (\(u))",
                               series: [series("crps", "standard CRPS"), series("rmse", "RMSE of ensemble mean", color: chartPalette[1]),
                                        series("spread", "spread (ensemble sd)", dash: "7,4", color: chartPalette[2])]).render(),
                     "skill_\(safe).svg", section, skill, "CRPS, RMSE and spread")
            try save(LineChart(title: "\(v): CRPS against lead time", subtitle: sub, leads: axis, yLabel: "CRPS (\(u))",
                               series: [series("crps", "standard CRPS (\(accs.first?.members ?? 0) members)"),
                                        series("crps_fair", "fair CRPS", dash: "7,4")]).render(),
                     "crps_\(safe).svg", section, skill, "CRPS and fair CRPS")
            try save(LineChart(title: "\(v): ensemble-mean RMSE and spread", subtitle: sub, leads: axis, yLabel: "RMSE, spread (\(u))",
                               series: [series("rmse", "RMSE of ensemble mean"), series("spread", "spread (ensemble sd)", dash: "7,4")]).render(),
                     "rmse_spread_\(safe).svg", section, skill, "RMSE and spread")
            ratioSeries.append(series("spread_skill", v, color: chartPalette[ratioSeries.count % chartPalette.count]))
            var eventFigures: [(group: String, name: String, doc: SVGDocument, caption: String)] = []
            for a in accs {
                let lead = VerificationPlan.hoursText(a.leadTimeHours)
                let leadText = axis.label(a.leadTimeHours)
                let leadSub = subtitle(card, inits: [a.inits])
                try save(RankHistogramChart(title: "\(v): rank histogram, lead \(leadText)", subtitle: leadSub, counts: a.rankHistogram).render(),
                         "rank_histogram_\(safe)_\(lead)h.svg", section, "Rank histograms", "lead \(leadText)")
                for e in a.events {
                    let d = Scorecard.diagnostics(of: e, members: a.members)
                    let event = eventTitle(e, variable: v, card: card)
                    let bins = try e.table.reliabilityDiagram(bins: reliabilityBins, probabilityWeights: e.probabilityWeight)
                    eventFigures.append(("Reliability: \(event)", "reliability_\(safe)_\(fileSafe(e.name))_\(lead)h.svg",
                                         ReliabilityDiagramChart(title: "Reliability of \(event), lead \(leadText)", subtitle: leadSub,
                                                                 bins: bins, climatology: d.baseRate, minimumCount: minimumBinCount).render(),
                                         "lead \(leadText)"))
                    eventFigures.append(("ROC: \(event)", "roc_\(safe)_\(fileSafe(e.name))_\(lead)h.svg",
                                         ROCChart(title: "ROC of \(event), lead \(leadText)", subtitle: leadSub, falseAlarmRate: d.falseAlarmRate,
                                                  hitRate: d.hitRate, auc: e.table.rocArea).render(),
                                         "lead \(leadText)"))
                }
            }
            // Grouped by event and kind on the page (all leads of one event's reliability side by side).
            var groups: [String] = []
            for f in eventFigures where !groups.contains(f.group) { groups.append(f.group) }
            for g in groups {
                for f in eventFigures where f.group == g { try save(f.doc, f.name, section, g, f.caption) }
            }
        }
        let members = card.accumulators.first?.members ?? 0
        try save(LineChart(title: "Spread/skill ratio, sqrt((M+1)/M) spread / RMSE, M = \(members)",
                           subtitle: subtitle(card, inits: card.accumulators.map(\.inits)), leads: axis,
                           yLabel: "Spread/skill ratio (1)", series: ratioSeries,
                           reference: (1, "calibrated (ratio 1)")).render(),
                 "spread_skill.svg", allVariables, "Spread/skill ratio against lead time", "all variables")
        let summary = entries.filter { $0.section == allVariables }
        let index = FigureIndex(title: "wxens verify: figures", notes: indexNotes(card, reliabilityBins: reliabilityBins,
                                                                                 minimumBinCount: minimumBinCount),
                                entries: summary + entries.filter { $0.section != allVariables })
        try index.write(toDirectory: dir)
        written.append(FigureIndex.fileName)
        return written
    }

    /// Units of a variable for labels ("1" when it has none).
    static func units(_ card: Scorecard, _ v: String) -> String {
        card.metadata.units[v].flatMap { $0.isEmpty ? nil : $0 } ?? "1"
    }

    /// An event's definition with the variable's units after a fixed threshold ("t850 > 275.3 K").
    static func eventTitle(_ e: EventAccumulator, variable v: String, card: Scorecard) -> String {
        let u = units(card, v)
        guard u != "1", let d = card.metadata.events.first(where: { $0.name == e.name && ($0.variable ?? v) == v }),
              case .fixed = d.threshold else { return e.definition }
        return "\(e.definition) \(u)"
    }

    /// "Inits 2020-01-01 00:00 to 2020-04-09 00:00 UTC (100 inits)": the period of the run and the inits scored.
    static func subtitle(_ card: Scorecard, inits: [Int]) -> String {
        let lo = inits.min() ?? 0, hi = inits.max() ?? 0
        let count = lo == hi ? "\(hi) init\(hi == 1 ? "" : "s")" : "\(lo)-\(hi) inits"
        guard let p = card.metadata.initPeriod else { return count }
        if p.first == p.last { return "Init \(displayTime(p.first)) UTC (\(count))" }
        return "Inits \(displayTime(p.first)) to \(displayTime(p.last)) UTC (\(count))"
    }

    /// ISO 8601 text shortened for a figure: "2020-01-01T06:00:00" -> "2020-01-01 06:00".
    static func displayTime(_ iso: String) -> String {
        var s = iso.replacingOccurrences(of: "T", with: " ")
        if s.count == 19, s.hasSuffix(":00") { s.removeLast(3) }
        return s
    }

    static func indexNotes(_ card: Scorecard, reliabilityBins: Int, minimumBinCount: Int) -> [String] {
        let m = card.metadata
        var notes = ["Forecast: \(m.forecastPaths.joined(separator: ", ")). Truth: \(m.truthPaths.joined(separator: ", "))."]
        notes.append(subtitle(card, inits: card.accumulators.map(\.inits)) + ".")
        notes.append("Reliability diagrams on \(reliabilityBins) probability bins; bins with fewer than \(minimumBinCount) forecasts are drawn hollow and not joined.")
        return notes
    }

    static func fileSafe(_ s: String) -> String {
        String(s.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." ? $0 : "_" })
    }
}
