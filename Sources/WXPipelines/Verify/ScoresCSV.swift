import Foundation
import WXCore

/// `scores.csv`: one row per (variable, lead time, metric) with header `variable,lead_time_hours,metric,value`.
public enum ScoresCSV {
    /// The header line.
    public static let header = "variable,lead_time_hours,metric,value"

    /// The CSV text of a scorecard (values round-trip exactly; NaN written as NaN).
    public static func text(_ card: Scorecard) -> String {
        var s = header + "\n"
        for r in card.rows {
            let v = r.value.isNaN ? "NaN" : "\(r.value)"
            s += "\(quote(r.variable)),\(VerificationPlan.hoursText(r.leadTimeHours)),\(r.metric),\(v)\n"
        }
        return s
    }

    static func quote(_ s: String) -> String {
        s.contains(",") || s.contains("\"") ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    /// Writes `DIR/scores.csv` atomically.
    public static func write(_ card: Scorecard, toDirectory dir: URL) throws {
        try AtomicFile.write(Data(text(card).utf8), to: dir.appendingPathComponent("scores.csv"))
    }
}
