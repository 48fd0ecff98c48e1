import ArgumentParser
import Foundation
import WXCore
import WXIO

/// The GRIB rows of `wxens-bench io`: a GRIB2 ensemble file (global 0.25 degree, 16-bit packing, made once by
/// `scripts/bench_grib_peer.py make` in the bench directory and reused) read whole by wxens (scan + decode, messages
/// decoded on `Parallel.threads` workers; the message index beside the file off, as cfgrib's is, and on in a row of its
/// own), by cfgrib + xarray `.load()`, by a loop over ecCodes' Python bindings, and (with `--grib-get-data`) by ecCodes' `grib_get_data` tool writing its text to /dev/null.
extension IOBench {
    /// Times of every side and what they ran.
    struct GRIBResult {
        var path: String
        var megabytes: Double
        var fileBytes: Int
        var messages: Int
        var ours: Double
        var oursOneThread: Double
        var oursIndexed: Double
        var cfgrib: Double
        var cfgribName: String
        var eccodes: Double
        var eccodesName: String
        var gribGetData: Double?
    }

    /// The bench GRIB file, made when absent.
    func gribFile(python py: String) throws -> String {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = (dir as NSString).appendingPathComponent("bench_t_\(gribMegabytes)MB.grib2")
        if FileManager.default.fileExists(atPath: path) { return path }
        if !json { FileHandle.standardError.write(Data("making \(path) with ecCodes' Python bindings...\n".utf8)) }
        _ = try runGRIBPython(py, ["make", path, String(gribMegabytes)])
        return path
    }

