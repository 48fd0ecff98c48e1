import Foundation

/// Decodes CF time coordinates ("<unit> since <date>", calendar) to seconds since 1970-01-01 in the same calendar,
/// so that valid times from files with different units can be compared.
public struct CFTimeDecoder: Sendable, Equatable {
    /// Seconds per unit.
    public let unitSeconds: Double
    /// Reference date in seconds since 1970-01-01 of the calendar.
    public let referenceSeconds: Double
    /// Calendar name (lower case, CF spelling).
    public let calendar: String

    /// Parses CF `units` and `calendar` attributes; `variable` and `path` name the coordinate in errors.
    public init(units: String, calendar: String?, variable: String, path: String) throws {
        let parts = units.lowercased().components(separatedBy: " since ")
        guard parts.count == 2, let sec = CFTimeDecoder.seconds(ofUnit: parts[0].trimmingCharacters(in: .whitespaces)) else {
            throw VerifyError.badTime(path: path, variable: variable, reason: "units '\(units)' are not '<unit> since <date>'")
        }
        let cal = (calendar ?? "standard").lowercased()
        guard ["standard", "gregorian", "proleptic_gregorian", "noleap", "365_day", "all_leap", "366_day", "360_day", "julian"].contains(cal) else {
            throw VerifyError.badTime(path: path, variable: variable, reason: "calendar '\(cal)' is not supported")
        }
        guard let ref = CFTimeDecoder.parseDate(parts[1].trimmingCharacters(in: .whitespaces), calendar: cal) else {
            throw VerifyError.badTime(path: path, variable: variable, reason: "reference date '\(parts[1])' cannot be parsed")
        }
        unitSeconds = sec
        referenceSeconds = ref
        self.calendar = cal == "gregorian" || cal == "proleptic_gregorian" || cal == "julian" ? "standard" : cal == "365_day" ? "noleap" : cal == "366_day" ? "all_leap" : cal
    }

    /// Seconds in a CF duration unit (hours, days, ...), nil if unknown.
    public static func seconds(ofUnit u: String) -> Double? {
        switch u {
        case "s", "sec", "secs", "second", "seconds": return 1
        case "min", "mins", "minute", "minutes": return 60
        case "h", "hr", "hrs", "hour", "hours": return 3600
        case "d", "day", "days": return 86400
        case "week", "weeks": return 7 * 86400
        default: return nil
        }
    }

    /// Seconds since 1970 (in this calendar) of a stored value.
    public func seconds(_ v: Double) -> Double { referenceSeconds + v * unitSeconds }

    /// ISO-like text of seconds since 1970 in this calendar (for messages and labels).
    public func format(_ s: Double) -> String {
        let day = Int((s / 86400).rounded(.down))
        let rem = Int((s - Double(day) * 86400).rounded())
        let (y, m, d) = CFTimeDecoder.civil(fromDays: day, calendar: calendar)
        return String(format: "%04d-%02d-%02d %02d:%02d", y, m, d, rem / 3600, (rem % 3600) / 60)
    }

    static func parseDate(_ s: String, calendar: String) -> Double? {
        let cleaned = s.replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "z", with: "")
        let fields = cleaned.split(separator: " ", omittingEmptySubsequences: true)
        guard let datePart = fields.first else { return nil }
        let ymd = datePart.split(separator: "-").compactMap { Int($0) }
        guard ymd.count == 3 else { return nil }
        var secs = 0.0
        if fields.count > 1 {
            let hms = fields[1].split(separator: ":").compactMap { Double($0) }
            if hms.count > 0 { secs += hms[0] * 3600 }
            if hms.count > 1 { secs += hms[1] * 60 }
            if hms.count > 2 { secs += hms[2] }
        }
        return Double(days(year: ymd[0], month: ymd[1], day: ymd[2], calendar: calendar)) * 86400 + secs
    }

    /// Days since 1970-01-01 in the calendar.
    static func days(year: Int, month: Int, day: Int, calendar: String) -> Int {
        switch calendar {
        case "360_day":
            return (year - 1970) * 360 + (month - 1) * 30 + (day - 1)
        case "noleap", "365_day", "all_leap", "366_day":
            let leap = calendar == "all_leap" || calendar == "366_day"
            let cum = leap ? [0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335] : [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334]
            return (year - 1970) * (leap ? 366 : 365) + cum[max(0, min(11, month - 1))] + day - 1
        default:
            // Proleptic Gregorian (Howard Hinnant's days_from_civil).
            let y = month <= 2 ? year - 1 : year
            let era = (y >= 0 ? y : y - 399) / 400
            let yoe = y - era * 400
            let mp = (month + 9) % 12
            let doy = (153 * mp + 2) / 5 + day - 1
            let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
            return era * 146097 + doe - 719468
        }
    }

    static func civil(fromDays z0: Int, calendar: String) -> (Int, Int, Int) {
        switch calendar {
        case "360_day":
            let y = Int((Double(z0) / 360).rounded(.down)); let r = z0 - y * 360
            return (1970 + y, r / 30 + 1, r % 30 + 1)
        case "noleap", "all_leap":
            let n = calendar == "all_leap" ? 366 : 365
            let cum = calendar == "all_leap" ? [0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335, 366] : [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365]
            let y = Int((Double(z0) / Double(n)).rounded(.down)); let r = z0 - y * n
            var m = 0
            while m < 11 && cum[m + 1] <= r { m += 1 }
            return (1970 + y, m + 1, r - cum[m] + 1)
        default:
            let z = z0 + 719468
            let era = (z >= 0 ? z : z - 146096) / 146097
            let doe = z - era * 146097
            let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
            let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
            let mp = (5 * doy + 2) / 153
            let d = doy - (153 * mp + 2) / 5 + 1
            let m = mp < 10 ? mp + 3 : mp - 9
            return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
        }
    }
}
