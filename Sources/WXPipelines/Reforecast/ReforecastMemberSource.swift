import Foundation
import WXCore
import WXIO

/// Makes the members of one init time of a reforecast; one conformance per generator kind.
///
/// Member k of input init i must be the same bits whatever other inits or members a process makes, its batch size
/// and thread count: draw its randomness from streams keyed by the init (its index or its time), the lead or step
/// and k only.
public protocol ReforecastMemberSource {
    /// Axes and variables of the input and of the parts.
    var layout: ReforecastLayout { get }
    /// Global attributes of the files written (provenance of the generator).
    func globalAttributes(seed: UInt64) -> CFGlobalAttributes
    /// Indices into `layout.initTimes` of the inits `selection` picks, in time order; throws before any work for a
    /// time the input lacks or the generator cannot start from. `units` are those of `layout.initTimes`.
    func initIndices(_ selection: ReforecastInitTimes, units: CFTimeUnits, input: String) throws -> [Int]
    /// Makes members 0..<`count` of input init `initIndex` at input lead indices `leads`, handing each to `emit` in
    /// member order as (member, values [lead, variable, latitude, longitude]).
    func members(ofInit initIndex: Int, count: Int, leads: [Int], seed: UInt64, batchSize: Int,
                 emit: (Int, [Float]) throws -> Void) throws
}

extension ReforecastMemberSource {
    /// Every init time of the input can start: the selection's dates looked up in `layout.initTimes`.
    public func initIndices(_ selection: ReforecastInitTimes, units: CFTimeUnits, input: String) throws -> [Int] {
        try selection.indices(in: layout.initTimes, units: units, input: input)
    }
}
