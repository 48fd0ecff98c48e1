import Foundation
import XCTest
import WXCore

/// Top-of-atmosphere insolation and the solar hour angle: hand-checked values (equinox noon, solstices, polar night
/// and day) and agreement with an independent reference, the Astronomical Almanac's low-precision solar position.
final class SolarGeometryTests: XCTestCase {
    func date(_ y: Int, _ m: Int, _ d: Int, _ h: Int, _ minute: Int = 0) throws -> CFDateTime {
        try CFDateTime(year: y, month: m, day: d, hour: h, minute: minute, calendar: .prolepticGregorian)
    }

    /// Insolation over the solar constant from the Astronomical Almanac's low-precision formulas (days from J2000.0,
    /// mean longitude and anomaly, ecliptic longitude, obliquity; right ascension for the equation of time; distance
    /// in AU); good to about 0.01 degrees of declination and a few seconds of time (Astronomical Almanac, section C).
    static func referenceInsolation(_ t: CFDateTime, latitude: Double, longitude: Double) -> (insolation: Double, hourAngle: Double) {
        let rad = Double.pi / 180
        let n = t.secondsSinceEpoch / 86_400 - 10_957.5  // days since 2000-01-01T12 UTC
        let l = 280.460 + 0.9856474 * n, g = (357.528 + 0.9856003 * n) * rad
        let lambda = (l + 1.915 * sin(g) + 0.020 * sin(2 * g)) * rad, eps = (23.439 - 0.0000004 * n) * rad
        let declination = asin(sin(eps) * sin(lambda))
        let ra = atan2(cos(eps) * sin(lambda), cos(lambda)) / rad
        var eot = (l - ra).truncatingRemainder(dividingBy: 360)
        if eot > 180 { eot -= 360 }
        if eot < -180 { eot += 360 }
        let r = 1.00014 - 0.01671 * cos(g) - 0.00014 * cos(2 * g)
        let utcHours = Double(t.hour) + Double(t.minute) / 60 + Double(t.second) / 3600
        var h = 15 * (utcHours - 12) + longitude + eot
        h = (h + 180).truncatingRemainder(dividingBy: 360)
        if h < 0 { h += 360 }
        h = (h - 180) * rad
        let mu = sin(latitude * rad) * sin(declination) + cos(latitude * rad) * cos(declination) * cos(h)
        return (max(0, mu) / (r * r), h)
    }

    /// At the March equinox's noon at 0 E the Sun is over the equator at the meridian: S0 cos(lat), times the
    /// Earth-Sun distance factor (about 1.008 in March), to the declination's half degree of 12 h before the
    /// equinox (2019-03-20T21:58 UTC) and the equation of time's 7.5 minutes (cos 1.9 deg): within 2%.
    func testEquinoxNoonIsCosLatitude() throws {
        let sun = SolarGeometry(try date(2019, 3, 20, 12))
        XCTAssertEqual(sun.declination * 180 / .pi, -0.2, accuracy: 0.4)
        XCTAssertEqual(sun.distanceFactor, 1.008, accuracy: 0.003)
        for lat in [0.0, 30, 51.5, 60, -45] {
            let ratio = sun.insolation(latitude: lat, longitude: 0) / cos(lat * .pi / 180)
            XCTAssertEqual(ratio, 1, accuracy: 0.02, "latitude \(lat)")
        }
        // Midnight at 0 E, and noon on the far side of the Earth, are night.
        XCTAssertEqual(SolarGeometry(try date(2019, 3, 20, 0)).insolation(latitude: 45, longitude: 0), 0)
        XCTAssertEqual(sun.insolation(latitude: 10, longitude: 180), 0)
    }

    /// June solstice: the Sun overhead at the Tropic of Cancer at noon (aphelion is near: (r0/r)^2 = 1/1.0163^2 =
    /// 0.968); midnight sun at 80 N (sin 80 sin 23.44 - cos 80 cos 23.44 = 0.2325 of the overhead value); polar night
    /// at 80 N in December.
    func testSolstices() throws {
        let june = SolarGeometry(try date(2019, 6, 21, 12))
        XCTAssertEqual(june.declination * 180 / .pi, 23.44, accuracy: 0.1)
        XCTAssertEqual(june.insolation(latitude: 23.44, longitude: 0), 0.968, accuracy: 0.003)
        XCTAssertEqual(SolarGeometry(try date(2019, 6, 21, 0)).insolation(latitude: 80, longitude: 0), 0.968 * 0.2325, accuracy: 0.003)
        for h in [0, 6, 12, 18] {
            XCTAssertEqual(SolarGeometry(try date(2019, 12, 21, h)).insolation(latitude: 80, longitude: Double(h) * 15), 0)
        }
        XCTAssertEqual(SolarGeometry(try date(2019, 12, 21, 12)).declination * 180 / .pi, -23.44, accuracy: 0.1)
    }

    /// The hour angle is local solar time: 0 at solar noon (12 UTC at 0 E less the equation of time), pi/2 six hours
    /// later, and the same at 06 UTC 90 E as at 12 UTC 0 E (to the equation of time's change in 6 hours).
    func testHourAngleIsLocalSolarTime() throws {
        let noon = SolarGeometry(try date(2019, 3, 20, 12))
        XCTAssertEqual(noon.hourAngle(longitude: -noon.equationOfTimeMinutes / 4), 0, accuracy: 1e-12)
        XCTAssertEqual(noon.equationOfTimeMinutes, -7.5, accuracy: 1)
        let later = SolarGeometry(try date(2019, 3, 20, 18))
        XCTAssertEqual(later.hourAngle(longitude: -noon.equationOfTimeMinutes / 4), .pi / 2, accuracy: 0.001)
        let east = SolarGeometry(try date(2019, 3, 20, 6))
        XCTAssertEqual(east.hourAngle(longitude: 90), noon.hourAngle(longitude: 0), accuracy: 0.001)
    }

    /// Against the Almanac reference at every 7 hours of 2019 and 2000 on a spread of points: insolation within 0.01
    /// of the solar constant, hour angles within 0.25 degrees (Spencer's series is good to about 0.3 deg of
    /// declination and 0.7 min of time).
    func testAgainstTheAlmanacReference() throws {
        var worstInsolation = 0.0, worstAngle = 0.0, days = 0
        for start in [try date(2019, 1, 1, 0), try date(2000, 1, 1, 3)] {
            for step in stride(from: 0, to: 366 * 24, by: 7) {
                let t = try start.adding(seconds: Double(step) * 3600)
                let sun = SolarGeometry(t)
                for lat in stride(from: -85.0, through: 85, by: 17) {
                    for lon in stride(from: -180.0, to: 180, by: 45) {
                        let ref = Self.referenceInsolation(t, latitude: lat, longitude: lon)
                        worstInsolation = max(worstInsolation, abs(sun.insolation(latitude: lat, longitude: lon) - ref.insolation))
                        var d = sun.hourAngle(longitude: lon) - ref.hourAngle
                        d = remainder(d, 2 * .pi)
                        worstAngle = max(worstAngle, abs(d) * 180 / .pi)
                    }
                }
                days += 1
            }
        }
        XCTAssertGreaterThan(days, 2000)
        XCTAssertLessThan(worstInsolation, 0.01)
        XCTAssertLessThan(worstAngle, 0.25)
    }
}
