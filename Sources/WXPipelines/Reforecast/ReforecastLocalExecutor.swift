import Foundation
import WXCore

/// `wxens reforecast run RUNDIR --workers N`: the shards with missing tasks run as child processes of this same
/// executable (`reforecast run RUNDIR --shard I`), at most N at a time, with one progress line on a terminal.
public enum ReforecastLocalExecutor {
    /// This process's executable (/proc/self/exe where there is one, else argv[0]).
    public static func currentExecutable() -> String {
        if let p = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return p }
        return URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
    }

    /// Runs every shard that has a task not done with `workers` processes of `executable`; each child gets
    /// cores / workers threads (unless WXENS_THREADS is set) and logs to RUNDIR/logs/shard-I.{out,err}.
    /// Throws `shardsFailed` naming the shards whose process failed, after the others finished.
    public static func run(rundir: String, workers: Int, executable: String = currentExecutable(), quiet: Bool) throws {
        guard workers >= 1 else { throw ReforecastError.badValue(name: "--workers", reason: "must be at least 1, is \(workers)") }
        let manifest = try ReforecastManifest.read(rundir)
        let paths = ReforecastPaths(rundir)
        try paths.create()
        let states = Dictionary(uniqueKeysWithValues: manifest.tasks.map {
            ($0.id, manifest.state(of: $0.id, paths: paths))
        })
        var queue = (0..<manifest.config.shards).filter { s in manifest.tasks(ofShard: s).contains { states[$0.id] != .done } }
        let startDone = states.values.filter { $0 == .done }.count
        var env = ProcessInfo.processInfo.environment
        if env["WXENS_THREADS"] == nil { env["WXENS_THREADS"] = String(max(1, Parallel.threads / min(workers, max(1, queue.count)))) }
        let progress = ReforecastProgress(total: manifest.tasks.count, alreadyDone: startDone, members: manifest.config.members,
                                          enabled: !quiet && isatty(STDERR_FILENO) == 1)
        var running: [(shard: Int, process: Process)] = []
        var failed: [(shard: Int, status: Int32)] = []
        func countDone() -> Int { manifest.tasks.filter { FileManager.default.fileExists(atPath: paths.marker($0.id)) }.count }

        while !queue.isEmpty || !running.isEmpty {
            while running.count < workers, !queue.isEmpty {
                let s = queue.removeFirst()
                running.append((s, try launch(executable: executable, rundir: rundir, shard: s, env: env, paths: paths)))
            }
            usleep(100_000)
            running.removeAll { shard, p in
                guard !p.isRunning else { return false }
                let exitPath = paths.logs + "/shard-\(shard).exit"
                if p.terminationStatus != 0 || p.terminationReason != .exit {
                    let code = p.terminationReason == .exit ? p.terminationStatus : 128 + p.terminationStatus
                    failed.append((shard, code))
                    try? AtomicFile.write(Data("\(code)\n".utf8), to: URL(fileURLWithPath: exitPath))
                } else {
                    try? FileManager.default.removeItem(atPath: exitPath)
                }
                return true
            }
            progress.show(done: countDone())
        }
        progress.finish(done: countDone())
        if !failed.isEmpty {
            let detail = failed.map { s, code in
                "shard \(s) exited with \(code): " + ReforecastStatus.tail(of: paths.log(shard: s).err, lines: 3).joined(separator: " | ")
            }.joined(separator: "; ")
            throw ReforecastError.shardsFailed(rundir: rundir, shards: failed.map(\.shard).sorted(), detail: detail)
        }
    }

    /// Starts one child running shard `shard`, its output appended to the shard's logs.
    static func launch(executable: String, rundir: String, shard: Int, env: [String: String], paths: ReforecastPaths) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = ["reforecast", "run", rundir, "--shard", String(shard)]
        p.environment = env
        let logs = paths.log(shard: shard)
        for path in [logs.out, logs.err] where !FileManager.default.fileExists(atPath: path) {
            _ = FileManager.default.createFile(atPath: path, contents: nil)
        }
        guard let out = FileHandle(forWritingAtPath: logs.out), let err = FileHandle(forWritingAtPath: logs.err) else {
            throw ReforecastError.badValue(name: "logs", reason: "cannot open \(logs.out) or \(logs.err) for writing")
        }
        out.seekToEndOfFile()
        err.seekToEndOfFile()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        do { try p.run() } catch {
            throw ReforecastError.commandFailed(command: executable, status: -1, output: "cannot start: \(error)")
        }
        return p
    }
}
