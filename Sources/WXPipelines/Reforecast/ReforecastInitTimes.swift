import Foundation
import WXCore

/// Which init times of the input a reforecast runs: all of them, a list of dates, or a range with a step.
///
/// In YAML: `all`; a list `["2000-09-22", "2000-09-27T00:00:00"]`; or `{from: 2000-09-22, to: 2000-10-22, step_hours: 120}`.
public enum ReforecastInitTimes: Codable, Sendable, Equatable, CustomStringConvertible {
    /// Every init time of the input.
    case all
    /// These dates (ISO 8601, in the input's calendar).
    case list([String])
    /// From `from` to `to` inclusive, every `stepHours`.
    case range(from: String, to: String, stepHours: Double)

    private enum Keys: String, CodingKey { case from, to, stepHours = "step_hours" }

    /// Decodes `all`, a list of dates, or a `{from, to, step_hours}` map.
    public init(from decoder: Decoder) throws {
        if let c = try? decoder.singleValueContainer(), let word = try? c.decode(String.self) {
            guard word.lowercased() == "all" else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                    debugDescription: "init_times: '\(word)' is not 'all', a list of dates or {from, to, step_hours}"))
            }
            self = .all
        } else if let c = try? decoder.singleValueContainer(), let dates = try? c.decode([String].self) {
            self = .list(dates)
        } else {
            let c = try decoder.container(keyedBy: Keys.self)
            self = .range(from: try c.decode(String.self, forKey: .from), to: try c.decode(String.self, forKey: .to),
                          stepHours: try c.decode(Double.self, forKey: .stepHours))
        }
    }

    /// Encodes in the shape it was read from.
    public func encode(to encoder: Encoder) throws {
        switch self {
        case .all:
            var c = encoder.singleValueContainer()
            try c.encode("all")
        case let .list(dates):
            var c = encoder.singleValueContainer()
            try c.encode(dates)
        case let .range(from, to, step):
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(from, forKey: .from)
            try c.encode(to, forKey: .to)
            try c.encode(step, forKey: .stepHours)
        }
    }

    /// `all`, the dates comma-separated, or `FROM..TO every N h`.
    public var description: String {
        switch self {
        case .all: return "all"
        case let .list(dates): return dates.joined(separator: ",")
        case let .range(from, to, step): return "\(from)..\(to) every \(String(format: "%g", step)) h"
        }
    }

    /// Indices into `initTimes` (values in `units`) of the selected inits, in time order; throws
    /// `initTimeOutsideInput` for a date the input does not have.
    public func indices(in initTimes: [Double], units: CFTimeUnits, input: String) throws -> [Int] {
        let available: String = {
            let dates = initTimes.compactMap { try? units.date($0).iso8601 }
            return dates.isEmpty ? "no init times" : "\(dates.count) init times, \(dates.first!) .. \(dates.last!)"
        }()
        func index(of text: String) throws -> Int {
            let date: CFDateTime
            do { date = try CFDateTime(parsing: text, calendar: units.calendar) } catch {
                throw ReforecastError.badValue(name: "init_times", reason: "'\(text)' is not a date (\(error))")
            }
            let v = units.value(of: date)
            guard let i = initTimes.firstIndex(where: { abs($0 - v) < 1e-6 }) else {
                throw ReforecastError.initTimeOutsideInput(time: date.iso8601, input: input, available: available)
            }
            return i
        }
        switch self {
        case .all:
            return Array(initTimes.indices)
        case let .list(dates):
            let found = try dates.map(index(of:))
            guard Set(found).count == found.count else { throw ReforecastError.badValue(name: "init_times", reason: "a date repeats") }
            return found.sorted { initTimes[$0] < initTimes[$1] }
        case let .range(from, to, step):
            guard step > 0, step.isFinite else { throw ReforecastError.badValue(name: "init_times.step_hours", reason: "must be positive") }
            let first = try index(of: from), last = try index(of: to)
            guard initTimes[first] <= initTimes[last] else {
                throw ReforecastError.badValue(name: "init_times", reason: "'from' \(from) is after 'to' \(to)")
            }
            let hoursPerUnit = units.unit.seconds / 3600
            var out: [Int] = []
            var k = 0
            while true {
                let hours = Double(k) * step
                let v = initTimes[first] + hours / hoursPerUnit
                if v > initTimes[last] + 1e-6 { break }
                guard let i = initTimes.firstIndex(where: { abs($0 - v) < 1e-6 }) else {
                    let text = (try? units.date(v).iso8601) ?? "\(v)"
                    throw ReforecastError.initTimeOutsideInput(time: text, input: input, available: available)
                }
                out.append(i)
                k += 1
            }
            return out
        }
    }
}
