import Foundation
import WXCore

/// A coordinate of a GRIB hypercube: dimensions, values and CF attributes as cfgrib encodes them.
struct GRIBCoordinate {
    /// Name (also the dimension name for a dimension coordinate).
    var name: String
    /// Its dimensions (none for a scalar coordinate of a squeezed, single-valued key).
    var dimensions: [DimensionInfo]
    /// Values, row-major.
    var values: [Double]
    /// `int64` (member, times in seconds) or `float64`.
    var dataType: GriddedDataType
    /// CF attributes.
    var attributes: Attributes
}

/// One variable of a GRIB hypercube: which message holds each 2-D field (nil where the hypercube has a hole).
struct GRIBVariable {
    /// The variable as `GriddedFile` lists it.
    var info: VariableInfo
    /// ecCodes' `gridType` of its messages.
    var gridType: String
    /// Sizes of the header dimensions (member, time, step, level: those with more than one value).
    var headerShape: [Int]
    /// Sizes of the grid dimensions (latitude and longitude, y and x, or values).
    var gridShape: [Int]
    /// Index of the message of each field, row-major over `headerShape`.
    var messageOfField: [Int?]
}

/// GRIB messages presented as one hypercube the way cfgrib 0.9.15 builds a dataset: one variable per `paramId`,
/// header dimensions number, time, step and level (by `typeOfLevel`), single-valued ones squeezed to scalar
/// coordinates, then the grid; a key that must be unique but is not, or a coordinate two variables disagree on,
/// throws `GRIBError.notOneHypercube` naming it.
struct GRIBHypercube {
    /// Coordinates in dataset order.
    var coordinates: [GRIBCoordinate] = []
    /// Data variables, by ascending `paramId`.
    var variables: [GRIBVariable] = []
    /// Dataset dimensions in order of first use.
    var dimensions: [DimensionInfo] = []
    /// Global attributes.
    var attributes: Attributes = [:]

    /// Builds the hypercube of `messages`; `gridAxes` gives a regular grid's latitudes and longitudes from a message.
    init(messages: [GRIBMessage], path: String, gridAxes: (Int) throws -> (latitudes: [Double], longitudes: [Double])) throws {
        let paramIds = Set(messages.compactMap { $0.integer("paramId") }).sorted()
        var names: [String] = []
        for pid in paramIds {
            let ids = messages.indices.filter { messages[$0].integer("paramId") == pid }
            let (variable, coords) = try GRIBHypercube.variable(messages: messages, ids: ids, path: path, gridAxes: gridAxes)
            try merge(coords, variable: variable.info.name, path: path)
            for d in variable.info.dimensions where !dimensions.contains(where: { $0.name == d.name }) { dimensions.append(d) }
            variables.append(variable)
            names.append(variable.info.name)
        }
        for key in GRIBCFAttributes.globalKeys {
            let values = GRIBHypercube.distinct(messages.indices, key, messages)
            if values.count > 1 {
                throw GRIBError.notOneHypercube(path: path, variable: names.joined(separator: ", "), keys: [key],
                                                detail: "\(key) takes \(values.joined(separator: ", ")); select one with --filter \(key)=\(values[0])")
            }
            if let v = messages.first?.keys[key], !["undef", "unknown"].contains(v.stringValue ?? "") { attributes["GRIB_" + key] = v }
        }
        attributes["Conventions"] = .string("CF-1.7")
        if let c = attributes["GRIB_centreDescription"] { attributes["institution"] = c }
    }

    /// Distinct text values of `key` over some messages ("undef" where a message lacks the key), in first-seen order.
    static func distinct(_ ids: some Sequence<Int>, _ key: String, _ messages: [GRIBMessage]) -> [String] {
        var seen: [String] = []
        for i in ids {
            let v = messages[i].text[key] ?? "undef"
            if !seen.contains(v) { seen.append(v) }
        }
        return seen
    }

