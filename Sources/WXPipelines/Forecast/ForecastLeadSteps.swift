/// Lead times in hours as numbers of model steps: the lead times a rollout records.
public struct ForecastLeadSteps: Sendable, Equatable {
    /// The lead times (hours), increasing, without repeats.
    public var hours: [Double]
    /// The model steps of each lead time.
    public var steps: [Int]

    /// Sorts `hours`, drops repeats and checks each is a positive multiple of `stepHours`; `option` names the
    /// option or key in the `ForecastError.invalidOption` thrown otherwise.
    public init(hours: [Double], stepHours: Double, option: String = "--lead-times") throws {
        guard !hours.isEmpty else { throw ForecastError.invalidOption(option: option, detail: "no lead times given") }
        self.hours = Array(Set(hours)).sorted()
        steps = try self.hours.map { h -> Int in
            let k = (h / stepHours).rounded()
            guard h > 0, h.isFinite, abs(h - k * stepHours) < 1e-6 else {
                throw ForecastError.invalidOption(option: option,
                    detail: "\(Self.format(h)) h is not a positive multiple of the model's \(Self.format(stepHours)) h step")
            }
            return Int(k)
        }
    }

    /// A number of hours without a trailing ".0".
    static func format(_ h: Double) -> String {
        h == h.rounded() && abs(h) < 1e15 ? String(Int64(h)) : String(h)
    }
}
