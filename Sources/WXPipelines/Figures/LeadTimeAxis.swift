import Foundation

/// An x axis over the verified lead times: ticks at the leads themselves, labelled in days ("3 d") when every lead is
/// a whole number of days and in hours ("36 h") otherwise.
public struct LeadTimeAxis: Sendable {
    /// Lead times in hours, ascending, without repeats.
    public let hours: [Double]

    /// An axis over these lead times (hours).
    public init(hours: [Double]) {
        self.hours = Array(Set(hours.filter(\.isFinite))).sorted()
    }

    /// True when every lead is a whole number of days.
    public var inDays: Bool {
        !hours.isEmpty && hours.allSatisfy { $0.truncatingRemainder(dividingBy: 24) == 0 }
    }

    /// Tick label of a lead: "3 d" or "36 h".
    public func label(_ h: Double) -> String {
        inDays ? "\(VerificationPlan.hoursText(h / 24)) d" : "\(VerificationPlan.hoursText(h)) h"
    }

    /// One tick per lead (the chart thins them when the labels would overlap).
    public var ticks: [(value: Double, label: String)] { hours.map { (value: $0, label: label($0)) } }

    /// Axis title.
    public var title: String { "Lead time" }

    /// Data range in hours: the leads with a margin of 4% of their span (half a day around a single lead).
    public var range: (lower: Double, upper: Double) {
        guard let lo = hours.first, let hi = hours.last else { return (0, 24) }
        let pad = hi > lo ? (hi - lo) * 0.04 : 12
        return (lo - pad, hi + pad)
    }
}
