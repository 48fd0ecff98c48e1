import Foundation

/// A fixed-length time unit CF allows in time and duration units.
public enum CFTimeUnit: String, Sendable, Codable, CaseIterable {
    /// The fixed-length units, shortest first.
    case microseconds, milliseconds, seconds, minutes, hours, days

    /// Length of one unit in seconds.
    public var seconds: Double {
        switch self {
        case .microseconds: return 1e-6
        case .milliseconds: return 1e-3
        case .seconds: return 1
        case .minutes: return 60
        case .hours: return 3600
        case .days: return 86400
        }
    }

    /// The unit named by a udunits word (singular, plural or abbreviation), or nil.
    /// Throws `nonCFUnit` for months and years (their length varies).
    public static func parse(_ word: String, units: String) throws -> CFTimeUnit? {
        switch word.lowercased() {
        case "microseconds", "microsecond", "us", "µs": return .microseconds
        case "milliseconds", "millisecond", "ms", "msec", "msecs": return .milliseconds
        case "seconds", "second", "secs", "sec", "s": return .seconds
        case "minutes", "minute", "mins", "min": return .minutes
        case "hours", "hour", "hrs", "hr", "h": return .hours
        case "days", "day", "d": return .days
        case "months", "month", "years", "year", "yr", "yrs", "common_years", "common_year", "weeks", "week":
            throw CFTimeError.nonCFUnit(unit: word, units: units)
        default: return nil
        }
    }
}

/// CF time coordinate units, `<unit> since <reference date>`, in a calendar.
public struct CFTimeUnits: Sendable, Hashable, CustomStringConvertible {
    /// Unit of the stored values.
    public var unit: CFTimeUnit
    /// The reference date (values count from it).
    public var reference: CFDateTime
    /// The calendar.
    public var calendar: CFCalendar { reference.calendar }

    /// Parses `units` (e.g. "hours since 1900-01-01 00:00:00.0") with a CF `calendar` attribute (nil = standard).
    public init(units: String, calendar calendarName: String? = nil) throws {
        let calendar: CFCalendar
        if let name = calendarName {
            guard let c = CFCalendar(cfName: name) else { throw CFTimeError.unknownCalendar(name) }
            calendar = c
        } else {
            calendar = .standard
        }
        let parts = units.trimmingCharacters(in: .whitespaces).split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
        guard parts.count == 3, parts[1].lowercased() == "since" else { throw CFTimeError.invalidUnits(units) }
        guard let u = try CFTimeUnit.parse(String(parts[0]), units: units) else { throw CFTimeError.invalidUnits(units) }
        unit = u
        reference = try CFDateTime(parsing: String(parts[2]), calendar: calendar)
    }

    /// True when a units string has the `<word> since <something>` shape of a time axis.
    public static func isTimeAxisUnits(_ units: String) -> Bool {
        let parts = units.lowercased().split(separator: " ", omittingEmptySubsequences: true)
        return parts.count >= 3 && parts[1] == "since"
    }

    /// The date-time of a stored value (rounded to the microsecond, as cftime does).
    public func date(_ value: Double) throws -> CFDateTime {
        let us = value * unit.seconds * 1e6
        guard us.isFinite, abs(us) < 9e18 else { throw CFTimeError.invalidValue(value) }
        return CFDateTime(microsecondsSinceEpoch: reference.microsecondsSinceEpoch + Int64(us.rounded()), calendar: calendar)
    }

    /// Decodes many values; NaN values decode to nil.
    public func dates(_ values: [Double]) throws -> [CFDateTime?] {
        try values.map { $0.isNaN ? nil : try date($0) }
    }

    /// The stored value of a date-time in these units.
    public func value(of date: CFDateTime) -> Double {
        Double(date.microsecondsSinceEpoch - reference.microsecondsSinceEpoch) / 1e6 / unit.seconds
    }

    /// Seconds since the calendar's epoch for a stored value (for valid time = init time + lead time).
    public func secondsSinceEpoch(_ value: Double) -> Double { reference.secondsSinceEpoch + value * unit.seconds }

    public var description: String { "\(unit.rawValue) since \(reference.iso8601) (\(calendar))" }
}

/// A duration unit for lead times ("hours", "days", ...), without a reference date.
public struct CFDurationUnits: Sendable, Hashable {
    /// The unit of the stored values.
    public var unit: CFTimeUnit

    /// Parses a duration unit such as "hours" or "days"; throws for "since" units, months/years and unknown words.
    public init(units: String) throws {
        let t = units.trimmingCharacters(in: .whitespaces)
        guard !t.contains(" "), let u = try CFTimeUnit.parse(t, units: units) else { throw CFTimeError.invalidUnits(units) }
        unit = u
    }

    /// Seconds of a stored value.
    public func seconds(_ value: Double) -> Double { value * unit.seconds }
}
