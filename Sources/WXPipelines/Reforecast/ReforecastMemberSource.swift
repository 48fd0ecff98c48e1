import Foundation
import WXIO

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
