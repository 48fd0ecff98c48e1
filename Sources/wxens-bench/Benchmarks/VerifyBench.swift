import ArgumentParser
import Foundation
import WXCore
import WXVerification

/// `wxens-bench verify`: batched ensemble CRPS against properscoring and scoringrules (numba), timed in the same run.
///
/// Data: N(0,1) members and observations from a seeded generator, rounded to float32 (what a netCDF float variable
/// holds), member-major (M, N). wxens is timed on them as Float and as Double arrays; the same values are written as
/// float64 to temporary .npy files that `scripts/peers/crps_peers.py` reads (it gives each peer members-last).
struct VerifyBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Ensemble CRPS over many points against properscoring and scoringrules (numba).")

    @Option(parsing: .upToNextOption, help: "Ensemble sizes.")
    var members: [Int] = [10, 50, 200]

    @Option(help: "Points (observations) per ensemble size.")
    var points: Int = 1_000_000

    @Option(help: "Timed repeats of wxens (the minimum is reported).")
    var repeats: Int = 5

    @Option(help: "Python with properscoring and scoringrules (default: $WXENS_PYTHON, then .venv-peers/bin/python).")
    var python: String?

    @Option(help: "Peer script.")
    var peerScript: String = "scripts/peers/crps_peers.py"

    @Flag(help: "Skip the O(M²) scoringrules estimators (nrg, fair) above 100 members.")
    var skipSlow = false

    @Option(help: "wxens input types: float32, float64 or both.")
    var input: InputType = .both

    @Flag(help: "Print one JSON object per line instead of a table.")
    var json = false

    @Flag(help: "Time wxens only (no peers; speedups are not computed).")
    var noPeers = false

    @Option(help: "wall: elapsed time; cpu: process CPU time of wxens (for A/B runs with WXENS_THREADS=1 on a loaded machine; use with --no-peers).")
    var clock: BenchClock = .wall

    /// Element types wxens is timed on.
    enum InputType: String, ExpressibleByArgument {
        case float32, float64, both
        var types: [String] { self == .both ? ["float32", "float64"] : [rawValue] }
    }

    func run() throws {
        let py = noPeers ? "" : try PeerPython.resolve(python)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wxens-bench-verify-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        if !json {
            let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
            print("load average at start: \(load)")
            print("CRPS over \(points) points, N(0,1) data rounded to float32, member-major (M, N); wxens threads: \(Parallel.threads); peers single-threaded (NUMBA_NUM_THREADS=1), given the same values as float64")
            print(pad("metric", 14) + pad("M", 5) + pad("input", 9) + pad("wxens s", 10) + pad("peer", 22) + pad("peer s", 10) + pad("speedup", 9) + "mean wxens / peer")
        }
        for m in members {
            var rng = BenchRNG(seed: 0x5EED + UInt64(m))
            var fct = [Double](repeating: 0, count: m * points)
            var obs = [Double](repeating: 0, count: points)
            rng.fillNormal(&fct)
            rng.fillNormal(&obs)
            for i in fct.indices { fct[i] = Double(Float(fct[i])) }
            for i in obs.indices { obs[i] = Double(Float(obs[i])) }
            var fct32 = input.types.contains("float32") ? fct.map(Float.init) : []
            let obs32 = obs.map(Float.init)
            let fURL = dir.appendingPathComponent("fct.npy"), oURL = dir.appendingPathComponent("obs.npy")
            try NPY.write(fct, shape: [m, points], to: fURL)
            try NPY.write(obs, shape: [points], to: oURL)

            // wxens is timed before and after the peers (minimum of both), so a burst of load on this shared
            // machine during one phase does not decide the ratio alone.
            var ours: [String: (seconds: Double, mean: Double)] = [:]
            func timeOne(_ type: String, _ est: CRPSEstimator, _ body: () throws -> [Double]) rethrows {
                let key = "\(type) \(est)"
                _ = try body()
                var best = ours[key]?.seconds ?? .infinity
                var mean = 0.0
                for _ in 0..<repeats {
                    let t0 = clock.now()
                    let r = try body()
                    best = min(best, clock.now() - t0)
                    mean = r.reduce(0, +) / Double(points)
                }
                ours[key] = (best, mean)
            }
            func timeOurs() throws {
                for est in [CRPSEstimator.standard, .fair] {
                    for type in input.types {
                        if type == "float32" {
                            try timeOne(type, est) { try CRPS.ensemble(forecast: fct32, observations: obs32, members: m, estimator: est) }
                        } else {
                            try timeOne(type, est) { try CRPS.ensemble(forecast: fct, observations: obs, members: m, estimator: est) }
                        }
                    }
                }
            }
            try timeOurs()
            let peers = noPeers ? [PeerResult(name: "none", seconds: .nan, mean: .nan)] : try runPeers(py, fURL, oURL)
            try timeOurs()
            var floors: [String: Double] = [:]
            if input.types.contains("float64") { floors["float64"] = readFloor(fct) }
            if input.types.contains("float32") { floors["float32"] = readFloor(fct32) }
            fct = []
            fct32 = []
            for type in input.types {
                for peer in peers {
                    let est: CRPSEstimator = (peer.name == "scoringrules[fair]" || peer.name == "scoringrules[pwm]") ? .fair : .standard
                    let o = ours["\(type) \(est)"]!
                    let metric = est == .fair ? "crps_fair" : "crps_standard"
                    let rel = abs(o.mean - peer.mean) / abs(peer.mean)
                    let speedup = peer.seconds / o.seconds
                    let floor = floors[type] ?? .nan
                    if json {
                        let obj: [String: Any] = ["metric": metric, "members": m, "points": points, "seconds": o.seconds,
                                                  "peer": peer.name, "peer_seconds": peer.seconds, "speedup": speedup,
                                                  "mean": o.mean, "peer_mean": peer.mean, "mean_relative_difference": rel,
                                                  "threads": Parallel.threads, "read_floor_seconds": floor, "input": type]
                        let data = try JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys])
                        print(String(decoding: data, as: UTF8.self))
                    } else {
                        print(pad(metric, 14) + pad("\(m)", 5) + pad(type, 9) + pad(String(format: "%.4f", o.seconds), 10) + pad(peer.name, 22)
                              + pad(String(format: "%.3f", peer.seconds), 10) + pad(String(format: "%.1fx", speedup), 9)
                              + String(format: "%.15f / %.15f (rel %.1e)", o.mean, peer.mean, rel))
                    }
                    if !json && peer.name == peers.last?.name {
                        print(String(format: "  (M=%d, %@: reading the forecast array once with the same threads takes %.4f s, the memory floor)", m, type, floor))
                    }
                    if !noPeers && rel > 1e-10 {
                        throw ValidationError("mean CRPS (\(type)) differs from \(peer.name) at M=\(m): \(o.mean) vs \(peer.mean)")
                    }
                }
            }
        }
    }

    /// Minimum time to read the forecast array once (a sum over the same fixed chunks and threads): the memory floor.
    private func readFloor<T: BinaryFloatingPoint>(_ a: [T]) -> Double {
        let chunk = 1 << 16
        let chunks = (a.count + chunk - 1) / chunk
        var partial = [Double](repeating: 0, count: chunks)
        var best = Double.infinity
        a.withUnsafeBufferPointer { src in
            partial.withUnsafeMutableBufferPointer { out in
                for _ in 0..<repeats {
                    let t0 = DispatchTime.now().uptimeNanoseconds
                    Parallel.forEach(chunks) { c in
                        // 32-byte vectors of either type, summed as raw bits: only the reads matter.
                        var s = SIMD4<UInt64>(repeating: 0)
                        let raw = UnsafeRawPointer(src.baseAddress!)
                        let size = MemoryLayout<T>.stride
                        var i = c * chunk * size
                        let end = min(a.count, (c + 1) * chunk) * size
                        while i + 32 <= end { s &+= raw.loadUnaligned(fromByteOffset: i, as: SIMD4<UInt64>.self); i += 32 }
                        out[c] = Double(s.wrappedSum() & 0xff)
                    }
                    best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
                }
            }
        }
        // A use of the sums, so that the reads cannot be optimised away.
        if partial.reduce(0, +) < 0 { print("(negative checksum)") }
        return best
    }

    private func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }

    private struct PeerResult { var name: String; var seconds: Double; var mean: Double }

    private func runPeers(_ py: String, _ f: URL, _ o: URL) throws -> [PeerResult] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: py)
        p.arguments = [peerScript, f.path, o.path] + (skipSlow ? ["--skip-slow"] : [])
        var env = ProcessInfo.processInfo.environment
        env["NUMBA_NUM_THREADS"] = "1"
        env["OMP_NUM_THREADS"] = "1"
        p.environment = env
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw ValidationError("peer script \(peerScript) failed (status \(p.terminationStatus))") }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { line in
            guard let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let name = obj["peer"] as? String, let s = (obj["seconds"] as? NSNumber)?.doubleValue,
                  let mean = (obj["mean"] as? NSNumber)?.doubleValue else { return nil }
            return PeerResult(name: name, seconds: s, mean: mean)
        }
    }
}

