import Foundation
import WXCore
import WXIO

/// One variable of a file at one time as maps: every member (or the single state) on the latitude-longitude grid.
public struct MapSlice: Sendable {
    /// Which time of the file to read.
    public enum Time: Sendable {
        /// The state at this init time and lead (a forecast file: init_time and lead_time axes).
        case forecast(init: CFDateTime, leadHours: Double)
        /// The state valid at this time (a truth file: a time axis).
        case valid(CFDateTime)
        /// A file without a time axis (a climatology).
        case none
    }

    /// The file read.
    public var path: String
    /// The variable read.
    public var variable: String
    /// Its units ("" when it has none).
    public var units: String
    /// Grid latitudes and longitudes (degrees, file order).
    public var latitudes: [Double], longitudes: [Double]
    /// Members (1 when the file has no member axis).
    public var members: Int
    /// Values [member, lat, lon].
    public var values: [Double]
    /// The init time in the file's calendar (for `.forecast`).
    public var initTime: CFDateTime?

    /// Points of one map.
    public var plane: Int { latitudes.count * longitudes.count }

    /// Member `m`'s map.
    public func member(_ m: Int) -> [Double] { Array(values[m * plane ..< (m + 1) * plane]) }

    /// Reads `variable` of `path` at `time`; its dimensions must end in latitude, longitude, and every other one must
    /// be the member axis, the axis `time` selects on, or of size one.
    public static func read(_ path: String, variable: String, time: Time) throws -> MapSlice {
        let file = try GriddedFiles.open(path)
        let info: VariableInfo
        do { info = try file.variable(variable) } catch WXIOError.variableNotFound {
            let names = (try? file.allVariables().filter { $0.dimensions.count >= 2 }.map(\.name)) ?? []
            throw PlotError.variableMissing(path: path, variable: variable, available: names)
        }
        let roles = try file.dimensionRoles(of: info)
        guard roles.count >= 2, Array(roles.suffix(2)) == [.latitude, .longitude] else {
            throw PlotError.layout(path: path, variable: variable,
                                   detail: "dimensions \(info.dimensionNames) do not end in latitude, longitude")
        }
        var start = [Int](repeating: 0, count: roles.count), count = info.shape
        var initDate: CFDateTime? = nil
        for (i, role) in roles.enumerated().dropLast(2) {
            let name = info.dimensionNames[i]
            switch (role, time) {
            case (.member, _): continue
            case let (.initTime, .forecast(want, _)):
                let (index, date) = try timeIndex(file, info, axis: i, want: want, what: "init time")
                start[i] = index; initDate = date
            case let (.leadTime, .forecast(_, hours)):
                start[i] = try leadIndex(file, info, axis: i, hours: hours)
            case let (.time, .valid(want)):
                start[i] = try timeIndex(file, info, axis: i, want: want, what: "valid time").index
            default:
                guard info.shape[i] == 1 else {
                    throw PlotError.layout(path: path, variable: variable,
                        detail: "dimension '\(name)' (\(role.rawValue), size \(info.shape[i])) cannot be chosen here: a map needs one \(Self.expected(time))")
                }
            }
            count[i] = 1
        }
        if case .forecast = time, !(roles.contains(.initTime) && roles.contains(.leadTime)) {
            throw PlotError.layout(path: path, variable: variable, detail: "dimensions \(info.dimensionNames) have no init_time and lead_time axes")
        }
        if case .valid = time, !roles.contains(.time) {
            throw PlotError.layout(path: path, variable: variable, detail: "dimensions \(info.dimensionNames) have no time axis")
        }
        let f: Field<Double> = try file.readField(variable, hyperslab: Hyperslab(start: start, count: count))
        let lats = f.coordinate(.latitude)?.values ?? [], lons = f.coordinate(.longitude)?.values ?? []
        guard lats.count == count[count.count - 2], lons.count == count[count.count - 1] else {
            throw PlotError.layout(path: path, variable: variable, detail: "latitude or longitude has no coordinate values")
        }
        let members = roles.firstIndex(of: .member).map { count[$0] } ?? 1
        return MapSlice(path: path, variable: variable, units: f.units ?? "", latitudes: lats, longitudes: lons, members: members,
                        values: f.values, initTime: initDate)
    }

    static func expected(_ t: Time) -> String {
        switch t {
        case .forecast: return "init time, one lead time and the members"
        case .valid: return "valid time"
        case .none: return "field without a time axis"
        }
    }

    /// The index on axis `axis` whose date is `want` (matched to a second in the file's calendar), with that date.
    static func timeIndex(_ file: GriddedFile, _ info: VariableInfo, axis: Int, want: CFDateTime,
                          what: String) throws -> (index: Int, date: CFDateTime) {
        guard let cv = try file.coordinateVariable(forDimension: axis, of: info) else {
            throw PlotError.layout(path: file.path, variable: info.name, detail: "the \(what) axis has no coordinate variable")
        }
        let units: CFTimeUnits
        do {
            units = try CFTimeUnits(units: cv.attributes["units"]?.stringValue ?? "", calendar: cv.attributes["calendar"]?.stringValue)
        } catch {
            throw PlotError.layout(path: file.path, variable: cv.name, detail: "time units: \(error)")
        }
        let values = try file.readDoubles(cv.path)
        let dates = values.map { try? units.date($0) }
        let target = try? CFDateTime(year: want.year, month: want.month, day: want.day, hour: want.hour, minute: want.minute,
                                     second: want.second, microsecond: want.microsecond, calendar: units.calendar)
        if let t = target, let i = dates.firstIndex(where: { $0.map { abs($0.seconds(since: t)) < 1 } ?? false }) {
            return (i, dates[i]!)
        }
        let shown = VerificationFigures.displayTime(want.iso8601)
        if what == "init time" {
            throw PlotError.initTimeMissing(path: file.path, time: shown,
                                            available: dates.map { $0.map { VerificationFigures.displayTime($0.iso8601) } ?? "?" })
        }
        throw PlotError.validTimeMissing(path: file.path, time: shown)
    }

    /// The index on axis `axis` of the lead time `hours` (the coordinate in any duration units).
    static func leadIndex(_ file: GriddedFile, _ info: VariableInfo, axis: Int, hours: Double) throws -> Int {
        guard let cv = try file.coordinateVariable(forDimension: axis, of: info) else {
            throw PlotError.layout(path: file.path, variable: info.name, detail: "the lead-time axis has no coordinate variable")
        }
        let units: CFDurationUnits
        do { units = try CFDurationUnits(units: cv.attributes["units"]?.stringValue ?? "hours") } catch {
            throw PlotError.layout(path: file.path, variable: cv.name, detail: "lead-time units: \(error)")
        }
        let leads = try file.readDoubles(cv.path).map { units.seconds($0) / 3600 }
        guard let i = leads.firstIndex(where: { abs($0 - hours) < 1e-6 }) else {
            throw PlotError.leadTimeMissing(path: file.path, hours: hours, available: leads)
        }
        return i
    }
}
