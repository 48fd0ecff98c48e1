import Foundation
import WXCore
import WXIO

/// `wxens reforecast merge`: every part of a finished reforecast into one CF file with dims (init_time, member,
/// lead_time, latitude, longitude), copied part by part and variable by variable (memory holds one variable of one
/// init), written under a temporary name and renamed at the end.
public enum ReforecastMerger {
    /// Checks every task is done and intact, then writes `out`; refuses missing, corrupt or mismatched parts.
    public static func merge(rundir: String, out: String) throws {
        let manifest = try ReforecastManifest.read(rundir)
        let paths = ReforecastPaths(rundir)
        let bad = manifest.tasks.filter { manifest.state(of: $0.id, paths: paths) != .done }
        guard bad.isEmpty else { throw ReforecastError.partsMissing(rundir: rundir, tasks: bad.map(\.id)) }

        let first = try GriddedFiles.open(paths.part(manifest.tasks[0].id))
        let probe: Field<Float> = try first.readField(manifest.variables[0])
        guard let lat = probe.coordinate(.latitude), let lon = probe.coordinate(.longitude), let initC = probe.coordinate(.initTime) else {
            throw ReforecastError.partMismatch(path: first.path, reason: "no latitude, longitude or init_time coordinate")
        }
        let nM = manifest.config.members, nL = manifest.leadHours.count, nT = manifest.tasks.count
        let h = lat.values.count, w = lon.values.count
        let firstGlobal = try first.attributes(ofGroup: "/")
        try CreatedDirectories.writing(out) {
            let writer = try NetCDFWriter(path: out)
            do {
                for (name, size) in [("init_time", nT), ("member", nM), ("lead_time", nL), ("latitude", h), ("longitude", w)] {
                    try writer.defineDimension(name, size: size)
                }
                try writer.defineVariable("init_time", type: .double, dimensions: ["init_time"], attributes: [
                    "standard_name": .string("forecast_reference_time"), "long_name": .string("forecast initialisation time"),
                    "units": initC.attributes["units"] ?? .string("hours"), "calendar": initC.attributes["calendar"] ?? .string("proleptic_gregorian"),
                ])
                try writer.defineVariable("member", type: .int32, dimensions: ["member"], attributes: [
                    "standard_name": .string("realization"), "long_name": .string("ensemble member number"), "units": .string("1"),
                ])
                try writer.defineVariable("lead_time", type: .double, dimensions: ["lead_time"], attributes: CFLeadTimeAxis.attributes)
                try writer.defineVariable("latitude", type: .float, dimensions: ["latitude"], attributes: [
                    "standard_name": .string("latitude"), "long_name": .string("latitude"), "units": .string("degrees_north"), "axis": .string("Y"),
                ])
                try writer.defineVariable("longitude", type: .float, dimensions: ["longitude"], attributes: [
                    "standard_name": .string("longitude"), "long_name": .string("longitude"), "units": .string("degrees_east"), "axis": .string("X"),
                ])
                for name in manifest.variables {
                    let a = try first.variable(name).attributes
                    var attrs: Attributes = [:]
                    for key in ["units", "standard_name", "long_name"] { if let v = a[key] { attrs[key] = v } }
                    try writer.defineVariable(name, type: .float, dimensions: ["init_time", "member", "lead_time", "latitude", "longitude"],
                                              attributes: attrs, fillValue: .nan, compression: .init(level: 4, shuffle: true),
                                              chunkSizes: [1, 1, 1, h, w])
                }
                var global = firstGlobal.filter { !["history", "wxens_reforecast_task"].contains($0.key) }
                global["title"] = .string("wxens reforecast (\(manifest.config.generator.rawValue))")
                global["wxens_reforecast_generator"] = .string(manifest.config.generator.rawValue)
                global["wxens_reforecast_tasks"] = .integers([Int64(nT)])
                global["history"] = .string("\(ISO8601DateFormatter().string(from: Date())): wxens reforecast merge \(rundir)")
                for key in global.keys.sorted() { try writer.setAttribute(key, global[key]!) }
                try writer.write("init_time", values: manifest.tasks.map(\.initTime))
                try writer.write("member", values: (0..<nM).map { Int32($0) })
                try writer.write("lead_time", values: manifest.leadHours)
                try writer.write("latitude", values: lat.values.map { Float($0) })
                try writer.write("longitude", values: lon.values.map { Float($0) })

                for (i, task) in manifest.tasks.enumerated() {
                    let part = try GriddedFiles.open(paths.part(task.id))
                    for name in manifest.variables {
                        let f: Field<Float> = try part.readField(name)
                        try check(f, task: task, manifest: manifest, lat: lat.values, lon: lon.values, path: part.path)
                        try writer.write(name, values: f.values, start: [i, 0, 0, 0, 0], count: [1, nM, nL, h, w])
                    }
                }
                try writer.finish()
            } catch {
                writer.discard()
                throw error
            }
        }
    }

    /// Checks a part's variable holds (member, init_time, lead_time, latitude, longitude) for the task's init, the
    /// plan's members and leads, and the first part's grid.
    static func check(_ f: Field<Float>, task: ReforecastManifest.Task, manifest: ReforecastManifest, lat: [Double], lon: [Double],
                      path: String) throws {
        func fail(_ why: String) -> ReforecastError { .partMismatch(path: path, reason: "variable \(f.name): \(why)") }
        guard f.dimensions.map(\.role) == [.member, .initTime, .leadTime, .latitude, .longitude] else {
            throw fail("dimensions \(f.dimensions.map(\.name)) are not (member, init_time, lead_time, latitude, longitude)")
        }
        guard f.shape == [manifest.config.members, 1, manifest.leadHours.count, lat.count, lon.count] else {
            throw fail("shape \(f.shape) is not the plan's [\(manifest.config.members), 1, \(manifest.leadHours.count), \(lat.count), \(lon.count)]")
        }
        guard let t = f.coordinate(.initTime)?.values.first, abs(t - task.initTime) < 1e-6 else { throw fail("init time is not \(task.initDate)") }
        guard f.coordinate(.leadTime)?.values == manifest.leadHours else { throw fail("lead times are not \(manifest.leadHours)") }
        guard f.coordinate(.latitude)?.values == lat, f.coordinate(.longitude)?.values == lon else { throw fail("grid differs from the first part's") }
    }
}
