/// Why a CF time `units` string, calendar or date could not be used.
public enum CFTimeError: Error, Equatable, CustomStringConvertible {
    /// The units string is not `<unit> since <date>` (or a plain duration unit where one is expected).
    case invalidUnits(String)
    /// The unit is one CF advises against because its length varies (months, years).
    case nonCFUnit(unit: String, units: String)
    /// The reference date could not be parsed.
    case invalidDate(String)
    /// The date does not exist in the calendar (e.g. 2001-02-29 in noleap, 2000-02-30).
    case dateNotInCalendar(String, CFCalendar)
    /// The calendar attribute names no calendar wxens knows.
    case unknownCalendar(String)
    /// A value is not finite or too large to be a date.
    case invalidValue(Double)

    public var description: String {
        switch self {
        case .invalidUnits(let u): return "time units \"\(u)\" are not of the form \"<unit> since <date>\" with unit seconds, minutes, hours or days"
        case .nonCFUnit(let unit, let u): return "time units \"\(u)\": \"\(unit)\" is not a fixed-length unit (CF advises against months and years); not decoded"
        case .invalidDate(let s): return "cannot parse the date \"\(s)\""
        case .dateNotInCalendar(let s, let c): return "the date \(s) does not exist in the \(c) calendar"
        case .unknownCalendar(let c): return "unknown calendar \"\(c)\""
        case .invalidValue(let v): return "time value \(v) cannot be decoded to a date"
        }
    }
}
