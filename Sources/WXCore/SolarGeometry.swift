import Foundation

/// The Sun's position for a date-time: declination, equation of time and Earth-Sun distance factor from Spencer's
/// (1971) Fourier series in the year angle (NOAA's form, which adds the hour), and from them the top-of-atmosphere
/// insolation at any latitude and longitude.
///
/// Year angle g = 2 pi (d - 1 + (hour - 12) / 24) / N, d the day of the year from 1 and N the days of the year in the
/// date's calendar (360 in a 360-day calendar);
///   declination = 0.006918 - 0.399912 cos g + 0.070257 sin g - 0.006758 cos 2g + 0.000907 sin 2g - 0.002697 cos 3g + 0.00148 sin 3g,
///   equation of time (min) = 229.18 (0.000075 + 0.001868 cos g - 0.032077 sin g - 0.014615 cos 2g - 0.040849 sin 2g),
///   (r0 / r)^2 = 1.000110 + 0.034221 cos g + 0.001280 sin g + 0.000719 cos 2g + 0.000077 sin 2g;
///   hour angle h = (minutes of the UTC day + equation of time + 4 lon) / 4 - 180 degrees,
///   cos(zenith) = sin lat sin declination + cos lat cos declination cos h,
///   insolation / S0 = (r0 / r)^2 max(0, cos zenith)
/// (Spencer, Search 2(5), 172, 1971; Iqbal, An Introduction to Solar Radiation, 1983, ch. 1).
public struct SolarGeometry: Sendable, Equatable {
    /// Solar declination (radians).
    public var declination: Double
    /// Equation of time (minutes; apparent minus mean solar time).
    public var equationOfTimeMinutes: Double
    /// (r0 / r)^2, the insolation's factor for the Earth-Sun distance.
    public var distanceFactor: Double
    /// Minutes since 00 UTC of the day.
    public var utcMinutes: Double

    /// The Sun at `date` (read as UTC).
    public init(_ date: CFDateTime) {
        let c = date.calendar
        let start = c.dayNumber(year: date.year, month: 1, day: 1)
        let days = Double(c.dayNumber(year: date.year + 1, month: 1, day: 1) - start)
        let dayOfYear = Double(c.dayNumber(year: date.year, month: date.month, day: date.day) - start)
        utcMinutes = Double(date.hour) * 60 + Double(date.minute) + (Double(date.second) + Double(date.microsecond) / 1e6) / 60
        let g = 2 * Double.pi * (dayOfYear + (utcMinutes / 60 - 12) / 24) / days
        declination = 0.006918 - 0.399912 * cos(g) + 0.070257 * sin(g) - 0.006758 * cos(2 * g) + 0.000907 * sin(2 * g)
            - 0.002697 * cos(3 * g) + 0.00148 * sin(3 * g)
        equationOfTimeMinutes = 229.18 * (0.000075 + 0.001868 * cos(g) - 0.032077 * sin(g) - 0.014615 * cos(2 * g)
            - 0.040849 * sin(2 * g))
        distanceFactor = 1.000110 + 0.034221 * cos(g) + 0.001280 * sin(g) + 0.000719 * cos(2 * g) + 0.000077 * sin(2 * g)
    }

    /// The hour angle (radians, 0 at local solar noon, negative before it) at `longitude` degrees east.
    public func hourAngle(longitude: Double) -> Double {
        ((utcMinutes + equationOfTimeMinutes + 4 * longitude) / 4 - 180) * .pi / 180
    }

    /// Top-of-atmosphere insolation over the solar constant, (r0 / r)^2 max(0, cos zenith), at a point (degrees).
    public func insolation(latitude: Double, longitude: Double) -> Double {
        let phi = latitude * .pi / 180
        let mu = sin(phi) * sin(declination) + cos(phi) * cos(declination) * cos(hourAngle(longitude: longitude))
        return distanceFactor * max(0, mu)
    }
}
