import Foundation
import WXCore
import WXGenerative
import WXIO

/// The initial-conditions file of a forecast, checked against the model from its metadata alone (variables laid
/// out as (time, latitude, longitude) on the model's grid, a CF time axis); states are read only when asked for.
public struct InitialConditionsFile {
    /// The file's path.
    public let path: String
    /// The model's variables, in channel order.
    public let variables: [String]
    /// The time coordinate values (the file's units).
    public let times: [Double]
    /// The time coordinate's units and calendar.
    public let timeUnits: CFTimeUnits
    /// The reference date as the file writes it (after "since ") and the calendar's CF name.
    public let timeReference: String, calendarName: String
    /// Latitudes and longitudes (degrees, the file's order).
    public let latitudes: [Double], longitudes: [Double]
    /// Units and names of each variable, for the output.
    public let metadata: [CFDataVariable]
    private let file: GriddedFile

    /// Opens `path` (a GRIB file's messages selected by `filter` entries `key=value`) and checks it holds every
    /// variable of `forecaster` on its grid, with a CF time coordinate.
    public init(path: String, forecaster: any StepForecaster, filter: [String] = []) throws {
        self.path = path
        file = try GriddedFiles.open(path, filter: filter)
        variables = forecaster.variables
        let present = Set(try file.allVariables().map(\.name))
        var shape: [Int]? = nil
        var times: [Double] = [], units: CFTimeUnits? = nil, reference = "", calendar = "", meta: [CFDataVariable] = []
        for name in variables {
            guard present.contains(name) else { throw ForecastError.missingVariable(path: path, variable: name) }
            let v = try file.variable(name)
            let roles = try file.dimensionRoles(of: v)
            guard roles == [.time, .latitude, .longitude] else {
                throw ForecastError.layout(path: path, variable: name,
                    detail: "dimensions (\(v.dimensionNames.joined(separator: ", "))) are not (time, latitude, longitude)")
            }
            if let s = shape, s != v.shape {
                throw ForecastError.layout(path: path, variable: name, detail: "shape \(v.shape) differs from \(variables[0])'s \(s)")
            }
            shape = v.shape
            try Self.checkGrid(file, v, axis: 1, model: forecaster.latitudes, path: path)
            try Self.checkGrid(file, v, axis: 2, model: forecaster.longitudes, path: path)
            if units == nil {
                guard let tv = try file.coordinateVariable(forDimension: 0, of: v) else {
                    throw ForecastError.timeAxis(path: path, variable: name, detail: "dimension \(v.dimensionNames[0]) has no coordinate variable")
                }
                let text = tv.attributes["units"]?.stringValue ?? ""
                calendar = tv.attributes["calendar"]?.stringValue ?? "standard"
                do { units = try CFTimeUnits(units: text, calendar: calendar) } catch {
                    throw ForecastError.timeAxis(path: path, variable: name, detail: "units '\(text)', calendar \(calendar): \(error)")
                }
                reference = String(text.trimmingCharacters(in: .whitespaces).split(separator: " ", maxSplits: 2)[2])
                times = try file.readDoubles(tv.path)
                guard times.allSatisfy({ $0.isFinite }) else {
                    throw ForecastError.timeAxis(path: path, variable: name, detail: "has missing or non-finite values")
                }
            }
            let a = CFDecoding.decodedAttributes(v.attributes)
            meta.append(CFDataVariable(name: name, units: a["units"]?.stringValue ?? "1", standardName: a["standard_name"]?.stringValue,
                                       longName: a["long_name"]?.stringValue))
        }
        guard let units else { throw ForecastError.layout(path: path, variable: "-", detail: "the model names no variables") }
        self.times = times
        timeUnits = units
        timeReference = reference
        calendarName = calendar
        latitudes = forecaster.latitudes
        longitudes = forecaster.longitudes
        metadata = meta
    }

    /// Checks the coordinate of dimension `axis` (1 latitude, 2 longitude) of `v` equals `model` within 1e-4 degrees.
    private static func checkGrid(_ file: GriddedFile, _ v: VariableInfo, axis: Int, model: [Double], path: String) throws {
        let what = axis == 1 ? "latitude" : "longitude"
        guard let cv = try file.coordinateVariable(forDimension: axis, of: v) else {
            throw ForecastError.gridMismatch(path: path, variable: v.name, detail: "dimension \(v.dimensionNames[axis]) has no \(what) coordinate")
        }
        let values = try file.readDoubles(cv.path)
        guard values.count == model.count else {
            throw ForecastError.gridMismatch(path: path, variable: v.name, detail: "\(values.count) \(what)s, the model has \(model.count)")
        }
        if let k = values.indices.first(where: { !(abs(values[$0] - model[$0]) <= 1e-4) }) {
            throw ForecastError.gridMismatch(path: path, variable: v.name, detail: "\(what)[\(k)] is \(values[k]), the model's is \(model[k])")
        }
    }

    /// Values of one state [variable, latitude, longitude] at time index `t`, every value finite.
    public func state(at t: Int) throws -> [Float] {
        let plane = latitudes.count * longitudes.count
        var out = [Float](repeating: 0, count: variables.count * plane)
        for (vi, name) in variables.enumerated() {
            let f: Field<Float> = try file.readField(name, hyperslab: Hyperslab(start: [t, 0, 0], count: [1, latitudes.count, longitudes.count]))
            guard f.values.allSatisfy({ $0.isFinite }) else {
                let when = (try? timeUnits.date(times[t]).iso8601) ?? "time index \(t)"
                throw ForecastError.nonFinite(path: path, variable: name, time: when)
            }
            out.replaceSubrange(vi * plane ..< (vi + 1) * plane, with: f.values)
        }
        return out
    }
}
