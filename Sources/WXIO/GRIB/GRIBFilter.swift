import Foundation

/// cfgrib's `filter_by_keys`: keep only the messages whose keys have the given values (`--filter typeOfLevel=isobaricInhPa`).
public struct GRIBFilter: Sendable, Equatable {
    /// Key and value pairs, all of which a message must match.
    public var conditions: [(key: String, value: String)]

    /// No condition: every message is kept.
    public static let none = GRIBFilter(conditions: [])

    /// A filter from `key=value` conditions.
    public init(conditions: [(key: String, value: String)]) { self.conditions = conditions }

    /// Parses `key=value` entries (as given to `--filter`); a malformed one throws `GRIBError.invalidFilter`.
    public init(parsing entries: [String], path: String) throws {
        conditions = try entries.map { e in
            let parts = e.split(separator: "=", maxSplits: 1).map { String($0).trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw GRIBError.invalidFilter(path: path, filter: e, detail: "expected key=value, e.g. typeOfLevel=isobaricInhPa")
            }
            return (parts[0], parts[1])
        }
    }

    /// Keys the filter reads.
    public var keys: [String] { conditions.map(\.key) }

    /// True when the message has every key at the value asked for (compared as numbers when both are numbers).
    public func matches(_ m: GRIBMessage) -> Bool {
        conditions.allSatisfy { c in
            guard let text = m.text[c.key] else { return false }
            if text == c.value { return true }
            if let a = Double(text), let b = Double(c.value) { return a == b }
            return false
        }
    }

    public static func == (a: GRIBFilter, b: GRIBFilter) -> Bool {
        a.conditions.map { "\($0.key)=\($0.value)" } == b.conditions.map { "\($0.key)=\($0.value)" }
    }
}

extension GRIBFilter: CustomStringConvertible {
    public var description: String { conditions.map { "\($0.key)=\($0.value)" }.joined(separator: ",") }
}
