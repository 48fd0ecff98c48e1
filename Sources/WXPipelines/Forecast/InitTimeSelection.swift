import Foundation
import WXCore

/// Which times of an initial-conditions file start a forecast: every 00 UTC time that has its state one model
/// step earlier, or an explicit list of times.
public enum InitTimeSelection: Sendable, Equatable, CustomStringConvertible {
    /// Every 00 UTC time of the file that has its previous state.
    case all
    /// These times (UTC, read in the proleptic Gregorian calendar and matched in the file's).
    case times([CFDateTime])

    /// Parses `all` or comma-separated ISO 8601 times such as `2000-09-22T00:00` or `2000-09-22T00:00:00Z`.
    public init(parsing text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.lowercased() == "all" {
            self = .all
            return
        }
        self = .times(try trimmed.split(separator: ",", omittingEmptySubsequences: false).map { part in
            let p = part.trimmingCharacters(in: .whitespaces)
            // CFDateTime also reads CF's short reference dates ("2000-9"); an init time must name its day.
            let datePart = p.prefix { $0 != "T" && $0 != "t" && $0 != " " }
            do {
                guard datePart.split(separator: "-", omittingEmptySubsequences: false).count == 3 else {
                    throw CFTimeError.invalidDate(p)
                }
                return try CFDateTime(parsing: p, calendar: .prolepticGregorian)
            } catch {
                throw ForecastError.invalidOption(option: "--init-times",
                    detail: "'\(p)' is not 'all' or an ISO 8601 time such as 2000-09-22T00:00 (\(error))")
            }
        })
    }

    /// `all` or the times, comma-separated.
    public var description: String {
        switch self {
        case .all: return "all"
        case let .times(t): return t.map(\.iso8601).joined(separator: ",")
        }
    }

    /// The selected init times among `values` (a CF time coordinate in `units`), each with the index of the state
    /// `stepHours` earlier, in increasing time order without repeats; `path` and `variable` name the file in errors.
    public func resolve(values: [Double], units: CFTimeUnits, stepHours: Double, path: String,
                        variable: String) throws -> [ForecastInitTime] {
        let seconds = values.map { units.secondsSinceEpoch($0) }
        // Times are matched to within a second so that float rounding of stored values never hides a state.
        func index(of s: Double) -> Int? { seconds.firstIndex { abs($0 - s) < 1 } }
        func date(_ i: Int) throws -> CFDateTime {
            do { return try units.date(values[i]) } catch {
                throw ForecastError.timeAxis(path: path, variable: variable, detail: "value \(values[i]): \(error)")
            }
        }
        let step = stepHours * 3600
        var found: [ForecastInitTime] = []
        switch self {
        case .all:
            for i in values.indices {
                let d = try date(i)
                guard d.hour == 0, d.minute == 0, d.second == 0, d.microsecond == 0, let p = index(of: seconds[i] - step) else { continue }
                found.append(ForecastInitTime(value: values[i], hours: values[i] * units.unit.seconds / 3600, date: d, index: i, previousIndex: p))
            }
            guard !found.isEmpty else {
                throw ForecastError.noInitTimes(path: path,
                    detail: "no 00 UTC time of the file has its state \(String(format: "%g", stepHours)) h earlier")
            }
        case let .times(requested):
            for r in requested {
                let d: CFDateTime
                do {
                    d = try CFDateTime(year: r.year, month: r.month, day: r.day, hour: r.hour, minute: r.minute, second: r.second,
                                       microsecond: r.microsecond, calendar: units.calendar)
                } catch {
                    throw ForecastError.initTimeMissing(path: path, time: "\(r.iso8601) (not a date of the file's \(units.calendar) calendar)")
                }
                guard let i = index(of: d.secondsSinceEpoch) else { throw ForecastError.initTimeMissing(path: path, time: d.iso8601) }
                guard let p = index(of: d.secondsSinceEpoch - step) else {
                    let previous = (try? d.adding(seconds: -step).iso8601) ?? "\(String(format: "%g", stepHours)) h earlier"
                    throw ForecastError.previousStateMissing(path: path, time: d.iso8601, previous: previous)
                }
                found.append(ForecastInitTime(value: values[i], hours: values[i] * units.unit.seconds / 3600, date: d, index: i, previousIndex: p))
            }
        }
        var seen = Set<Int>()
        return found.sorted { $0.date < $1.date }.filter { seen.insert($0.index).inserted }
    }
}