    /// Reads the GRIB file `repeats` times with each side, alternating; throws when the checksums differ.
    func gribRun(python py: String) throws -> GRIBResult {
        let path = try gribFile(python: py)
        var ours = Double.infinity, one = Double.infinity, indexed = Double.infinity, cf = Double.infinity, ec = Double.infinity
        var cfName = "?", ecName = "?", ourSum = 0.0, oneSum = 0.0, indexedSum = 0.0, cfSum = Double.nan, ecSum = Double.nan, points = 0, messages = 0
        func sum(_ f: Field<Float>) -> Double { f.values.reduce(0.0) { $1.isNaN ? $0 : $0 + Double($1) } }
        for _ in 0..<max(1, repeats) {
            var start = DispatchTime.now().uptimeNanoseconds
            let file = try GRIBFile(path: path, index: false)
            let field: Field<Float> = try file.readField("t")
            ours = min(ours, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            ourSum = sum(field)
            points = field.values.count
            messages = file.messages.count
            start = DispatchTime.now().uptimeNanoseconds
            let single: Field<Float> = try Parallel.withThreads(1) { try GRIBFile(path: path, index: false).readField("t") }
            one = min(one, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            oneSum = sum(single)
            _ = try GRIBFile(path: path, index: true)
            start = DispatchTime.now().uptimeNanoseconds
            let again = try GRIBFile(path: path, index: true)
            let fromIndex: Field<Float> = try again.readField("t")
            indexed = min(indexed, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            indexedSum = again.messagesFromIndex ? sum(fromIndex) : .nan
            let c = try gribPeerJSON(py, ["cfgrib", path, "t", "1"])
            cf = min(cf, c.seconds)
            cfSum = c.checksum
            cfName = "cfgrib \(c.object["cfgrib"] as? String ?? "?") + xarray \(c.object["xarray"] as? String ?? "?") `.load()` (ecCodes \(c.object["eccodes"] as? String ?? "?"))"
            let e = try gribPeerJSON(py, ["eccodes", path, "1"])
            ec = min(ec, e.seconds)
            ecSum = e.checksum
            ecName = "ecCodes \(e.object["eccodes"] as? String ?? "?") Python bindings, codes_get_values per message, 1 thread"
        }
        for (name, s) in [("cfgrib", cfSum), ("ecCodes", ecSum), ("wxens on 1 thread", oneSum),
                          ("wxens from the message index (NaN: the index was not used)", indexedSum)] where !(abs(s - ourSum) <= 1e-9 * abs(ourSum)) {
            throw ValidationError("GRIB checksum of \(name) \(s) differs from wxens \(ourSum)")
        }
        return GRIBResult(path: path, megabytes: Double(points * 4) / 1e6, fileBytes: BenchFile.fileSize(path), messages: messages,
                          ours: ours, oursOneThread: one, oursIndexed: indexed, cfgrib: cf, cfgribName: cfName, eccodes: ec, eccodesName: ecName,
                          gribGetData: gribGetData ? try timeGribGetData(path) : nil)
    }

    /// Seconds of one `grib_get_data FILE > /dev/null` (nil when the tool is not installed).
    func timeGribGetData(_ path: String) throws -> Double? {
        let tool = ["/usr/bin/grib_get_data", "/usr/local/bin/grib_get_data"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let tool else { return nil }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = [path]
        p.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        let start = DispatchTime.now().uptimeNanoseconds
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw ValidationError("\(tool) \(path) failed") }
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// Prints the GRIB rows (a table, or JSON lines).
    func printGRIB(_ g: GRIBResult) throws {
        let threads = Parallel.threads
        var rows: [(String, String, Double, Double)] = [
            ("GRIB2 whole variable, \(threads) threads", g.cfgribName, g.ours, g.cfgrib),
            ("GRIB2 whole variable, 1 thread", g.cfgribName, g.oursOneThread, g.cfgrib),
            ("GRIB2 whole variable, \(threads) threads", g.eccodesName, g.ours, g.eccodes),
            ("GRIB2 whole variable, \(threads) threads, reopened with its message index", g.cfgribName, g.oursIndexed, g.cfgrib),
        ]
        if let t = g.gribGetData { rows.append(("GRIB2 whole variable, \(threads) threads", "grib_get_data FILE > /dev/null (ecCodes 2.28 tool)", g.ours, t)) }
        if json {
            for (name, peer, ours, theirs) in rows {
                let obj: [String: Any] = ["case": name, "megabytes": g.megabytes, "mb_per_s": g.megabytes / ours, "peer": peer,
                                          "peer_mb_per_s": g.megabytes / theirs, "ratio": theirs / ours, "wxens": "wxens \(wxensVersion)",
                                          "file_megabytes": Double(g.fileBytes) / 1e6, "messages": g.messages]
                let data = try JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys])
                print(String(decoding: data, as: UTF8.self))
            }
            return
        }
        print("")
        print("GRIB file: \(g.path): \(g.messages) GRIB2 messages (t, 721 x 1440, 16-bit simple packing), \(String(format: "%.0f", Double(g.fileBytes) / 1e6)) MB on disk, \(String(format: "%.0f", g.megabytes)) MB of float32")
        print("wxens: GRIBFile(path:).readField(\"t\") (scan + decode, message index off unless said; ecCodes \(GRIBFile.ecCodesVersion))")
        print("")
        print("| case | MB | wxens MB/s | peer | peer MB/s | ratio |")
        print("|---|---|---|---|---|---|")
        for (name, peer, ours, theirs) in rows {
            print("| \(name) | \(String(format: "%.0f", g.megabytes)) | \(String(format: "%.0f", g.megabytes / ours)) | \(peer) | \(String(format: "%.0f", g.megabytes / theirs)) | \(String(format: "%.2f", theirs / ours))x |")
        }
    }

    /// Runs `scripts/bench_grib_peer.py` with `arguments`; its standard output.
    func runGRIBPython(_ py: String, _ arguments: [String]) throws -> Data {
        try runPeerScript(py, "bench_grib_peer.py", arguments, peer: "GRIB", needs: "cfgrib and eccodes")
    }

    /// Runs a timing mode of the GRIB peer: its JSON, best seconds and checksum.
    func gribPeerJSON(_ py: String, _ arguments: [String]) throws -> (object: [String: Any], seconds: Double, checksum: Double) {
        guard let obj = try JSONSerialization.jsonObject(with: try runGRIBPython(py, arguments)) as? [String: Any] else {
            throw ValidationError("the GRIB peer printed no JSON")
        }
        return (obj, (obj["seconds"] as? NSNumber)?.doubleValue ?? .infinity, (obj["checksum"] as? NSNumber)?.doubleValue ?? .nan)
    }
}
