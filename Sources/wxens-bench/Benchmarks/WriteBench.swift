import ArgumentParser
import Dispatch
import Foundation
import WXCore
import WXIO

/// `wxens-bench write`: seconds to write the 31-member validation reforecast as a packed CF ensemble,
/// member by member, beside netCDF4-python (member by member) and xarray (whole dataset) in the same run.
struct WriteBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "write",
        abstract: "CF ensemble writing (int16 packing, zlib+shuffle, one chunk per 2-D field) beside netCDF4-python and xarray.")

    @Option(help: "Source ensemble (init_time, member, lead_time, latitude, longitude), int16-packed.")
    var source: String = "../shared/data/perfect-model/reforecast_validation.nc"
    @Option(help: "Timed runs per writer (best is kept).")
    var repeats: Int = 3
    @Option(help: "zlib level for every writer.")
    var level: Int = 4
    @Flag(help: "Skip the Python peers.")
    var noPeers = false
    @Option(help: "Python interpreter with numpy, netCDF4, xarray (default: $WXENS_PYTHON, else .venv-peers/bin/python).")
    var python: String?
    @Option(help: "Peer script path.")
    var peerScript: String = "scripts/peers/write_peer.py"

    static let variables = ["z500", "t850", "u850", "v850", "msl", "t2m", "tcwv"]

    func run() throws {
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1") }
        let input = try NetCDFFile(path: source)
        defer { input.close() }
        // Load and regroup by member outside the timed region: member m of v is [init, lead, lat, lon].
        var perMember: [String: [[Float]]] = [:]
        var specs: [CFDataVariable] = []
        var first: Field<Float>? = nil
        for v in Self.variables {
            let f = try input.readField(v, as: Float.self)
            guard f.dimensions.map(\.role) == [.initTime, .member, .leadTime, .latitude, .longitude] else {
                throw ValidationError("\(source): \(v) is not (init_time, member, lead_time, latitude, longitude)")
            }
            let d = try input.decoding(for: input.variable(v))
            guard let scale = d.scaleFactor, let offset = d.addOffset else {
                throw ValidationError("\(source): \(v) is not CF-packed")
            }
            specs.append(CFDataVariable(name: v, units: f.units ?? "1", standardName: f.standardName, longName: f.longName,
                                        packing: CFPacking(scaleFactor: Float(scale), addOffset: Float(offset))))
            let (ni, nm, rest) = (f.shape[0], f.shape[1], f.shape[2] * f.shape[3] * f.shape[4])
            perMember[v] = (0..<nm).map { m in
                var buf = [Float](repeating: 0, count: ni * rest)
                for i in 0..<ni { for k in 0..<rest { buf[i * rest + k] = f.values[(i * nm + m) * rest + k] } }
                return buf
            }
            if first == nil { first = f }
        }
        guard let f = first, let grid = f.grid, let it = f.coordinate(.initTime), let lt = f.coordinate(.leadTime),
              let units = it.units, units.hasPrefix("hours since ") else {
            throw ValidationError("\(source): missing coordinates or init_time not in hours")
        }
        let members = f.shape[1]
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wxens-bench-write-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("wxens.nc").path
        let times = CFTimeAxis(hours: it.values, reference: String(units.dropFirst("hours since ".count)),
                               calendar: it.attributes["calendar"]?.stringValue ?? "proleptic_gregorian")
        func writeOnce() throws {
            let w = try CFEnsembleWriter(path: out, members: Array(0..<members), times: times, leadTimeHours: lt.values,
                                         latitudes: grid.latitudes, longitudes: grid.longitudes, variables: specs,
                                         global: CFGlobalAttributes(title: "wxens-bench write"),
                                         compression: .init(level: level, shuffle: true))
            for m in 0..<members {
                for v in Self.variables { try w.write(member: m, variable: v, values: perMember[v]![m]) }
            }
            try w.finish()
        }
        var best = Double.infinity
        for _ in 0..<repeats {
            let t0 = DispatchTime.now().uptimeNanoseconds
            try writeOnce()
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        let bytes = (try FileManager.default.attributesOfItem(atPath: out)[.size] as? NSNumber)?.intValue ?? 0
        let values = Self.variables.count * members * perMember[Self.variables[0]]![0].count
        let mb = Double(values * 4) / 1e6
        let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?
            .split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
        print("wxens-bench write  \(ISO8601DateFormatter().string(from: Date()))  load average \(load)  repeats \(repeats)  zlib \(level)")
        print("ensemble: \(members) members x \(f.shape[0]) inits x \(f.shape[2]) leads x \(grid.nlat)x\(grid.nlon) x \(Self.variables.count) variables = \(String(format: "%.1f", mb)) MB of float32")
        print("writer                      seconds   MB/s (float32 in)  file bytes   wxens speed-up")
        func row(_ name: String, _ s: Double, _ b: Int, _ ratio: String) {
            print(name.padding(toLength: 28, withPad: " ", startingAt: 0)
                  + String(format: "%-10.3f%-19.1f", s, mb / s) + "\(b)".padding(toLength: 13, withPad: " ", startingAt: 0) + ratio)
        }
        row("wxens CFEnsembleWriter", best, bytes, "-")
        guard !noPeers else { return }
        let py = try PeerPython.resolve(python)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: py)
        p.arguments = [peerScript, source, dir.path, "\(repeats)", "\(level)", out]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0,
              let line = String(decoding: data, as: UTF8.self).split(separator: "\n").last,
              let r = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let n4 = r["netcdf4_seconds"] as? Double, let xa = r["xarray_seconds"] as? Double else {
            throw ValidationError("peer \(peerScript) failed (status \(p.terminationStatus))")
        }
        row("netCDF4-python (per member)", n4, r["netcdf4_bytes"] as? Int ?? 0, String(format: "%.2fx", n4 / best))
        row("xarray to_netcdf (whole)", xa, r["xarray_bytes"] as? Int ?? 0, String(format: "%.2fx", xa / best))
        print("peers: \(r["versions"] as? String ?? "?"); wxens: system libnetcdf via nc-config")
        if let d = r["packed_values_differing_from_netcdf4"] as? Int, let t = r["packed_values"] as? Int {
            print("packed int16 values differing between wxens and netCDF4-python: \(d) of \(t)")
        }
    }
}
