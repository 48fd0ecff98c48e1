import Foundation
import WXCore
import WXIO

/// A small ensemble (3 members, 2 inits, 2 leads, optional 2 levels, 4 x 5 grid) with a packed and a float variable,
/// NaN at known places, used by the writer tests.
struct EnsembleFixture {
    var members = [0, 1, 2]
    var times = CFTimeAxis(hours: [0, 30], reference: "2000-03-21 00:00:00", calendar: "proleptic_gregorian")
    /// The decoded init times, as xarray prints them.
    var isoTimes = ["2000-03-21T00:00:00", "2000-03-22T06:00:00"]
    var leads: [Double] = [24, 72]
    var levels: CFVerticalAxis? = nil
    var latitudes: [Double] = [-30, -10, 10, 30]
    var longitudes: [Double] = [0, 72, 144, 216, 288]
    var packing = CFPacking(scaleFactor: 0.075, addOffset: 264)
    var variables: [CFDataVariable] {
        [
            CFDataVariable(name: "t2m", units: "K", standardName: "air_temperature",
                           longName: "near-surface air temperature", packing: packing),
            CFDataVariable(name: "tp", units: "m", standardName: "precipitation_amount", longName: "total precipitation"),
        ]
    }
    var global = CFGlobalAttributes(title: "wxens writer test", institution: "wxens tests",
                                    references: "https://example.org/wxens", commandLine: "wxens test --flag value")

    /// Values in one member of one variable.
    var memberCount: Int { 2 * leads.count * (levels?.values.count ?? 1) * latitudes.count * longitudes.count }

    /// Whether value `i` of member `m` is missing (NaN).
    func isMissing(member m: Int, index i: Int) -> Bool { m == 1 && i % 7 == 3 }

    /// The values of member `m` of `variable` (deterministic, NaN where missing).
    func values(member m: Int, variable: String) -> [Float] {
        (0..<memberCount).map { i in
            if isMissing(member: m, index: i) { return .nan }
            let x = Double(i) * 0.37 + Double(m) * 1.3
            return variable == "t2m" ? Float(285 + 12 * sin(x)) : Float(0.002 * (1 + cos(x)))
        }
    }

    /// Writes the whole fixture to `path` and finishes it.
    func write(to path: String) throws {
        let w = try makeWriter(path)
        for m in members.indices {
            for v in variables { try w.write(member: m, variable: v.name, values: values(member: m, variable: v.name)) }
        }
        try w.finish()
    }

    /// An open writer for the fixture's layout.
    func makeWriter(_ path: String) throws -> CFEnsembleWriter {
        try CFEnsembleWriter(path: path, members: members, times: times, leadTimeHours: leads, levels: levels,
                             latitudes: latitudes, longitudes: longitudes, variables: variables, global: global)
    }
}
