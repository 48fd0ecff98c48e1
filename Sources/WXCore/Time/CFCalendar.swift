import Foundation

/// A CF-conventions calendar (CF 1.11 section 4.4.1).
///
/// Day numbers are counted from 1970-01-01 of the calendar. For `standard`, `proleptic_gregorian`
/// and `julian` they share one real-day axis (day 0 = Gregorian 1970-01-01), so instants in those
/// calendars can be compared; `standard` is the mixed Julian/Gregorian calendar (Julian before
/// 1582-10-15, Gregorian from then on), as in cftime.
public enum CFCalendar: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    /// Mixed Julian/Gregorian (CF `standard`, alias `gregorian`).
    case standard
    /// Gregorian rules extended before 1582.
    case prolepticGregorian = "proleptic_gregorian"
    /// Every year has 365 days (`noleap`, alias `365_day`).
    case noLeap = "noleap"
    /// Every year has 366 days (`all_leap`, alias `366_day`).
    case allLeap = "all_leap"
    /// Twelve months of 30 days (`360_day`).
    case day360 = "360_day"
    /// Julian rules (a leap year every four years).
    case julian

    /// The calendar named by a CF `calendar` attribute (case-insensitive, aliases accepted), or nil.
    public init?(cfName: String) {
        switch cfName.trimmingCharacters(in: .whitespaces).lowercased() {
        case "standard", "gregorian", "": self = .standard
        case "proleptic_gregorian": self = .prolepticGregorian
        case "noleap", "no_leap", "365_day": self = .noLeap
        case "all_leap", "366_day": self = .allLeap
        case "360_day": self = .day360
        case "julian": self = .julian
        default: return nil
        }
    }

    public var description: String { rawValue }

    /// True when the calendar has real-day numbering (so instants compare with other real calendars).
    public var isRealCalendar: Bool { self == .standard || self == .prolepticGregorian || self == .julian }

    /// Whether `year` is a leap year in this calendar.
    public func isLeapYear(_ year: Int) -> Bool {
        switch self {
        case .prolepticGregorian: return Self.gregorianLeap(year)
        case .julian: return Self.floorMod(year, 4) == 0
        case .standard: return year > 1582 ? Self.gregorianLeap(year) : Self.floorMod(year, 4) == 0
        case .noLeap, .day360: return false
        case .allLeap: return true
        }
    }

    /// Number of days in a month of a year.
    public func daysInMonth(year: Int, month: Int) -> Int {
        if self == .day360 { return 30 }
        let lengths = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard month >= 1 && month <= 12 else { return 0 }
        return month == 2 && isLeapYear(year) ? 29 : lengths[month - 1]
    }

    /// True when the date exists in this calendar (the ten days skipped in October 1582 do not exist in `standard`).
    public func isValid(year: Int, month: Int, day: Int) -> Bool {
        guard month >= 1, month <= 12, day >= 1, day <= daysInMonth(year: year, month: month) else { return false }
        if self == .standard && year == 1582 && month == 10 && day > 4 && day < 15 { return false }
        return true
    }

    /// Days from 1970-01-01 of this calendar to the given date (negative before it).
    public func dayNumber(year: Int, month: Int, day: Int) -> Int {
        switch self {
        case .prolepticGregorian: return Self.gregorianJDN(year, month, day) - Self.unixJDN
        case .julian: return Self.julianJDN(year, month, day) - Self.unixJDN
        case .standard:
            let gregorian = (year, month, day) >= (1582, 10, 15)
            return (gregorian ? Self.gregorianJDN(year, month, day) : Self.julianJDN(year, month, day)) - Self.unixJDN
        case .noLeap: return 365 * (year - 1970) + Self.cumulative[month - 1] + day - 1
        case .allLeap: return 366 * (year - 1970) + Self.cumulativeLeap[month - 1] + day - 1
        case .day360: return 360 * (year - 1970) + 30 * (month - 1) + day - 1
        }
    }

    /// The date of a day number (inverse of `dayNumber`).
    public func date(dayNumber n: Int) -> (year: Int, month: Int, day: Int) {
        switch self {
        case .prolepticGregorian: return Self.gregorianFromJDN(n + Self.unixJDN)
        case .julian: return Self.julianFromJDN(n + Self.unixJDN)
        case .standard:
            let jdn = n + Self.unixJDN
            return jdn >= Self.gregorianStartJDN ? Self.gregorianFromJDN(jdn) : Self.julianFromJDN(jdn)
        case .noLeap: return Self.fixedYear(n, length: 365, cumulative: Self.cumulative)
        case .allLeap: return Self.fixedYear(n, length: 366, cumulative: Self.cumulativeLeap)
        case .day360:
            let y = Self.floorDiv(n, 360), r = n - 360 * y
            return (1970 + y, r / 30 + 1, r % 30 + 1)
        }
    }

    // MARK: - day arithmetic

    private static let unixJDN = 2_440_588
    private static let gregorianStartJDN = 2_299_161
    private static let cumulative = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365]
    private static let cumulativeLeap = [0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335, 366]

    static func floorDiv(_ a: Int, _ b: Int) -> Int { let q = a / b; return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q }
    static func floorMod(_ a: Int, _ b: Int) -> Int { a - b * floorDiv(a, b) }
    private static func gregorianLeap(_ y: Int) -> Bool { floorMod(y, 4) == 0 && (floorMod(y, 100) != 0 || floorMod(y, 400) == 0) }

    private static func gregorianJDN(_ y: Int, _ m: Int, _ d: Int) -> Int {
        let a = (14 - m) / 12, yy = y + 4800 - a, mm = m + 12 * a - 3
        return d + (153 * mm + 2) / 5 + 365 * yy + floorDiv(yy, 4) - floorDiv(yy, 100) + floorDiv(yy, 400) - 32045
    }

    private static func julianJDN(_ y: Int, _ m: Int, _ d: Int) -> Int {
        let a = (14 - m) / 12, yy = y + 4800 - a, mm = m + 12 * a - 3
        return d + (153 * mm + 2) / 5 + 365 * yy + floorDiv(yy, 4) - 32083
    }

    private static func gregorianFromJDN(_ jdn: Int) -> (Int, Int, Int) {
        // Hinnant's civil_from_days on days since 1970-01-01.
        let z = jdn - unixJDN + 719_468
        let era = floorDiv(z, 146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    private static func julianFromJDN(_ jdn: Int) -> (Int, Int, Int) {
        let c = jdn + 32082
        let d = floorDiv(4 * c + 3, 1461)
        let e = c - floorDiv(1461 * d, 4)
        let m = (5 * e + 2) / 153
        let day = e - (153 * m + 2) / 5 + 1
        let month = m + 3 - 12 * (m / 10)
        return (d - 4800 + m / 10, month, day)
    }

    private static func fixedYear(_ n: Int, length: Int, cumulative: [Int]) -> (Int, Int, Int) {
        let y = floorDiv(n, length), r = n - length * y
        var m = 1
        while m < 12 && cumulative[m] <= r { m += 1 }
        return (1970 + y, m, r - cumulative[m - 1] + 1)
    }
}
