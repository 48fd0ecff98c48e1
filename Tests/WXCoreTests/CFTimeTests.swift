import Foundation
import XCTest
import WXCore

/// CF calendars and time units against cftime (Golden/make_time_golden.py) and by construction.
final class CFTimeTests: XCTestCase {
    struct Golden: Decodable {
        struct Decoded: Decodable { var value: Double; var iso: String?; var back: Double?; var error: String? }
        struct Case: Decodable { var units: String; var calendar: String; var decoded: [Decoded] }
        struct Bad: Decodable { var units: String; var cftime: String }
        var cftime: String
        var cases: [Case]
        var bad_units: [Bad]
    }

    func golden() throws -> Golden {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/cftime_golden.json")
        return try JSONDecoder().decode(Golden.self, from: Data(contentsOf: url))
    }

    func testDecodingMatchesCftime() throws {
        let g = try golden()
        var checked = 0
        for c in g.cases {
            let parsed = Result { try CFTimeUnits(units: c.units, calendar: c.calendar) }
            for d in c.decoded {
                if d.error != nil {
                    if case .success(let u) = parsed {
                        XCTAssertThrowsError(try u.date(d.value), "\(c.units) [\(c.calendar)] \(d.value) should fail as in cftime")
                    }
                    continue
                }
                let u = try parsed.get()
                let date = try u.date(d.value)
                // Values that are not exact binary fractions round to the microsecond differently in cftime
                // (it scales in another order): allow 10 us there, require the exact text otherwise.
                let want = try CFDateTime(parsing: d.iso!, calendar: date.calendar)
                let diff = abs(date.microsecondsSinceEpoch - want.microsecondsSinceEpoch)
                if d.value == d.value.rounded() || d.value * 2 == (d.value * 2).rounded() {
                    XCTAssertEqual(date.iso8601, d.iso, "\(c.units) [\(c.calendar)] value \(d.value)")
                } else {
                    // within a few ulps of value x unit (a double of 1e6 days is only good to ~10 us)
                    let ulps = abs(d.value) * u.unit.seconds * 1e6 * 2.2e-16 * 4
                    XCTAssertLessThanOrEqual(Double(diff), max(2, ulps), "\(c.units) [\(c.calendar)] value \(d.value): \(date) vs \(d.iso!)")
                }
                if let back = d.back {
                    XCTAssertEqual(u.value(of: date), back, accuracy: 1e-9 * max(1, abs(back)), "\(c.units) [\(c.calendar)] back")
                }
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 2000)
    }

    func testBadUnitsAreTypedErrors() throws {
        for b in try golden().bad_units {
            XCTAssertThrowsError(try CFTimeUnits(units: b.units, calendar: "standard"), b.units) { e in
                XCTAssertTrue(e is CFTimeError, "\(b.units): \(e)")
            }
        }
        XCTAssertThrowsError(try CFTimeUnits(units: "months since 1958-1-1 00:00:00")) { e in
            guard case CFTimeError.nonCFUnit(let unit, _) = e else { return XCTFail("\(e)") }
            XCTAssertEqual(unit, "months")
        }
        XCTAssertThrowsError(try CFTimeUnits(units: "days since 2000-01-01", calendar: "martian")) { e in
            XCTAssertEqual(e as? CFTimeError, .unknownCalendar("martian"))
        }
        XCTAssertThrowsError(try CFTimeUnits(units: "days since 2001-02-30", calendar: "noleap"))
        XCTAssertNoThrow(try CFTimeUnits(units: "days since 2001-02-30", calendar: "360_day"))
    }

    func testReferenceDateForms() throws {
        let forms = ["2000-03-21 00:00:00", "2000-3-21T0:0:0Z", "2000-03-21", "2000-03-21T00:00:00.000", "2000-03-21 00:00:00 UTC"]
        for f in forms {
            let d = try CFDateTime(parsing: f, calendar: .prolepticGregorian)
            XCTAssertEqual(d.iso8601, "2000-03-21T00:00:00", f)
        }
        XCTAssertEqual(try CFDateTime(parsing: "1958-1-1", calendar: .standard).iso8601, "1958-01-01T00:00:00")
        XCTAssertThrowsError(try CFDateTime(parsing: "yesterday", calendar: .standard))
        XCTAssertThrowsError(try CFDateTime(parsing: "2000-01-01 00:00:00 nonsense", calendar: .standard))
    }

    func testValidTimeAcrossReferenceDates() throws {
        // Same instant stored against two reference dates, plus a lead time, compares equal.
        let a = try CFTimeUnits(units: "hours since 1900-01-01", calendar: "proleptic_gregorian")
        let b = try CFTimeUnits(units: "days since 2000-03-21 00:00:00", calendar: "proleptic_gregorian")
        let initA = try a.date(876_576) // 2000-01-01T00
        let initB = try b.date(-80)      // 2000-01-01T00
        XCTAssertEqual(initA, initB)
        let lead = try CFDurationUnits(units: "hours")
        let valid = initA.adding(seconds: lead.seconds(36))
        XCTAssertEqual(valid.iso8601, "2000-01-02T12:00:00")
        XCTAssertEqual(valid.seconds(since: initB), 129_600)
        XCTAssertEqual(a.secondsSinceEpoch(876_576), initA.secondsSinceEpoch)
        XCTAssertThrowsError(try CFDurationUnits(units: "months"))
        XCTAssertThrowsError(try CFDurationUnits(units: "hours since 2000-01-01"))
    }

    func testCalendarRoundTripsEveryDay() {
        for cal in CFCalendar.allCases {
            var previous: (Int, Int, Int)? = nil
            for n in stride(from: -800_000, through: 120_000, by: 7) {
                let (y, m, d) = cal.date(dayNumber: n)
                XCTAssertTrue(cal.isValid(year: y, month: m, day: d), "\(cal) day \(n) -> \(y)-\(m)-\(d)")
                XCTAssertEqual(cal.dayNumber(year: y, month: m, day: d), n, "\(cal) \(y)-\(m)-\(d)")
                if let p = previous { XCTAssertTrue((y, m, d) > p, "\(cal) not increasing at \(n)") }
                previous = (y, m, d)
            }
        }
        // The Julian-to-Gregorian switch of the standard calendar.
        XCTAssertEqual(CFCalendar.standard.dayNumber(year: 1582, month: 10, day: 15)
                       - CFCalendar.standard.dayNumber(year: 1582, month: 10, day: 4), 1)
        XCTAssertFalse(CFCalendar.standard.isValid(year: 1582, month: 10, day: 10))
    }
}
