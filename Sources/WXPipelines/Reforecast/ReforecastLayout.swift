import Foundation
import WXIO

/// The axes and variables of a reforecast's input and part files.
public struct ReforecastLayout: Sendable, Equatable {
    /// Every init time of the input (hours since `timeReference`; VAE: every time of the initial-conditions file).
    public var initTimes: [Double]
    /// The init-time axis' reference date and calendar.
    public var timeReference: String, calendar: String
    /// Every lead time of the input (hours; VAE: the configuration's).
    public var leadHours: [Double]
    /// The grid (degrees).
    public var latitudes: [Double], longitudes: [Double]
    /// Output variables in channel order.
    public var variables: [CFDataVariable]

    /// The init-time axis of a file holding inits `hours`.
    public func timeAxis(_ hours: [Double]) -> CFTimeAxis { CFTimeAxis(hours: hours, reference: timeReference, calendar: calendar) }
}
