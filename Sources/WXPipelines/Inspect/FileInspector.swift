import Foundation
import WXCore
import WXIO

/// Builds a `FileInspection` by reading a file's metadata and streaming each variable one 2-D field at a time.
public enum FileInspector {
    /// Inspects the file at `path` (group `group`, default the root; GRIB messages selected by `filter` entries
    /// `key=value`); throws `WXIOError` or `GRIBError` for bad files.
    public static func inspect(path: String, group: String = "/", filter: [String] = []) throws -> FileInspection {
        let file = try GriddedFiles.open(path, filter: filter)
        let groups = try file.groupPaths()
        let vars = try file.variables(inGroup: group)
        let coordinateNames = Set(vars.filter { $0.dimensions.count == 1 && $0.dimensions[0].name == $0.name }.map(\.name))
        let auxiliary = Set(vars.flatMap { ($0.attributes["coordinates"]?.stringValue ?? "").split(separator: " ").map(String.init) })
        let data = vars.filter { v in
            v.dataType.isNumeric && !coordinateNames.contains(v.name) && !auxiliary.contains(v.name) && !v.dimensions.isEmpty
        }
        var attrs: [String: String] = [:]
        for (k, v) in try file.attributes(ofGroup: group) { if let s = v.stringValue { attrs[k] = s } }
        return FileInspection(path: path, format: file.formatName, group: group, groups: groups,
                              dimensions: try file.dimensions(inGroup: group).map {
                                  DimensionSummary(name: $0.name, size: $0.size, unlimited: $0.isUnlimited)
                              },
                              attributes: attrs, variables: try data.map { try summary(file, $0) })
    }

    static func summary(_ file: GriddedFile, _ v: VariableInfo) throws -> VariableSummary {
        let roles = try file.dimensionRoles(of: v)
        var s = VariableSummary(path: v.path, type: v.dataType.rawValue, units: v.attributes["units"]?.stringValue,
                                longName: v.attributes["long_name"]?.stringValue,
                                standardName: v.attributes["standard_name"]?.stringValue,
                                dimensions: zip(v.dimensions, roles).map { RoleSummary(name: $0.name, size: $0.size, role: $1.rawValue) },
                                chunks: v.chunkShape, deflateLevel: v.deflateLevel,
                                packed: v.attributes["scale_factor"] != nil || v.attributes["add_offset"] != nil)
        func coordinate(_ role: DimensionRole) throws -> (VariableInfo, [Double])? {
            guard let i = roles.firstIndex(of: role), let c = try file.coordinateVariable(forDimension: i, of: v) else { return nil }
            return (c, try file.readDoubles(c.path))
        }
        if let (_, lat) = try coordinate(.latitude), let (_, lon) = try coordinate(.longitude) {
            s.grid = grid(LatLonGrid(latitudes: lat, longitudes: lon))
            if let m = try gridMapping(file, v), m.name != "latitude_longitude" {
                s.grid?.mapping = m.name
                s.grid?.kind = m.name == "rotated_latitude_longitude" ? "rotated pole" : "projected"
                s.grid?.northPole = m.northPole
                s.grid?.globalWrap = false
            }
        }
        if let i = roles.firstIndex(of: .member) {
            s.members = try axis(file, v, i, hours: false)
        }
        if let (c, vals) = try coordinate(.time) { s.times = timeAxis(c, vals) }
        if let (c, vals) = try coordinate(.initTime) { s.initTimes = timeAxis(c, vals) }
        if let i = roles.firstIndex(of: .leadTime) { s.leadTimes = try axis(file, v, i, hours: true) }
        if let i = roles.firstIndex(of: .level) { s.levels = try axis(file, v, i, hours: false) }
        s.gribKeys = gribKeys(v.attributes)
        do { s.values = try values(file, v) } catch { s.valuesError = (error as? WXIOError)?.detail ?? "\(error)" }
        return s
    }

