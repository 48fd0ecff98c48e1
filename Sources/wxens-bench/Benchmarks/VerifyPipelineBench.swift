import ArgumentParser
import Foundation

/// `wxens-bench verify-pipeline`: `wxens verify` (the release binary, as a child process) against the xarray +
/// scoringrules script a WeatherBench2 user writes (`scripts/peers/verify_pipeline_peer.py`), on the same forecast
/// files in the same run, alternating which goes first over rounds; reports seconds, MB/s, peak RSS and the ratio, and
/// checks that the scorecard's CRPS, RMSE and spread equal the peer's.
///
/// The forecast files are made as `scripts/bench/make_large_forecast.py` makes them (N inits tiled from the validation
/// reforecast; float32 uncompressed, and the shared files' CF-packed int16 with shuffle + zlib); the truth is
/// `truth.nc` of the perfect-model data.
struct VerifyPipelineBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-pipeline",
        abstract: "wxens verify against an xarray + scoringrules pipeline on large forecast files.")

    @Option(help: "Inits in the forecast files.")
    var inits: Int = 100

    @Option(help: "Threads for both sides (WXENS_THREADS; NUMBA/OMP/OPENBLAS_NUM_THREADS for the peer).")
    var threads: Int = 2

    @Option(help: "Rounds; each runs both sides once per file, wxens first in even rounds.")
    var rounds: Int = 3

    @Option(help: "Directory to keep the forecast files in (reused when present; default: a temporary one, deleted).")
    var keepFiles: String?

    @Option(help: "File kinds: float32, int16 or both.")
    var kinds: String = "float32,int16"

    @Option(help: "--max-memory passed to wxens verify (default: its own).")
    var maxMemory: String?

    @Option(help: "The shared data directory (default: ../shared beside the repository).")
    var shared: String = "../shared"

    @Option(help: "The wxens binary (default: beside this one).")
    var wxens: String?

    @Option(help: "Python with xarray, netCDF4, scoringrules, numba (default: $WXENS_PYTHON, else .venv-peers/bin/python).")
    var python: String?

    @Option(help: "Peer script.")
    var peerScript: String = "scripts/peers/verify_pipeline_peer.py"

    func run() throws {
        let py = try PeerPython.resolve(python)
        let exe = wxens ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("wxens").path
        guard FileManager.default.isExecutableFile(atPath: exe) else { throw ValidationError("no wxens binary at \(exe) (swift build -c release)") }
        let truth = URL(fileURLWithPath: shared).appendingPathComponent("data/perfect-model/truth.nc").path
        guard FileManager.default.fileExists(atPath: truth) else { throw ValidationError("no truth at \(truth) (pass --shared)") }
        guard inits >= 1, rounds >= 1, threads >= 1 else { throw ValidationError("--inits, --rounds and --threads must be positive") }
        let temp = FileManager.default.temporaryDirectory.appendingPathComponent("wxens-bench-vp-\(getpid())")
        let dir = keepFiles.map { URL(fileURLWithPath: $0) } ?? temp
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: temp, withIntermediateDirectories: true)
        defer {
            try? FileManager.default.removeItem(at: temp)
            if keepFiles == nil { try? FileManager.default.removeItem(at: dir) }
        }
        print("load average at start: \(Self.loadAverage())")
        print("wxens: \(exe), threads \(threads); peer: \(py) \(peerScript)")
        var table: [String] = []
        for kind in kinds.split(separator: ",").map(String.init) {
            guard kind == "float32" || kind == "int16" else { throw ValidationError("unknown kind '\(kind)': float32 or int16") }
            let file = dir.appendingPathComponent("forecast_\(kind)_\(inits).nc").path
            if !FileManager.default.fileExists(atPath: file) {
                print("making \(file) ...")
                let args = ["scripts/bench/make_large_forecast.py", file, "\(inits)", shared] + (kind == "int16" ? ["--int16"] : [])
                let r = try Self.child(py, args, env: [:], stdout: temp.appendingPathComponent("make.out").path)
                guard r.status == 0 else { throw ValidationError("making \(file) failed: \(r.stderr)") }
            }
            let fileBytes = (try FileManager.default.attributesOfItem(atPath: URL(fileURLWithPath: file).resolvingSymlinksInPath().path)[.size] as? NSNumber)?.doubleValue ?? .nan
            // Decoded volume: inits x 31 members x 3 leads x 7 variables x 96 x 48 points as float32.
            let dataMB = Double(inits * 31 * 3 * 7 * 96 * 48 * 4) / 1e6
            Self.warm(file)
            Self.warm(truth)
            var ours: [Run] = [], peers: [Run] = []
            var check = ""
            for r in 0..<rounds {
                let out = temp.appendingPathComponent("out-\(kind)-\(r)").path
                var o: Run? = nil, p: Run? = nil
                for side in (r % 2 == 0 ? [0, 1] : [1, 0]) {
                    if side == 0 { o = try runOurs(exe, file, truth, out, temp) } else { p = try runPeer(py, file, truth, temp) }
                }
                ours.append(o!); peers.append(p!)
                check = try compare(scoresCSV: URL(fileURLWithPath: out).appendingPathComponent("scores.csv").path, peer: p!.scores)
                try? FileManager.default.removeItem(atPath: out)
                print(String(format: "  %@ round %d: wxens %.2f s (%.0f MiB), peer %.2f s inside the script, %.2f s wall (%.0f MiB)",
                             kind, r, o!.seconds, o!.peakMiB, p!.seconds, p!.wall, p!.peakMiB))
            }
            let ob = ours.map(\.seconds).min()!, pb = peers.map(\.seconds).min()!
            let perRound = zip(ours, peers).map { $1.seconds / $0.seconds }.sorted()
            let median = perRound[perRound.count / 2]
            print("  check: \(check)")
            print("  peer versions: \(peers.last!.versions)")
            table.append("| \(kind == "float32" ? "float32, uncompressed" : "int16 CF-packed, shuffle+zlib 6") | \(inits) | "
                + String(format: "%.0f | %.0f | %.2f | %.0f | %.0f | %.2f | %.0f | %.0f | %.1fx | %.1fx |",
                         fileBytes / 1e6, dataMB, ob, dataMB / ob, ours.map(\.peakMiB).max()!, pb, dataMB / pb,
                         peers.map(\.peakMiB).max()!, pb / ob, median))
        }
        print("load average at end: \(Self.loadAverage())")
        print("")
        print("| file | inits | file MB | data MB (float32) | wxens s | wxens MB/s | wxens peak RSS MiB | peer s | peer MB/s | peer peak RSS MiB | ratio (best/best) | median per-round ratio |")
        print("|---|---|---|---|---|---|---|---|---|---|---|---|")
        for row in table { print(row) }
    }

    struct Run { var seconds: Double; var wall: Double; var peakMiB: Double; var scores: [String: Double]; var versions: String }

    func runOurs(_ exe: String, _ file: String, _ truth: String, _ out: String, _ temp: URL) throws -> Run {
        var args = ["verify", "--forecast", file, "--truth", truth, "--out", out, "--no-figures", "--quiet"]
        if let m = maxMemory { args += ["--max-memory", m] }
        let r = try Self.child(exe, args, env: ["WXENS_THREADS": "\(threads)"], stdout: temp.appendingPathComponent("wxens.out").path)
        guard r.status == 0 else { throw ValidationError("wxens verify failed (status \(r.status)): \(r.stderr)") }
        return Run(seconds: r.seconds, wall: r.seconds, peakMiB: r.maxRSSkB / 1024, scores: [:], versions: "")
    }

    func runPeer(_ py: String, _ file: String, _ truth: String, _ temp: URL) throws -> Run {
        let t = "\(threads)"
        let outPath = temp.appendingPathComponent("peer.out").path
        let r = try Self.child(py, [peerScript, file, truth],
                               env: ["NUMBA_NUM_THREADS": t, "OMP_NUM_THREADS": t, "OPENBLAS_NUM_THREADS": t, "MKL_NUM_THREADS": t],
                               stdout: outPath)
        guard r.status == 0, let data = FileManager.default.contents(atPath: outPath),
              let obj = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let seconds = (obj["seconds"] as? NSNumber)?.doubleValue, let sc = obj["scores"] as? [String: Any] else {
            throw ValidationError("the peer failed (status \(r.status)): \(r.stderr)")
        }
        var scores: [String: Double] = [:]
        for (k, v) in sc { if let x = (v as? NSNumber)?.doubleValue { scores[k] = x } }
        let versions = (obj["versions"] as? [String: Any]).map { $0.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") } ?? "?"
        return Run(seconds: seconds, wall: r.seconds, peakMiB: r.maxRSSkB / 1024, scores: scores, versions: versions)
    }

    /// Compares the scorecard's CRPS, RMSE and spread with the peer's; throws when one differs by more than 1e-6 relative.
    func compare(scoresCSV path: String, peer: [String: Double]) throws -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw ValidationError("no \(path)") }
        var ours: [String: Double] = [:]
        for line in text.split(whereSeparator: \.isNewline).dropFirst() {
            let f = line.split(separator: ",").map(String.init)
            guard f.count == 4, let v = Double(f[3]) else { continue }
            ours["\(f[0])/\(f[1])/\(f[2])"] = v
        }
        // Our metric names for the peer's, the published (WeatherBench2) names first: there `crps` is the fair
        // estimator, and the peer's scoringrules `crps_ensemble` is the standard one, `crps_standard`.
        let names = ["crps": ["crps_standard", "crps"], "rmse": ["ensemble_mean_rmse", "rmse"], "spread": ["ensemble_stddev", "spread"]]
        var worst = 0.0, compared = 0
        var where_ = ""
        for (key, value) in peer {
            let parts = key.split(separator: "/").map(String.init)
            guard parts.count == 3, let candidates = names[parts[2]],
                  let mine = candidates.lazy.compactMap({ ours["\(parts[0])/\(parts[1])/\($0)"] }).first else {
                throw ValidationError("the scorecard has no \(key)")
            }
            let rel = abs(mine - value) / max(abs(value), 1e-300)
            compared += 1
            if rel > worst { worst = rel; where_ = "\(key): wxens \(mine), peer \(value)" }
        }
        guard compared > 0 else { throw ValidationError("the peer returned no scores") }
        let verdict = String(format: "%d scores (crps, rmse, spread), worst relative difference %.1e (%@)", compared, worst, where_)
        guard worst <= 1e-6 else { throw ValidationError("scores differ from the peer's beyond 1e-6 relative: \(verdict)") }
        return verdict + " <= 1e-6: ok"
    }

    /// Reads a file once so that both sides find it in the page cache.
    static func warm(_ path: String) {
        guard let h = FileHandle(forReadingAtPath: path) else { return }
        while let d = try? h.read(upToCount: 1 << 24), !d.isEmpty {}
        try? h.close()
    }

    static func loadAverage() -> String {
        (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
    }

    /// Runs a child to completion: wall seconds, its own peak RSS (wait4), exit status and stderr.
    static func child(_ exe: String, _ args: [String], env extra: [String: String], stdout: String)
        throws -> (seconds: Double, maxRSSkB: Double, status: Int32, stderr: String) {
        var env = ProcessInfo.processInfo.environment
        for (k, v) in extra { env[k] = v }
        let errPath = stdout + ".err"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv = ([exe] + args).map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { argv.forEach { free($0) }; envp.forEach { free($0) } }
        var pid: pid_t = 0
        let t0 = DispatchTime.now().uptimeNanoseconds
        let rc = posix_spawnp(&pid, exe, &actions, nil, argv, envp)
        guard rc == 0 else { throw ValidationError("cannot start \(exe): \(String(cString: strerror(rc)))") }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        let code: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        let err = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        return (seconds, Double(usage.ru_maxrss), code, String(err.suffix(2000)))
    }
}
