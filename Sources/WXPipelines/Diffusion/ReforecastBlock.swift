import Foundation
import WXCore
import WXIO

/// An ensemble block in memory: values [init, member, lead, variable, lat, lon] in physical units, with coordinates.
public struct ReforecastBlock: Sendable {
    /// The file read.
    public var path: String
    /// Variables in channel order.
    public var variables: [String]
    /// Init times (the file's units) and lead times (hours).
    public var initTimes: [Double], leadHours: [Double]
    /// Member count.
    public var members: Int
    /// Latitudes and longitudes (degrees).
    public var latitudes: [Double], longitudes: [Double]
    /// The values, row-major [init, member, lead, variable, lat, lon].
    public var values: [Float]
    /// The init-time coordinate (units, calendar), for writing output.
    public var initCoordinate: Coordinate

    /// Points in one 2-D field.
    public var plane: Int { latitudes.count * longitudes.count }
    /// Values of one state [V, H, W].
    public var stateSize: Int { variables.count * plane }

    /// Offset of state (init, member, lead).
    public func offset(init i: Int, member m: Int, lead l: Int) -> Int {
        ((i * members + m) * leadHours.count + l) * stateSize
    }

    /// Reads `variables` of a file with dimensions (init_time, member, lead_time, latitude, longitude), all init
    /// times or only those at indices `inits` (then `initTimes` holds just theirs).
    public static func read(_ path: String, variables: [String], inits: Range<Int>? = nil) throws -> ReforecastBlock {
        let file = try GriddedFiles.open(path)
        var block: ReforecastBlock? = nil
        for (vi, name) in variables.enumerated() {
            let info = try file.variable(name)
            let roles = try file.dimensionRoles(of: info)
            guard roles == [.initTime, .member, .leadTime, .latitude, .longitude] else {
                throw DiffusionDataError.layout(path: path, variable: name,
                    detail: "dimensions \(info.dimensions.map(\.name)) are not (init_time, member, lead_time, latitude, longitude)")
            }
            var slab: Hyperslab? = nil
            if let inits {
                guard inits.lowerBound >= 0, inits.upperBound <= info.shape[0], !inits.isEmpty else {
                    throw DiffusionDataError.layout(path: path, variable: name,
                        detail: "init indices \(inits) are outside the file's \(info.shape[0]) init times")
                }
                slab = Hyperslab(start: [inits.lowerBound, 0, 0, 0, 0], count: [inits.count] + info.shape.dropFirst())
            }
            let f: Field<Float> = try file.readField(name, hyperslab: slab)
            let s = f.shape
            if block == nil {
                block = ReforecastBlock(path: path, variables: variables, initTimes: f.coordinate(.initTime)?.values ?? [],
                                        leadHours: f.coordinate(.leadTime)?.values ?? [], members: s[1],
                                        latitudes: f.coordinate(.latitude)?.values ?? [], longitudes: f.coordinate(.longitude)?.values ?? [],
                                        values: [Float](repeating: 0, count: s.reduce(1, *) * variables.count),
                                        initCoordinate: f.coordinate(.initTime) ?? Coordinate(name: "init_time", values: []))
            }
            guard s == [block!.initTimes.count, block!.members, block!.leadHours.count, block!.latitudes.count, block!.longitudes.count] else {
                throw DiffusionDataError.layout(path: path, variable: name, detail: "shape \(s) differs from the first variable's")
            }
            if let bad = f.values.firstIndex(where: { !$0.isFinite }) {
                throw DiffusionDataError.layout(path: path, variable: name, detail: "missing or non-finite value at element \(bad)")
            }
            let p = s[3] * s[4], v = variables.count, states = s[0] * s[1] * s[2]
            f.values.withUnsafeBufferPointer { src in
                block!.values.withUnsafeMutableBufferPointer { dst in
                    for st in 0..<states {
                        (dst.baseAddress! + (st * v + vi) * p).update(from: src.baseAddress! + st * p, count: p)
                    }
                }
            }
        }
        guard let block else { throw DiffusionDataError.layout(path: path, variable: "", detail: "no variables asked for") }
        return block
    }
}

/// The truth (a nature run or reanalysis) at 6-hourly or other times: values [time, variable, lat, lon].
public struct TruthSeries: Sendable {
    /// Time coordinate values (hours, same reference as the reforecasts' init times).
    public var times: [Double]
    /// Values [time, variable, lat, lon].
    public var values: [Float]
    /// Values of one state.
    public var stateSize: Int
    /// Grid latitudes and longitudes (degrees).
    public var latitudes: [Double] = [], longitudes: [Double] = []
    /// The time coordinate's units and calendar, when it has CF ones.
    public var timeUnits: CFTimeUnits? = nil

    /// Reads `variables` of a file with dimensions (time, latitude, longitude).
    public static func read(_ path: String, variables: [String]) throws -> TruthSeries {
        let file = try GriddedFiles.open(path)
        var times: [Double] = [], values: [Float] = [], size = 0, lats: [Double] = [], lons: [Double] = []
        var units: CFTimeUnits? = nil
        for (vi, name) in variables.enumerated() {
            let f: Field<Float> = try file.readField(name)
            guard f.dimensions.map(\.role) == [.time, .latitude, .longitude] else {
                throw DiffusionDataError.layout(path: path, variable: name, detail: "dimensions are not (time, latitude, longitude)")
            }
            let s = f.shape, p = s[1] * s[2]
            if vi == 0 {
                times = f.coordinate(.time)?.values ?? []
                if let a = f.coordinate(.time)?.attributes, let u = a["units"]?.stringValue {
                    units = try? CFTimeUnits(units: u, calendar: a["calendar"]?.stringValue)
                }
                lats = f.coordinate(.latitude)?.values ?? []
                lons = f.coordinate(.longitude)?.values ?? []
                size = variables.count * p
                values = [Float](repeating: 0, count: s[0] * size)
            }
            for t in 0..<s[0] {
                for k in 0..<p { values[t * size + vi * p + k] = f.values[t * p + k] }
            }
        }
        return TruthSeries(times: times, values: values, stateSize: size, latitudes: lats, longitudes: lons, timeUnits: units)
    }

    /// The date-times of all frames; throws `DiffusionDataError.layout` naming `path` when the time coordinate has no
    /// CF units (e.g. "hours since 2019-01-01").
    public func dates(path: String) throws -> [CFDateTime] {
        guard let timeUnits else {
            throw DiffusionDataError.layout(path: path, variable: "time", detail: "the time coordinate has no CF units ('<unit> since <date>')")
        }
        return try times.map { t in
            do { return try timeUnits.date(t) } catch {
                throw DiffusionDataError.layout(path: path, variable: "time", detail: "value \(t): \(error)")
            }
        }
    }

    /// The index of time `hours`, if the series has it.
    public func index(of hours: Double) -> Int? { times.firstIndex { abs($0 - hours) < 1e-6 } }
}

/// The data of a SEEDS run is not what it needs.
public enum DiffusionDataError: Error, CustomStringConvertible, Equatable {
    /// A file's variable has the wrong layout or values.
    case layout(path: String, variable: String, detail: String)
    /// Inputs do not match the checkpoint or the options.
    case mismatch(path: String, detail: String)

    /// One readable line.
    public var description: String {
        switch self {
        case let .layout(p, v, d): return "\(p): variable \(v): \(d)"
        case let .mismatch(p, d): return "\(p): \(d)"
        }
    }
}