    /// `GRIB_*` attributes (as cfgrib and the GRIB reader write them) as text, without the prefix; nil when there are none.
    static func gribKeys(_ a: Attributes) -> [String: String]? {
        var out: [String: String] = [:]
        for (k, v) in a where k.hasPrefix("GRIB_") {
            let numbers = v.doubleValues.map { $0.count > 8 ? "[\($0.count) values]" : $0.map { $0 == $0.rounded() && abs($0) < 1e15 ? String(Int64($0)) : "\($0)" }.joined(separator: ",") }
            out[String(k.dropFirst(5))] = v.stringValue ?? numbers ?? "\(v)"
        }
        return out.isEmpty ? nil : out
    }

    static func grid(_ g: LatLonGrid) -> GridSummary {
        let kind = g.latitudeSpacing != nil && g.longitudeSpacing != nil ? "regular"
            : (g.longitudeSpacing != nil && GaussianLatitudes.matches(g.latitudes)) ? "Gaussian" : "irregular"
        let lonMin = g.longitudes.min() ?? 0, lonMax = g.longitudes.max() ?? 0
        return GridSummary(nlat: g.nlat, nlon: g.nlon, kind: kind, latitudeStep: g.latitudeSpacing, longitudeStep: g.longitudeSpacing,
                           latitudeRange: [g.latitudes.min() ?? 0, g.latitudes.max() ?? 0], longitudeRange: [lonMin, lonMax],
                           latitudeOrder: g.latitudeDescending ? "north-to-south" : "south-to-north",
                           longitudeConvention: lonMin < 0 ? "-180..180" : "0..360", globalWrap: g.isGlobalInLongitude)
    }

    /// The CF grid mapping named by the variable's `grid_mapping` attribute ("crs" or "crs: x y"), looked up in the
    /// variable's group then the root: its `grid_mapping_name` and, when rotated, the north pole.
    static func gridMapping(_ file: GriddedFile, _ v: VariableInfo) throws -> (name: String, northPole: [Double]?)? {
        guard let attr = v.attributes["grid_mapping"]?.stringValue,
              let first = attr.split(whereSeparator: { $0 == " " || $0 == ":" }).first else { return nil }
        let name = String(first)
        let candidates = [v.groupPath == "/" ? "/" + name : v.groupPath + "/" + name, "/" + name]
        guard let m = candidates.lazy.compactMap({ try? file.variable($0) }).first else {
            return ("unknown (variable '\(name)' not found)", nil)
        }
        let mappingName = m.attributes["grid_mapping_name"]?.stringValue ?? "unknown"
        var pole: [Double]? = nil
        if let la = m.attributes["grid_north_pole_latitude"]?.doubleValues?.first,
           let lo = m.attributes["grid_north_pole_longitude"]?.doubleValues?.first { pole = [la, lo] }
        return (mappingName, pole)
    }

    static func evenStep(_ v: [Double]) -> Double? {
        guard v.count > 1 else { return nil }
        let d = v[1] - v[0]
        for i in 1..<v.count where abs((v[i] - v[i - 1]) - d) > 1e-9 * max(1, abs(d)) { return nil }
        return d
    }

    static func axis(_ file: GriddedFile, _ v: VariableInfo, _ i: Int, hours: Bool) throws -> AxisSummary {
        guard let c = try file.coordinateVariable(forDimension: i, of: v) else {
            return AxisSummary(count: v.dimensions[i].size)
        }
        let vals = try file.readDoubles(c.path)
        let units = c.attributes["units"]?.stringValue
        var a = AxisSummary(count: vals.count, first: vals.first, last: vals.last, step: evenStep(vals), units: units)
        if hours, let u = units, let d = try? CFDurationUnits(units: u) { a.hours = vals.map { d.seconds($0) / 3600 } }
        return a
    }

