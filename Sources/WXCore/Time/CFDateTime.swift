import Foundation

/// A date and time in a CF calendar, to the microsecond.
public struct CFDateTime: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Year (may be 0 or negative for very old dates).
    public var year: Int
    /// Month 1...12.
    public var month: Int
    /// Day of the month, from 1.
    public var day: Int
    /// Hour 0...23.
    public var hour: Int
    /// Minute 0...59.
    public var minute: Int
    /// Second 0...59.
    public var second: Int
    /// Microsecond 0...999_999.
    public var microsecond: Int
    /// The calendar the fields are in.
    public var calendar: CFCalendar

    /// A date-time; throws when the date does not exist in the calendar or a field is out of range.
    public init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0,
                microsecond: Int = 0, calendar: CFCalendar = .standard) throws {
        guard calendar.isValid(year: year, month: month, day: day), (0..<24).contains(hour),
              (0..<60).contains(minute), (0..<61).contains(second), (0..<1_000_000).contains(microsecond) else {
            throw CFTimeError.dateNotInCalendar("\(year)-\(month)-\(day) \(hour):\(minute):\(second)", calendar)
        }
        self.year = year; self.month = month; self.day = day
        self.hour = hour; self.minute = minute; self.second = second; self.microsecond = microsecond
        self.calendar = calendar
    }

    /// The date-time `microseconds` after 1970-01-01T00:00:00 of `calendar` (see `CFCalendar` for the epoch).
    public init(microsecondsSinceEpoch us: Int64, calendar: CFCalendar) {
        let perDay: Int64 = 86_400_000_000
        var days = us / perDay
        var rest = us % perDay
        if rest < 0 { rest += perDay; days -= 1 }
        let (y, m, d) = calendar.date(dayNumber: Int(days))
        year = y; month = m; day = d
        let r = Int(rest)
        hour = r / 3_600_000_000
        minute = (r / 60_000_000) % 60
        second = (r / 1_000_000) % 60
        microsecond = r % 1_000_000
        self.calendar = calendar
    }

    /// Microseconds since 1970-01-01T00:00:00 of the calendar (a real-time axis for standard, proleptic_gregorian, julian).
    public var microsecondsSinceEpoch: Int64 {
        let days = Int64(calendar.dayNumber(year: year, month: month, day: day))
        return days * 86_400_000_000 + Int64(hour) * 3_600_000_000 + Int64(minute) * 60_000_000
            + Int64(second) * 1_000_000 + Int64(microsecond)
    }

    /// Seconds since 1970-01-01T00:00:00 of the calendar.
    public var secondsSinceEpoch: Double { Double(microsecondsSinceEpoch) / 1e6 }

    /// This instant moved by a duration in seconds (rounded to the microsecond), in the same calendar.
    public func adding(seconds: Double) -> CFDateTime {
        CFDateTime(microsecondsSinceEpoch: microsecondsSinceEpoch + Int64((seconds * 1e6).rounded()), calendar: calendar)
    }

    /// Seconds from `other` to this instant (both must be in comparable calendars).
    public func seconds(since other: CFDateTime) -> Double {
        Double(microsecondsSinceEpoch - other.microsecondsSinceEpoch) / 1e6
    }

    /// ISO 8601 text, `YYYY-MM-DDTHH:MM:SS` with `.ffffff` when there are microseconds (as cftime's isoformat).
    public var iso8601: String {
        func pad(_ v: Int, _ n: Int) -> String {
            let s = String(abs(v))
            return (v < 0 ? "-" : "") + String(repeating: "0", count: max(0, n - s.count)) + s
        }
        var s = "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2))"
        if microsecond != 0 { s += "." + pad(microsecond, 6) }
        return s
    }

    public var description: String { iso8601 }

    public static func < (a: CFDateTime, b: CFDateTime) -> Bool { a.microsecondsSinceEpoch < b.microsecondsSinceEpoch }
}

