import Foundation

/// How a binary event compares a value with its threshold.
public enum EventComparison: String, Sendable, Codable {
    /// value > threshold
    case greater = ">"
    /// value >= threshold
    case greaterOrEqual = ">="
    /// value < threshold
    case less = "<"
    /// value <= threshold
    case lessOrEqual = "<="

    /// True when the value is in the event (NaN never is).
    @inline(__always)
    public func holds(_ v: Double, _ t: Double) -> Bool {
        switch self {
        case .greater: return v > t
        case .greaterOrEqual: return v >= t
        case .less: return v < t
        case .lessOrEqual: return v <= t
        }
    }

    /// Short tag used in metric names: gt, ge, lt, le.
    public var tag: String {
        switch self {
        case .greater: return "gt"
        case .greaterOrEqual: return "ge"
        case .less: return "lt"
        case .lessOrEqual: return "le"
        }
    }
}

/// Where an event's threshold comes from.
public enum EventThreshold: Sendable, Codable, Equatable {
    /// The same value at every point (in the variable's units).
    case fixed(Double)
    /// A climatological quantile per grid point (e.g. 0.9).
    case climatologyQuantile(Double)
    /// Climatological mean plus `k` standard deviations per grid point (k may be negative).
    case climatologyAnomaly(Double)
}

/// A binary event for Brier, reliability, ROC and contingency scores.
public struct EventDefinition: Sendable, Codable, Equatable {
    /// Name used in metric names (`brier_<name>`).
    public var name: String
    /// Comparison of the value with the threshold.
    public var comparison: EventComparison
    /// The threshold.
    public var threshold: EventThreshold
    /// Variables it applies to (nil: every variable).
    public var variable: String?

    /// An event.
    public init(name: String, comparison: EventComparison, threshold: EventThreshold, variable: String? = nil) {
        self.name = name
        self.comparison = comparison
        self.threshold = threshold
        self.variable = variable
    }

    /// Human-readable definition for output attributes, e.g. "t850 > 280 (fixed)".
    public var definition: String {
        let v = variable ?? "value"
        switch threshold {
        case .fixed(let t): return "\(v) \(comparison.rawValue) \(EventDefinition.format(t))"
        case .climatologyQuantile(let q): return "\(v) \(comparison.rawValue) climatological quantile \(EventDefinition.format(q)) at the grid point"
        case .climatologyAnomaly(let k): return "\(v) \(comparison.rawValue) climatological mean \(k < 0 ? "-" : "+") \(EventDefinition.format(abs(k))) sd at the grid point"
        }
    }

    static func format(_ x: Double) -> String {
        if x == x.rounded() && abs(x) < 1e15 { return String(Int64(x)) }
        return "\(x)"
    }

    /// Parses `--thresholds` entries: `[var:]OP VALUE` with OP one of > >= < <=, e.g. `t850:>280`, `>=1`, `rmm1:<-1`.
    public static func parseThresholds(_ spec: String) throws -> [EventDefinition] {
        var out: [EventDefinition] = []
        for raw in spec.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !raw.isEmpty {
            var body = Substring(raw)
            var variable: String? = nil
            if let colon = body.firstIndex(of: ":") {
                variable = String(body[..<colon])
                body = body[body.index(after: colon)...]
            }
            let ops: [(String, EventComparison)] = [(">=", .greaterOrEqual), ("<=", .lessOrEqual), (">", .greater), ("<", .less)]
            guard let (op, cmp) = ops.first(where: { body.hasPrefix($0.0) }) else {
                throw VerifyError.badOption(name: "--thresholds", value: raw, reason: "expected [variable:]OP VALUE with OP one of > >= < <=")
            }
            let num = body.dropFirst(op.count).trimmingCharacters(in: .whitespaces)
            guard let t = Double(num), t.isFinite else {
                throw VerifyError.badOption(name: "--thresholds", value: raw, reason: "'\(num)' is not a finite number")
            }
            out.append(EventDefinition(name: "\(cmp.tag)\(format(t))", comparison: cmp, threshold: .fixed(t), variable: variable))
        }
        return out
    }

    /// Throws `badOption` for an event naming a variable that none of the verified (forecast, truth) pairs has.
    public static func checkVariables(_ events: [EventDefinition], pairs: [(String, String)], forecastPath: String) throws {
        let known = Set(pairs.flatMap { [$0.0, $0.1] })
        for e in events {
            guard let v = e.variable, !known.contains(v) else { continue }
            throw VerifyError.badOption(name: "--thresholds", value: e.definition,
                                        reason: "variable '\(v)' is not among the verified variables \(pairs.map(\.0)) of \(forecastPath)")
        }
    }

    /// The climatology-based events (SEEDS): exceedance of q90/q95/q99 and anomalies beyond +-2 and +-3 sd.
    public static func climatologyEvents(quantiles: [Double]) -> [EventDefinition] {
        var out = quantiles.map { q in
            EventDefinition(name: "q\(format((q * 100 * 1000).rounded() / 1000))", comparison: .greater, threshold: .climatologyQuantile(q))
        }
        for k in [2.0, 3.0] {
            out.append(EventDefinition(name: "anom_gt\(Int(k))sd", comparison: .greater, threshold: .climatologyAnomaly(k)))
            out.append(EventDefinition(name: "anom_lt\(Int(k))sd", comparison: .less, threshold: .climatologyAnomaly(-k)))
        }
        return out
    }
}
