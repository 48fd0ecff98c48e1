import ArgumentParser
import Foundation
import WXCore
import WXPipelines

/// `wxens-bench reforecast`: init-member-leads per second of `wxens reforecast` with 1 and 2 local workers and
/// through Slurm with 2 array tasks, against the single-process `wxens generate` over the same inits.
///
/// Every variant runs the wxens executable as a child process on the same input (all its inits), members, sampler
/// steps and seed, so the numbers include process start, model loading and file writing.
struct ReforecastBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reforecast",
        abstract: "wxens reforecast with 1 and 2 local workers and on Slurm against the wxens generate loop.")

    @Option(help: "The wxens executable (default: the one beside wxens-bench).") var wxens: String?
    @Option(help: "Seeds file; every init is one task.") var input: String = "data/sample/seeds.nc"
    @Option(help: "Model directory.") var checkpoint: String = "data/models/seeds-gee"
    @Option(help: "Members per init.") var members: Int = 4
    @Option(help: "Sampler steps.") var steps: Int = 10
    @Option(help: "Shards of the reforecast runs.") var shards: Int = 2
    @Flag(help: "Skip the Slurm variant even when sbatch is present.") var noSlurm = false

    func run() throws {
        let exe = wxens ?? URL(fileURLWithPath: ReforecastLocalExecutor.currentExecutable()).deletingLastPathComponent()
            .appendingPathComponent("wxens").path
        guard FileManager.default.isExecutableFile(atPath: exe) else { throw ValidationError("no wxens executable at \(exe) (give --wxens)") }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wxens-bench-reforecast-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = ReforecastConfig(generator: .gee, checkpoint: checkpoint, input: input, members: members, seed: 1,
                                      shards: shards, samplerSteps: steps).resolved { _ in checkpoint }
        let (manifest, _) = try ReforecastPlanner.manifest(for: config)
        let work = Double(manifest.tasks.count * members * manifest.leadHours.count)
        let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
        print("load average at start: \(load); \(ProcessInfo.processInfo.activeProcessorCount) CPUs")
        print("\(manifest.tasks.count) inits x \(members) members x \(manifest.leadHours.count) leads of \(input), \(steps) sampler steps, \(shards) shards")
        print("variant                      wall s   init-member-leads/s   vs generate")

        var generateRate = Double.nan
        func report(_ name: String, _ seconds: Double) {
            let rate = work / seconds
            if generateRate.isNaN { generateRate = rate }
            print(name.padding(toLength: 26, withPad: " ", startingAt: 0) + String(format: " %8.2f %21.3f %12.2fx", seconds, rate, rate / generateRate))
        }
        func timed(_ args: [String], env: [String: String] = [:]) throws -> Double {
            let start = Date()
            let r = try Self.run(exe, args, env: env)
            guard r.status == 0 else { throw ValidationError("wxens \(args.joined(separator: " ")) failed: \(r.output)") }
            return Date().timeIntervalSince(start)
        }
        report("wxens generate (1 process)", try timed(["generate", "--seeds", input, "--checkpoint", checkpoint, "--members", "\(members)",
                                                         "--steps", "\(steps)", "--seed", "1", "--out", dir.appendingPathComponent("g.nc").path, "--quiet"]))
        var local: [Int: Double] = [:]
        for workers in [1, 2] {
            let rundir = dir.appendingPathComponent("w\(workers)").path
            _ = try ReforecastPlanner.plan(config, rundir: rundir, calibrate: false)
            local[workers] = try timed(["reforecast", "run", rundir, "--workers", "\(workers)", "--quiet"])
            report("reforecast, \(workers) worker\(workers > 1 ? "s" : "")", local[workers]!)
            if workers == 2 { print(String(format: "  outside the tasks' generation (start, model load, scheduling): %.2f s", local[2]! - longestTask(rundir))) }
        }
        print(String(format: "2 workers / 1 worker: %.2fx (goal >= 1.8x)", local[1]! / local[2]!))

        guard !noSlurm, SlurmCommands.available("sbatch"), (try? SlurmCommands.run("sinfo", ["-h"]))?.status == 0 else {
            print("slurm: skipped (no sbatch or no cluster answering sinfo)")
            return
        }
        let rundir = dir.appendingPathComponent("slurm").path
        _ = try ReforecastPlanner.plan(config, rundir: rundir, calibrate: false)
        let threads = max(1, ProcessInfo.processInfo.activeProcessorCount / shards)
        let start = Date()
        let s = try Self.run(exe, ["reforecast", "submit", rundir, "--cpus-per-task", "\(threads)"], env: [:])
        guard s.status == 0 else { throw ValidationError("submit failed: \(s.output)") }
        let ids = SlurmSubmitter.readJobs(rundir).map(\.jobID).joined(separator: ",")
        while true {
            let q = try SlurmCommands.run("squeue", ["-h", "-j", ids, "-o", "%i"])
            if q.status != 0 || q.output.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { break }
            usleep(100_000)
        }
        let wall = Date().timeIntervalSince(start)
        let done = try ReforecastStatus.collect(rundir: rundir).count(.done)
        guard done == manifest.tasks.count else { throw ValidationError("slurm run finished with \(done) of \(manifest.tasks.count) tasks done") }
        report("slurm, \(shards) array tasks", wall)
        // The array tasks run side by side, so what the wall adds to the longest task's generation is the overhead.
        print(String(format: "  outside the tasks' generation (sbatch, scheduling, start, model load): %.2f s (goal < 2 s per array task)",
                     wall - longestTask(rundir)))
    }

    /// The longest generation time of one task of a finished run (from the done markers).
    func longestTask(_ rundir: String) -> Double {
        guard let m = try? ReforecastManifest.read(rundir) else { return .nan }
        return m.tasks.compactMap { ReforecastPartMarker.read(task: $0.id, paths: ReforecastPaths(rundir))?.seconds }.max() ?? .nan
    }

    /// Runs `exe args`, returning its status and its stdout and stderr together.
    static func run(_ exe: String, _ args: [String], env: [String: String]) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        p.environment = ProcessInfo.processInfo.environment.merging(env) { $1 }
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