extension CFDateTime {
    /// Parses a CF/udunits reference date: `1900-01-01`, `2000-03-21 00:00:00`, `2000-3-21T0:0:0Z`,
    /// `1958-1-1 00:00:00.0`, optionally followed by a `Z`/`UTC` or a `+hh:mm` / `-hh` offset (applied).
    public init(parsing text: String, calendar: CFCalendar) throws {
        let s = text.trimmingCharacters(in: .whitespaces)
        var scanner = DateScanner(Array(s.utf8))
        guard let (y, m, d) = scanner.date() else { throw CFTimeError.invalidDate(text) }
        var hour = 0, minute = 0, second = 0, micro = 0, offsetMinutes = 0
        if scanner.skipSeparatorBeforeTime(), let t = scanner.time() {
            (hour, minute, second, micro) = t
        }
        scanner.skipSpaces()
        if let off = scanner.zone() { offsetMinutes = off } else { throw CFTimeError.invalidDate(text) }
        scanner.skipSpaces()
        guard scanner.atEnd else { throw CFTimeError.invalidDate(text) }
        guard (0..<24).contains(hour), (0..<60).contains(minute), (0..<61).contains(second) else {
            throw CFTimeError.invalidDate(text)
        }
        guard calendar.isValid(year: y, month: m, day: d) else { throw CFTimeError.dateNotInCalendar(text, calendar) }
        try self.init(year: y, month: m, day: d, hour: hour, minute: minute, second: second, microsecond: micro, calendar: calendar)
        if offsetMinutes != 0 { self = adding(seconds: Double(-offsetMinutes * 60)) }
    }
}

/// A tiny scanner over the ASCII bytes of a date string.
private struct DateScanner {
    let b: [UInt8]
    var i = 0
    init(_ b: [UInt8]) { self.b = b }
    var atEnd: Bool { i >= b.count }
    func peek() -> UInt8? { i < b.count ? b[i] : nil }

    mutating func number(maxDigits: Int = 9) -> Int? {
        var v = 0, n = 0
        while let c = peek(), c >= 48, c <= 57, n < maxDigits { v = v * 10 + Int(c - 48); i += 1; n += 1 }
        return n > 0 ? v : nil
    }
    mutating func expect(_ c: UInt8) -> Bool { if peek() == c { i += 1; return true }; return false }
    mutating func skipSpaces() { while peek() == 32 { i += 1 } }

    mutating func date() -> (Int, Int, Int)? {
        let negative = expect(45)
        guard let y = number(), expect(45), let m = number(maxDigits: 2) else { return nil }
        var d = 1
        if expect(45) { guard let dd = number(maxDigits: 2) else { return nil }; d = dd }
        return (negative ? -y : y, m, d)
    }
    mutating func skipSeparatorBeforeTime() -> Bool {
        if expect(84) || expect(116) { return true } // T t
        let start = i
        skipSpaces()
        if let c = peek(), c >= 48, c <= 57 { return true }
        i = start
        return false
    }
    mutating func time() -> (Int, Int, Int, Int)? {
        guard let h = number(maxDigits: 2) else { return nil }
        var m = 0, s = 0, us = 0
        if expect(58) {
            guard let mm = number(maxDigits: 2) else { return nil }
            m = mm
            if expect(58) {
                guard let ss = number(maxDigits: 2) else { return nil }
                s = ss
                if expect(46) {
                    var digits = 0, frac = 0
                    while let c = peek(), c >= 48, c <= 57 {
                        if digits < 6 { frac = frac * 10 + Int(c - 48); digits += 1 }
                        i += 1
                    }
                    while digits < 6 { frac *= 10; digits += 1 }
                    us = frac
                }
            }
        }
        return (h, m, s, us)
    }
    /// Zone designator as an offset in minutes east of UTC; 0 when absent; nil when malformed.
    mutating func zone() -> Int? {
        if atEnd { return 0 }
        if expect(90) || expect(122) { return 0 } // Z z
        let rest = String(decoding: b[i...], as: UTF8.self)
        if rest.uppercased() == "UTC" || rest.uppercased() == "GMT" { i = b.count; return 0 }
        var sign = 0
        if expect(43) { sign = 1 } else if expect(45) { sign = -1 } else { return nil }
        guard let hh = number(maxDigits: 2) else { return nil }
        var mm = 0
        if expect(58) { guard let m = number(maxDigits: 2) else { return nil }; mm = m } else if let m = number(maxDigits: 2) { mm = m }
        return sign * (hh * 60 + mm)
    }
}