    private mutating func merge(_ coords: [GRIBCoordinate], variable: String, path: String) throws {
        for c in coords {
            if let old = coordinates.first(where: { $0.name == c.name }) {
                guard old.dimensions.map(\.name) == c.dimensions.map(\.name), old.values == c.values else {
                    func show(_ x: GRIBCoordinate) -> String {
                        "\(x.values.count) value\(x.values.count == 1 ? "" : "s") (\(x.values.prefix(6).map { "\($0)" }.joined(separator: ", "))\(x.values.count > 6 ? ", ..." : ""))"
                    }
                    let others = variables.filter { $0.info.attributes["coordinates"]?.stringValue?.split(separator: " ").contains(Substring(c.name)) ?? false }
                        .map(\.info.name).joined(separator: ", ")
                    throw GRIBError.notOneHypercube(path: path, variable: variable, keys: [c.name],
                                                    detail: "\(c.name) has \(show(c)) for \(variable) but \(show(old)) for \(others);"
                                                        + " select variables with --filter shortName=...")
                }
                continue
            }
            coordinates.append(c)
            for d in c.dimensions where !dimensions.contains(where: { $0.name == d.name }) { dimensions.append(d) }
        }
    }

    /// One variable (the messages `ids`, all of one `paramId`) and its coordinates.
    private static func variable(messages: [GRIBMessage], ids: [Int], path: String,
                                 gridAxes: (Int) throws -> (latitudes: [Double], longitudes: [Double])) throws -> (GRIBVariable, [GRIBCoordinate]) {
        let first = messages[ids[0]]
        let name = first.variableName
        let gridType = first.string("gridType") ?? "unknown"
        let readable = GRIBCFAttributes.readableGrids.contains(gridType)
        // A readable grid must be the same in every message, or fields would be misplaced.
        let gridKeys = readable ? ["Nx", "Ny", "Ni", "Nj", "latitudeOfFirstGridPointInDegrees", "longitudeOfFirstGridPointInDegrees",
                                   "latitudeOfLastGridPointInDegrees", "longitudeOfLastGridPointInDegrees", "iScansNegatively",
                                   "jScansPositively", "jPointsAreConsecutive", "alternativeRowScanning"] : []
        var conflicts: [(String, [String])] = []
        for key in GRIBCFAttributes.uniqueVariableKeys + gridKeys {
            let values = distinct(ids, key, messages)
            if values.count > 1 { conflicts.append((key, values)) }
        }
        if !conflicts.isEmpty {
            throw GRIBError.notOneHypercube(path: path, variable: name, keys: conflicts.map(\.0),
                                            detail: conflicts.map { "\($0.0) takes \($0.1.joined(separator: ", "))" }.joined(separator: "; ")
                                                + "; select one with --filter \(conflicts[0].0)=\(conflicts[0].1[0])")
        }

        var attrs: Attributes = [:]
        for key in GRIBCFAttributes.uniqueVariableKeys {
            if let v = first.keys[key], !["undef", "unknown"].contains(v.stringValue ?? "") { attrs["GRIB_" + key] = v }
        }
        for key in GRIBCFAttributes.extraVariableKeys + (GRIBCFAttributes.gridKeys[gridType] ?? []) {
            if let v = first.keys[key] { attrs["GRIB_" + key] = v }
        }
        attrs["GRIB_stepUnits"] = .integers([1])
        attrs["GRIB_missingValue"] = .doubles([GRIBCFAttributes.missingValue])
        attrs["long_name"] = first.keys["name"] ?? .string("original GRIB paramId: \(first.integer("paramId") ?? 0)")
        attrs["units"] = first.keys["units"] ?? .string("1")
        if let cf = first.keys["cfName"] { attrs["standard_name"] = cf }

        // Header coordinates: number, time, step, level, each sorted (pressure descending), squeezed when single-valued.
        var header: [(coord: GRIBCoordinate, value: (GRIBMessage) -> Double?)] = []
        func add(_ cname: String, key: String, type: GriddedDataType, _ value: @escaping (GRIBMessage) -> Double?) throws {
            var values = Set<Double>()
            var undefined = 0
            for i in ids { if let v = value(messages[i]) { values.insert(v) } else { undefined += 1 } }
            if values.isEmpty { return }
            if undefined > 0 {
                throw GRIBError.notOneHypercube(path: path, variable: name, keys: [key],
                                                detail: "\(undefined) of \(ids.count) messages have no \(key)")
            }
            let a = GRIBCFAttributes.coordinate(cname, key: key)
            let sorted = values.sorted(by: a["stored_direction"]?.stringValue == "decreasing" ? (>) : (<))
            let dims = sorted.count > 1 ? [DimensionInfo(name: cname, size: sorted.count)] : []
            header.append((GRIBCoordinate(name: cname, dimensions: dims, values: sorted, dataType: type, attributes: a), value))
        }
        try add("number", key: "number", type: .int64) { $0.number.map(Double.init) }
        try add("time", key: "time", type: .int64) { $0.referenceTime.map(Double.init) }
        try add("step", key: "step", type: .float64) { $0.stepHours }
        if ids.contains(where: { messages[$0].integer("endStep") != nil && messages[$0].stepHours == nil }) {
            throw GRIBError.notOneHypercube(path: path, variable: name, keys: ["stepUnits"],
                                            detail: "stepUnits \(distinct(ids, "stepUnits", messages).joined(separator: ", ")) has no fixed length in seconds")
        }
        try add(first.string("typeOfLevel") ?? "level", key: "level", type: .float64) { $0.level }

        // The grid.
        var gridDims: [DimensionInfo]
        var gridCoords: [GRIBCoordinate] = []
        if readable {
            let (lat, lon) = try gridAxes(ids[0])
            gridDims = [DimensionInfo(name: "latitude", size: lat.count), DimensionInfo(name: "longitude", size: lon.count)]
            let points = first.integer("numberOfPoints") ?? lat.count * lon.count
            guard lat.count * lon.count == points else {
                throw GRIBError.unsupportedGrid(path: path, variable: name, gridType: "\(gridType) with \(points) points on \(lat.count) latitudes x \(lon.count) longitudes")
            }
            var latAttrs = GRIBCFAttributes.coordinate("latitude", key: nil)
            if let a = lat.first, let b = lat.last, a > b { latAttrs["stored_direction"] = .string("decreasing") }
            gridCoords = [GRIBCoordinate(name: "latitude", dimensions: [gridDims[0]], values: lat, dataType: .float64, attributes: latAttrs),
                          GRIBCoordinate(name: "longitude", dimensions: [gridDims[1]], values: lon, dataType: .float64,
                                         attributes: GRIBCFAttributes.coordinate("longitude", key: nil))]
        } else if GRIBCFAttributes.projectedGrids.contains(gridType), let ny = first.integer("Ny"), let nx = first.integer("Nx") {
            gridDims = [DimensionInfo(name: "y", size: ny), DimensionInfo(name: "x", size: nx)]
        } else {
            gridDims = [DimensionInfo(name: "values", size: first.integer("numberOfPoints") ?? 0)]
        }

        // Each message's place in the header dimensions; a repeated place keeps the first message, as cfgrib does.
        let dimsHeader = header.filter { !$0.coord.dimensions.isEmpty }
        let headerShape = dimsHeader.map { $0.coord.values.count }
        let positions = dimsHeader.map { h in Dictionary(uniqueKeysWithValues: h.coord.values.enumerated().map { ($1, $0) }) }
        var table = [Int?](repeating: nil, count: headerShape.reduce(1, *))
        for i in ids {
            var k = 0
            for (d, h) in dimsHeader.enumerated() { k = k * headerShape[d] + positions[d][h.value(messages[i])!]! }
            if table[k] == nil { table[k] = i }
        }

        var coords = header.map(\.coord) + gridCoords
        if let t = header.first(where: { $0.coord.name == "time" })?.coord, let s = header.first(where: { $0.coord.name == "step" })?.coord {
            var values: [Double] = []
            for tv in t.values { for sv in s.values { values.append(tv + sv * 3600) } }
            coords.append(GRIBCoordinate(name: "valid_time", dimensions: t.dimensions + s.dimensions, values: values, dataType: .int64,
                                         attributes: GRIBCFAttributes.coordinate("valid_time", key: nil)))
        }
        attrs["coordinates"] = .string(coords.map(\.name).joined(separator: " "))
        let info = VariableInfo(path: "/" + name, name: name, groupPath: "/", dataType: .float32,
                                dimensions: dimsHeader.map { $0.coord.dimensions[0] } + gridDims, attributes: attrs)
        return (GRIBVariable(info: info, gridType: gridType, headerShape: headerShape, gridShape: gridDims.map(\.size),
                             messageOfField: table), coords)
    }
}