    static func timeAxis(_ c: VariableInfo, _ vals: [Double]) -> TimeAxisSummary {
        let units = c.attributes["units"]?.stringValue
        let calendarName = c.attributes["calendar"]?.stringValue
        var t = TimeAxisSummary(count: vals.count, calendar: calendarName ?? "standard", units: units,
                                missing: vals.filter(\.isNaN).count)
        guard let units else { t.note = "no units"; return t }
        do {
            let u = try CFTimeUnits(units: units, calendar: calendarName)
            let present = vals.filter { !$0.isNaN }
            t.calendar = u.calendar.rawValue
            if let f = present.first { t.first = try u.date(f).iso8601 }
            if let l = present.last { t.last = try u.date(l).iso8601 }
            t.stepSeconds = evenStep(present).map { $0 * u.unit.seconds }
        } catch {
            t.note = "\(error)"
        }
        return t
    }

    /// Min, max, mean and missing share, streaming one 2-D field at a time (decompressed on all cores where the
    /// direct-chunk path applies); per-field partial results are combined in field order, so the result is the
    /// same whatever the thread count.
    /// Values are read as Float only where that is exact (unpacked float32), else as Double.
    static func values(_ file: GriddedFile, _ v: VariableInfo) throws -> ValueSummary {
        let packed = v.attributes["scale_factor"] != nil || v.attributes["add_offset"] != nil
        if v.dataType == .float32 && !packed { return try values(file, v, as: Float.self) }
        return try values(file, v, as: Double.self)
    }

    /// Sums are kept in Double; a field whose sum overflows (values near +-1e308) is summed again scaled by 2^-64,
    /// so the mean stays finite whenever the values are.
    static func values<T: BinaryFloatingPoint & Sendable>(_ file: GriddedFile, _ v: VariableInfo, as: T.Type) throws -> ValueSummary {
        let r = try DirectChunkReader<T>(file: file, variable: v.path)
        let n = r.planeCount
        try ReadMemoryCap.checkSummaries(planes: n, path: file.path, variable: v.path)
        let scale = 0x1p-64
        var lo = [Double](repeating: .infinity, count: n), hi = [Double](repeating: -.infinity, count: n)
        var sums = [Double](repeating: 0, count: n), scaled = [Bool](repeating: false, count: n)
        var counts = [Int](repeating: 0, count: n)
        try lo.withUnsafeMutableBufferPointer { lo in
            try hi.withUnsafeMutableBufferPointer { hi in
                try sums.withUnsafeMutableBufferPointer { sums in
                    try scaled.withUnsafeMutableBufferPointer { scaled in
                        try counts.withUnsafeMutableBufferPointer { counts in
                            try r.forEachPlane { k, values in
                                var l = T.infinity, h = -T.infinity, s = 0.0, c = 0
                                for x in values where !x.isNaN {
                                    l = min(l, x); h = max(h, x); s += Double(x); c += 1
                                }
                                if !s.isFinite && l.isFinite && h.isFinite {
                                    s = 0
                                    for x in values where !x.isNaN { s += Double(x) * scale }
                                    scaled[k] = true
                                }
                                lo[k] = Double(l); hi[k] = Double(h); sums[k] = s; counts[k] = c
                            }
                        }
                    }
                }
            }
        }
        var l = Double.infinity, h = -Double.infinity, sum = 0.0, count = 0
        for k in 0..<n where counts[k] > 0 {
            l = min(l, lo[k]); h = max(h, hi[k]); sum += sums[k]; count += counts[k]
        }
        var mean = count > 0 ? sum / Double(count) : nil
        if count > 0 && (scaled.contains(true) || !sum.isFinite) && l.isFinite && h.isFinite {
            var s = 0.0
            for k in 0..<n where counts[k] > 0 { s += scaled[k] ? sums[k] : sums[k] * scale }
            mean = s / Double(count) / scale
        }
        let total = n * r.planeSize
        return ValueSummary(min: count > 0 ? l : nil, max: count > 0 ? h : nil, mean: mean, count: total,
                            missingFraction: total > 0 ? Double(total - count) / Double(total) : 0)
    }
}