/// Seeded splitmix64 with Box–Muller normals, for benchmark data.
struct BenchRNG {
    var base: SplitMix64
    init(seed: UInt64) { base = SplitMix64(seed: seed) }
    mutating func next() -> UInt64 { base.next() }
    mutating func uniform() -> Double { (Double(next() >> 11) + 0.5) * 0x1p-53 }
    mutating func fillNormal(_ a: inout [Double]) {
        var i = 0
        while i < a.count {
            let r = (-2 * log(uniform())).squareRoot(), t = 2 * Double.pi * uniform()
            a[i] = r * cos(t)
            if i + 1 < a.count { a[i + 1] = r * sin(t) }
            i += 2
        }
    }
}

/// Minimal writer of little-endian float64 .npy files (format 1.0), for handing data to Python peers.
enum NPY {
    static func write(_ values: [Double], shape: [Int], to url: URL) throws {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '<f8', 'fortran_order': False, 'shape': \(shapeText), }"
        let total = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - total % 64) % 64) + "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let n = UInt16(header.utf8.count)
        data.append(contentsOf: [UInt8(n & 0xff), UInt8(n >> 8)])
        data.append(contentsOf: Array(header.utf8))
        values.withUnsafeBytes { data.append(contentsOf: $0) }
        try data.write(to: url)
    }
}
