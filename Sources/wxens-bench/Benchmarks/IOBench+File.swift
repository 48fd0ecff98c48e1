import CNetCDF
import CZlib
import Foundation
import WXIO

/// The bench file: a float32 ensemble (member, time, lat, lon) of smooth, realistic 2 m temperature-like fields
/// on a 0.5° global grid, zlib level 4 + shuffle, one chunk per 2-D field; made once and reused.
struct BenchFile {
    var path: String
    var shape: [Int]
    var values: Int
    var bytes: Int

    static let nlat = 361, nlon = 720, members = 20

    static func make(megabytes: Int, in dir: String, log: Bool) throws -> BenchFile {
        let fieldBytes = nlat * nlon * 4
        let times = max(1, Int((Double(megabytes) * 1e6 / Double(fieldBytes * members)).rounded()))
        let shape = [members, times, nlat, nlon]
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = (dir as NSString).appendingPathComponent("bench_ens_\(members)x\(times)x\(nlat)x\(nlon).nc")
        let n = shape.reduce(1, *)
        if FileManager.default.fileExists(atPath: path), let f = try? NetCDFFile(path: path), (try? f.variable("t2m").shape) == shape {
            return BenchFile(path: path, shape: shape, values: n, bytes: fileSize(path))
        }
        if log { FileHandle.standardError.write(Data("making \(path) (\(n * 4 / 1_000_000) MB uncompressed)...\n".utf8)) }
        let tmp = path + ".tmp-\(ProcessInfo.processInfo.processIdentifier)"
        try write(tmp, times: times)
        guard rename(tmp, path) == 0 else { throw CocoaError(.fileWriteUnknown) }
        return BenchFile(path: path, shape: shape, values: n, bytes: fileSize(path))
    }

    static func fileSize(_ p: String) -> Int { ((try? FileManager.default.attributesOfItem(atPath: p))?[.size] as? Int) ?? 0 }

    static func check(_ status: Int32, _ what: String) throws {
        guard status == NC_NOERR else {
            throw WXIOError.libraryError(path: "bench file", variable: nil, call: what, code: Int(status), message: String(cString: nc_strerror(status)))
        }
    }

    static func write(_ path: String, times: Int) throws {
        var nc: Int32 = 0
        let v: Int32 = try CLibraryLock.with {
            try check(nc_create(path, NC_NETCDF4 | NC_CLOBBER, &nc), "nc_create")
            var dm: Int32 = 0, dt: Int32 = 0, dy: Int32 = 0, dx: Int32 = 0
            try check(nc_def_dim(nc, "member", members, &dm), "nc_def_dim")
            try check(nc_def_dim(nc, "time", times, &dt), "nc_def_dim")
            try check(nc_def_dim(nc, "latitude", nlat, &dy), "nc_def_dim")
            try check(nc_def_dim(nc, "longitude", nlon, &dx), "nc_def_dim")
            var vm: Int32 = 0, vt: Int32 = 0, vy: Int32 = 0, vx: Int32 = 0, v: Int32 = 0
            try check(nc_def_var(nc, "member", NC_INT, 1, [dm], &vm), "nc_def_var")
            try check(nc_def_var(nc, "time", NC_DOUBLE, 1, [dt], &vt), "nc_def_var")
            try check(nc_def_var(nc, "latitude", NC_DOUBLE, 1, [dy], &vy), "nc_def_var")
            try check(nc_def_var(nc, "longitude", NC_DOUBLE, 1, [dx], &vx), "nc_def_var")
            try check(nc_def_var(nc, "t2m", NC_FLOAT, 4, [dm, dt, dy, dx], &v), "nc_def_var")
            try check(nc_def_var_chunking(nc, v, NC_CHUNKED, [1, 1, nlat, nlon]), "nc_def_var_chunking")
            try check(nc_def_var_deflate(nc, v, 1, 1, 4), "nc_def_var_deflate")
            func text(_ varid: Int32, _ name: String, _ value: String) throws {
                try check(nc_put_att_text(nc, varid, name, value.utf8.count, value), "nc_put_att_text")
            }
            try text(vm, "standard_name", "realization")
            try text(vt, "units", "hours since 2000-01-01 00:00:00"); try text(vt, "calendar", "proleptic_gregorian")
            try text(vy, "units", "degrees_north"); try text(vx, "units", "degrees_east")
            try text(v, "units", "K"); try text(v, "standard_name", "air_temperature")
            try check(nc_enddef(nc), "nc_enddef")
            try check(nc_put_var_int(nc, vm, (0..<Int32(members)).map { $0 }), "nc_put_var")
            try check(nc_put_var_double(nc, vt, (0..<times).map { Double(6 * $0) }), "nc_put_var")
            try check(nc_put_var_double(nc, vy, (0..<nlat).map { 90 - 0.5 * Double($0) }), "nc_put_var")
            try check(nc_put_var_double(nc, vx, (0..<nlon).map { 0.5 * Double($0) }), "nc_put_var")
            return v
        }
        let lat = (0..<nlat).map { (90 - 0.5 * Double($0)) * .pi / 180 }
        let lon = (0..<nlon).map { 0.5 * Double($0) * .pi / 180 }
        var field = [Float](repeating: 0, count: nlat * nlon)
        for m in 0..<members {
            for t in 0..<times {
                // Climatology + travelling planetary waves + a member perturbation, stored to 1/64 K as packed data would be.
                let phase = 0.35 * Double(t), mp = 0.7 * Double(m)
                for j in 0..<nlat {
                    let c = cos(lat[j]), s = sin(lat[j])
                    let base = 300 - 45 * s * s + 4 * sin(3 * lat[j])
                    for i in 0..<nlon {
                        var x = base + 6 * c * c * sin(4 * lon[i] + phase) + 2.5 * c * cos(7 * lon[i] - 1.3 * phase + 2 * lat[j])
                        x += 0.8 * c * sin(11 * lon[i] + mp + 5 * lat[j]) * cos(2 * lat[j] + 0.1 * Double(t))
                        x += 0.5 * noise(m, t, j, i) // small-scale weather, so the file compresses like real data (~3:1)
                        field[j * nlon + i] = Float((x * 64).rounded() / 64)
                    }
                }
                try CLibraryLock.with {
                    try check(nc_put_vara_float(nc, v, [m, t, 0, 0], [1, 1, nlat, nlon], field), "nc_put_vara_float")
                }
            }
        }
        try CLibraryLock.with { try check(nc_close(nc), "nc_close") }
    }
}

/// Deterministic noise in [-0.5, 0.5) from the indices (a hash, no RNG state).
@inline(__always)
func noise(_ m: Int, _ t: Int, _ j: Int, _ i: Int) -> Double {
    var h = UInt64(truncatingIfNeeded: i &* 73_856_093 ^ j &* 19_349_663 ^ t &* 83_492_791 ^ m &* 2_654_435_761)
    h ^= h >> 33; h &*= 0xff51afd7ed558ccd; h ^= h >> 33; h &*= 0xc4ceb9fe1a85ec53; h ^= h >> 33
    return Double(h >> 11) / Double(1 << 53) - 0.5
}

func zlibVersionString() -> String { String(cString: zlibVersion()) }
