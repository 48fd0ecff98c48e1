import ArgumentParser
import CHDF5
import CNetCDF
import Foundation
import WXCore
import WXIO

/// `wxens-bench io`: reading a ~1 GB zlib+shuffle compressed NetCDF-4 ensemble file, wxens against netCDF4-python,
/// the same data as a Zarr v3 store, wxens against xarray + zarr, and a GRIB2 ensemble file, wxens against cfgrib + xarray
/// and ecCodes.
struct IOBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "io",
        abstract: "Read a compressed NetCDF-4 ensemble file (wxens vs netCDF4-python), its Zarr copy (wxens vs xarray + zarr) and a GRIB2 file (wxens vs cfgrib + xarray, ecCodes), best of N.")

    @Option(help: "Uncompressed size of the bench file in MB (10^6 bytes).")
    var megabytes: Int = 1024

    @Option(help: "Directory for the bench file (kept and reused between runs).")
    var dir: String = FileManager.default.temporaryDirectory.appendingPathComponent("wxens-bench-io").path

    @Option(help: "Repetitions (ours and the peer alternate); the best time of each counts.")
    var repeats: Int = 3

    @Option(help: "Python with netCDF4 for the peer (default: $WXENS_PYTHON, else .venv-peers/bin/python).")
    var python: String?

    @Flag(help: "One JSON object per line instead of a table.")
    var json = false

    @Flag(name: .customLong("no-zarr"), help: "Skip the Zarr row (it needs xarray and zarr in the peer Python).")
    var noZarr = false

    @Flag(name: .customLong("no-grib"), help: "Skip the GRIB rows (they need cfgrib and eccodes in the peer Python).")
    var noGrib = false

    @Option(name: .customLong("grib-megabytes"), help: "Decoded size of the GRIB bench file in MB (float32 values).")
    var gribMegabytes: Int = 415

    @Flag(name: .customLong("grib-only"), help: "Only the GRIB rows (no NetCDF or Zarr file is made or read).")
    var gribOnly = false

    @Flag(name: .customLong("grib-get-data"), help: "Also time ecCodes' grib_get_data tool on the GRIB file, once (minutes: it prints every point as text).")
    var gribGetData = false

    func run() throws {
        if gribOnly {
            try printGRIB(try gribRun(python: PeerPython.resolve(python)))
            return
        }
        let file = try BenchFile.make(megabytes: megabytes, in: dir, log: !json)
        let mb = Double(file.values * 4) / 1e6
        let reader = try NetCDFFile(path: file.path)

        func timed(_ body: () throws -> Double) rethrows -> (Double, Double) {
            let start = DispatchTime.now().uptimeNanoseconds
            let checksum = try body()
            return (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, checksum)
        }
        let plane = try PlaneReader<Float>(file: reader, variable: "t2m")
        let directs = try InflateBackend.allCases.filter(\.isAvailable).map {
            try DirectChunkReader<Float>(file: reader, variable: "t2m", inflate: $0)
        }
        guard let direct = directs.last, direct.isDirect else {
            throw ValidationError("direct path not applicable: \(directs.last?.fallbackReason ?? "")")
        }
        let threads = Parallel.threads
        // Ours and the peer alternate in each repetition, so a change of machine load hits both; best of N each.
        var tLib = Double.infinity, sumLib = 0.0
        var tDirect = [Double](repeating: .infinity, count: directs.count), sumDirect = [Double](repeating: 0, count: directs.count)
        var peer = PeerResult(netCDF4: "?", libnetcdf: "?", hdf5: "?", perPlane: .infinity, whole: .infinity, checksum: .nan)
        for _ in 0..<max(1, repeats) {
            // 1. library path: one 2-D field per call into a reused buffer
            let (t1, s1) = try timed {
                var buf = [Float](repeating: 0, count: plane.planeSize)
                var sums = [Double](repeating: 0, count: plane.planeCount)
                for k in 0..<plane.planeCount {
                    try buf.withUnsafeMutableBufferPointer { try plane.read(plane: k, into: $0) }
                    sums[k] = buf.reduce(0.0) { $0 + Double($1) }
                }
                return sums.reduce(0, +)
            }
            // 2. direct chunk reads, inflate (zlib, then libdeflate when present) + unshuffle on every core
            for (i, d) in directs.enumerated() {
                let (t2, s2) = try timed {
                    let sums = UnsafeMutableBufferPointer<Double>.allocate(capacity: d.planeCount)
                    defer { sums.deallocate() }
                    try d.forEachPlane { k, v in sums[k] = v.reduce(0.0) { $0 + Double($1) } }
                    return sums.reduce(0, +)
                }
                tDirect[i] = min(tDirect[i], t2); sumDirect[i] = s2
            }
            // 3. the peer, same file, same run
            let p = try runPeer(file.path)
            tLib = min(tLib, t1); sumLib = s1
            peer = PeerResult(netCDF4: p.netCDF4, libnetcdf: p.libnetcdf, hdf5: p.hdf5, perPlane: min(peer.perPlane, p.perPlane),
                              whole: min(peer.whole, p.whole), checksum: p.checksum)
        }
        guard sumDirect.allSatisfy({ $0 == sumLib }) else {
            throw ValidationError("direct path checksums \(sumDirect) differ from the library path's \(sumLib)")
        }
        let zarr = noZarr ? nil : try zarrRun(file: file, python: PeerPython.resolve(python))
        let grib = noGrib ? nil : try gribRun(python: PeerPython.resolve(python))
        let peerBest = min(peer.perPlane, peer.whole)
        let peerName = "netCDF4-python \(peer.netCDF4) (libnetcdf \(peer.libnetcdf), HDF5 \(peer.hdf5)), best of per-field and whole-variable reads"
        if abs(peer.checksum - sumLib) > 1e-9 * abs(sumLib) {
            throw ValidationError("peer checksum \(peer.checksum) differs from wxens \(sumLib)")
        }
        let ours = "wxens \(wxensVersion) (libnetcdf \(CLibraryLock.with { String(cString: nc_inq_libvers()) }.split(separator: " ").first ?? ""), HDF5 \(hdf5Version()); direct path: \(directs.map(\.inflateBackend.versionDescription).joined(separator: " or ")))"
        let rows: [(String, Double)] = [("2-D fields via libnetcdf, 1 thread", tLib)]
            + zip(directs, tDirect).map { ("2-D fields via direct chunk read + \($0.inflateBackend.rawValue), \(threads) threads", $1) }
        if json {
            for (name, t) in rows {
                let obj: [String: Any] = ["case": name, "megabytes": mb, "mb_per_s": mb / t, "peer": peerName,
                                          "peer_mb_per_s": mb / peerBest, "ratio": (mb / t) / (mb / peerBest),
                                          "wxens": ours, "file_megabytes": Double(file.bytes) / 1e6,
                                          "peer_per_field_mb_per_s": mb / peer.perPlane, "peer_whole_mb_per_s": mb / peer.whole]
                let data = try JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys])
                print(String(decoding: data, as: UTF8.self))
            }
            if let z = zarr {
                let obj: [String: Any] = ["case": "Zarr v3 store (zstd), whole variable, \(threads) threads", "megabytes": mb,
                                          "mb_per_s": mb / z.ours, "peer": z.peerName, "peer_mb_per_s": mb / z.peer,
                                          "ratio": z.peer / z.ours, "wxens": "wxens \(wxensVersion)",
                                          "store_megabytes": Double(z.storeBytes) / 1e6]
                let data = try JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys])
                print(String(decoding: data, as: UTF8.self))
            }
        } else {
            print("file: \(file.path): \(String(format: "%.0f", mb)) MB of float32 (\(file.shape.map(String.init).joined(separator: " x "))), \(String(format: "%.0f", Double(file.bytes) / 1e6)) MB on disk, zlib 4 + shuffle, one chunk per 2-D field")
            print("wxens: \(ours)")
            print("peer:  \(peerName)")
            print("       per-field \(String(format: "%.0f", mb / peer.perPlane)) MB/s, whole-variable \(String(format: "%.0f", mb / peer.whole)) MB/s")
            print("")
            print("| case | MB | wxens MB/s | netCDF4-python MB/s | ratio |")
            print("|---|---|---|---|---|")
            for (name, t) in rows {
                print("| \(name) | \(String(format: "%.0f", mb)) | \(String(format: "%.0f", mb / t)) | \(String(format: "%.0f", mb / peerBest)) | \(String(format: "%.2f", (mb / t) / (mb / peerBest)))x |")
            }
            if let z = zarr {
                print("")
                print("Zarr copy: v3, zstd level 0 (zarr's default), one chunk per 2-D field, \(String(format: "%.0f", Double(z.storeBytes) / 1e6)) MB on disk")
                print("peer:  \(z.peerName)")
                print("")
                print("| case | MB | wxens MB/s | xarray + zarr MB/s | ratio |")
                print("|---|---|---|---|---|")
                print("| Zarr v3 store, whole variable, \(threads) threads | \(String(format: "%.0f", mb)) | \(String(format: "%.0f", mb / z.ours)) | \(String(format: "%.0f", mb / z.peer)) | \(String(format: "%.2f", z.peer / z.ours))x |")
            }
        }
        if let grib { try printGRIB(grib) }
    }

    struct PeerResult { var netCDF4, libnetcdf, hdf5: String; var perPlane, whole, checksum: Double }

    func runPeer(_ path: String) throws -> PeerResult {
        let py = try PeerPython.resolve(python)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("scripts/bench_io_peer.py").path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: py)
        p.arguments = [script, path, "t2m", "1"]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0, let obj = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ValidationError("the peer (\(py) \(script)) failed; it needs numpy and netCDF4")
        }
        func d(_ k: String) -> Double { (obj[k] as? Double) ?? (obj[k] as? NSNumber)?.doubleValue ?? .nan }
        return PeerResult(netCDF4: obj["netCDF4"] as? String ?? "?", libnetcdf: obj["libnetcdf"] as? String ?? "?",
                          hdf5: obj["hdf5"] as? String ?? "?", perPlane: d("per_plane_seconds"), whole: d("whole_seconds"),
                          checksum: d("checksum"))
    }

    func hdf5Version() -> String {
        var a: UInt32 = 0, b: UInt32 = 0, c: UInt32 = 0
        _ = CLibraryLock.with { H5get_libversion(&a, &b, &c) }
        return "\(a).\(b).\(c)"
    }
}
