import Foundation
import WXIO

/// The axes and variables of a reforecast's input and part files.
public struct ReforecastLayout: Sendable, Equatable {
    /// Every init time of the input (hours since `timeReference`).
    public var initTimes: [Double]
    /// The init-time axis' reference date and calendar.
    public var timeReference: String, calendar: String
    /// Every lead time of the input (hours).
    public var leadHours: [Double]
    /// The grid (degrees).
    public var latitudes: [Double], longitudes: [Double]
    /// Output variables in channel order.
    public var variables: [CFDataVariable]

    /// The init-time axis of a file holding inits `hours`.
    public func timeAxis(_ hours: [Double]) -> CFTimeAxis { CFTimeAxis(hours: hours, reference: timeReference, calendar: calendar) }
}

/// Makes the members of one init time of a reforecast; one conformance per generator kind.
///
/// Member k of input init i must be the same bits whatever other inits or members a process makes, its batch size
/// and thread count: draw its randomness from streams keyed by (seed, i, lead, k) only.
public protocol ReforecastMemberSource {
    /// Axes and variables of the input and of the parts.
    var layout: ReforecastLayout { get }
    /// Global attributes of the files written (provenance of the generator).
    func globalAttributes(seed: UInt64) -> CFGlobalAttributes
    /// Makes members 0..<`count` of input init `initIndex` at input lead indices `leads`, handing each to `emit` in
    /// member order as (member, values [lead, variable, latitude, longitude]).
    func members(ofInit initIndex: Int, count: Int, leads: [Int], seed: UInt64, batchSize: Int,
                 emit: (Int, [Float]) throws -> Void) throws
}
