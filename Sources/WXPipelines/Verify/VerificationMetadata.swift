import Foundation
import WXVerification

/// What a verification run did, stored in scores.nc attributes and partials.json so runs can be merged and read.
public struct VerificationMetadata: Codable, Sendable, Equatable {
    /// Forecast file(s).
    public var forecastPaths: [String]
    /// Truth file(s).
    public var truthPaths: [String]
    /// Climatology file, if any.
    public var climatologyPath: String?
    /// True when latitude cell-area weights were used.
    public var areaWeighted: Bool
    /// NaN policy.
    public var nanPolicy: NaNPolicy
    /// Units per variable.
    public var units: [String: String]
    /// Event definitions.
    public var events: [EventDefinition]
    /// First and last init time verified (ISO 8601), when the forecast has an init-time coordinate.
    public var initPeriod: InitPeriod?

    /// Metadata of a run.
    public init(forecastPaths: [String], truthPaths: [String], climatologyPath: String?, areaWeighted: Bool,
                nanPolicy: NaNPolicy, units: [String: String], events: [EventDefinition], initPeriod: InitPeriod? = nil) {
        self.forecastPaths = forecastPaths
        self.truthPaths = truthPaths
        self.climatologyPath = climatologyPath
        self.areaWeighted = areaWeighted
        self.nanPolicy = nanPolicy
        self.units = units
        self.events = events
        self.initPeriod = initPeriod
    }

    /// True when a climatology was given (ACC and climatology events).
    public var hasClimatology: Bool { climatologyPath != nil }

    /// Text describing the weighting, for output attributes.
    public var weightingDescription: String {
        areaWeighted
            ? "latitude cell-area weights (WeatherBench2): w_i = sin(b_i+1) - sin(b_i), bounds at midpoints between latitudes and +-90 deg (half a spacing beyond the edge rows of a limited area, whose poles lie more than one spacing away), normalised to sum 1 over the valid points of each (init, lead) block; fields without latitude are unweighted"
            : "unweighted: every valid grid point of an (init, lead) block has weight 1/N"
    }

    /// Text describing the averaging order.
    public static let normalisation = "score = mean over init times of the weighted spatial mean per init (WeatherBench2 order); rmse and spread take the square root after the init mean"
}

/// The first and last init time of a verification (ISO 8601 text in the forecast's calendar).
public struct InitPeriod: Codable, Sendable, Equatable {
    /// Earliest init time.
    public var first: String
    /// Latest init time.
    public var last: String

    /// A period.
    public init(first: String, last: String) {
        self.first = first
        self.last = last
    }

    /// The period covering both (ISO 8601 text of one calendar orders as the times do).
    public func union(_ o: InitPeriod?) -> InitPeriod {
        guard let o else { return self }
        return InitPeriod(first: min(first, o.first), last: max(last, o.last))
    }
}
