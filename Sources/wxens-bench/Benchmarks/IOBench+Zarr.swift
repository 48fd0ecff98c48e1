import ArgumentParser
import Foundation
import WXCore
import WXIO

/// The Zarr row of `wxens-bench io`: the bench file's variable as a Zarr v3 store (zstd, one chunk per 2-D field,
/// written once by xarray + zarr and reused), read whole by wxens and by xarray + zarr `.load()`, best of N each.
extension IOBench {
    /// Times of both sides and what they ran.
    struct ZarrResult { var ours: Double; var peer: Double; var peerName: String; var storeBytes: Int }

    /// The bench store beside the bench file, made by `scripts/bench_zarr_peer.py make` when absent.
    func zarrStore(for file: BenchFile, python py: String) throws -> String {
        let store = file.path.replacingOccurrences(of: ".nc", with: ".zarr")
        if ZarrFile.isStore(store), let z = try? ZarrFile(path: store), (try? z.variable("t2m").shape) == file.shape { return store }
        if !json { FileHandle.standardError.write(Data("making \(store) with xarray + zarr...\n".utf8)) }
        _ = try runPython(py, ["make", file.path, store, "t2m"])
        return store
    }

    /// Reads the store `repeats` times with each side, alternating; throws when the checksums differ.
    func zarrRun(file: BenchFile, python py: String) throws -> ZarrResult {
        let store = try zarrStore(for: file, python: py)
        var ours = Double.infinity, peer = Double.infinity, peerName = "?", ourSum = 0.0, peerSum = Double.nan
        for _ in 0..<max(1, repeats) {
            let start = DispatchTime.now().uptimeNanoseconds
            let field: Field<Float> = try ZarrFile(path: store).readField("t2m")
            ours = min(ours, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            ourSum = field.values.reduce(0.0) { $1.isNaN ? $0 : $0 + Double($1) }
            let data = try runPython(py, ["read", store, "t2m", "1"])
            guard let obj = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw ValidationError("the Zarr peer printed no JSON")
            }
            peer = min(peer, (obj["seconds"] as? NSNumber)?.doubleValue ?? .infinity)
            peerSum = (obj["checksum"] as? NSNumber)?.doubleValue ?? .nan
            peerName = "xarray \(obj["xarray"] as? String ?? "?") + zarr \(obj["zarr"] as? String ?? "?") `.load()`"
        }
        guard abs(peerSum - ourSum) <= 1e-9 * abs(ourSum) else {
            throw ValidationError("Zarr peer checksum \(peerSum) differs from wxens \(ourSum)")
        }
        let bytes = (FileManager.default.enumerator(atPath: store)?.allObjects as? [String] ?? []).reduce(0) {
            $0 + BenchFile.fileSize(store + "/" + $1)
        }
        return ZarrResult(ours: ours, peer: peer, peerName: peerName, storeBytes: bytes)
    }

    /// Runs `scripts/bench_zarr_peer.py` with `arguments`; its standard output.
    func runPython(_ py: String, _ arguments: [String]) throws -> Data {
        try runPeerScript(py, "bench_zarr_peer.py", arguments, peer: "Zarr", needs: "xarray and zarr")
    }

    /// Runs `scripts/<script>` with `arguments` under `py`; its standard output, or an error naming what the
    /// `peer` needs when it fails.
    func runPeerScript(_ py: String, _ script: String, _ arguments: [String], peer: String, needs: String) throws -> Data {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("scripts/\(script)").path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: py)
        p.arguments = [path] + arguments
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw ValidationError("the \(peer) peer (\(py) \(path) \(arguments.first ?? "")) failed; it needs \(needs) (scripts/install-peers.sh)")
        }
        return data
    }
}
