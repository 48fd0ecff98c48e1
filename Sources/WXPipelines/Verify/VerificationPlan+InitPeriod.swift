import Foundation
import WXCore

extension VerificationPlan {
    /// First and last init time of the forecast, from its init-time coordinate (nil without one or without CF time units).
    public var initPeriod: InitPeriod? {
        guard let ia = initAxis, let c = forecast.coordinates[forecast.dimensions[ia].name], let u = c.units,
              CFTimeUnits.isTimeAxisUnits(u),
              let dec = try? CFTimeUnits(units: u, calendar: c.attributes["calendar"]?.stringValue) else { return nil }
        let finite = c.values.filter(\.isFinite)
        guard let lo = finite.min(), let hi = finite.max() else { return nil }
        func text(_ v: Double) -> String {
            CFDateTime(microsecondsSinceEpoch: Int64((dec.secondsSinceEpoch(v) * 1e6).rounded()), calendar: dec.calendar).iso8601
        }
        return InitPeriod(first: text(lo), last: text(hi))
    }
}
