import ArgumentParser
import Foundation
import WXCore
import WXPipelines

/// `wxens-bench reforecast`: init-member-leads per second of `wxens reforecast` with 1 and 2 local workers and
/// through Slurm with 2 array tasks, against the single-process `wxens generate` (diffusion) and `wxens forecast`
/// (VAE) over the same inits.
///
/// Every variant runs the wxens executable as a child process on the same input, inits, members, leads and seed, so
/// the numbers include process start, model loading and file writing. One worker runs at 1 thread and at all cores;
/// two workers at cores / 2 threads each: 2 workers against 1 worker at 1 thread each is the workers' scaling (the
/// goal), against 1 worker at all cores is processes against threads on the same cores.
struct ReforecastBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reforecast",
        abstract: "wxens reforecast with 1 and 2 local workers and on Slurm against wxens generate / wxens forecast.")

    /// Which generators to run.
    enum Generators: String, ExpressibleByArgument { case all, diffusion, vae }

    @Option(help: "The wxens executable (default: the one beside wxens-bench).") var wxens: String?
    @Option(help: "Generators: all, diffusion or vae.") var generators: Generators = .all
    @Option(help: "Diffusion: seeds file; every init is one task.") var input: String = "data/sample/seeds.nc"
    @Option(help: "Diffusion: model directory.") var checkpoint: String = "data/models/seeds-gee"
    @Option(help: "Diffusion: members per init.") var members: Int = 4
    @Option(help: "Diffusion: sampler steps.") var steps: Int = 10
    @Option(name: .customLong("initial-conditions"), help: "VAE: initial-conditions file (time, latitude, longitude).")
    var initialConditions: String = "../shared/data/perfect-model/truth.nc"
    @Option(name: .customLong("vae-checkpoint"), help: "VAE: model directory.") var vaeCheckpoint: String = "data/models/fuxi-vae-rollout"
    @Option(name: .customLong("vae-inits"), help: "VAE: init times, comma-separated ISO 8601 (each one task).")
    var vaeInits: String = "2000-09-22,2000-09-27,2000-10-02,2000-10-07"
    @Option(name: .customLong("vae-members"), help: "VAE: members per init.") var vaeMembers: Int = 4
    @Option(name: .customLong("vae-lead-times"), help: "VAE: lead times in hours, comma-separated.") var vaeLeadTimes: String = "24,72,120"
    @Option(help: "Shards of the reforecast runs (and Slurm array tasks).") var shards: Int = 2
    @Flag(help: "Skip the Slurm variant even when sbatch is present.") var noSlurm = false

    /// One timed run: elapsed seconds and the CPU seconds of all its processes (nil where they are not ours: Slurm).
    struct Timing { var wall: Double, cpu: Double? }

    func run() throws {
        setvbuf(stdout, nil, _IOLBF, 0)  // rows appear as they are measured, also when the output is a file
        let exe = wxens ?? URL(fileURLWithPath: ReforecastLocalExecutor.currentExecutable()).deletingLastPathComponent()
            .appendingPathComponent("wxens").path
        guard FileManager.default.isExecutableFile(atPath: exe) else { throw ValidationError("no wxens executable at \(exe) (give --wxens)") }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wxens-bench-reforecast-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let cores = ProcessInfo.processInfo.activeProcessorCount
        print("load average at start: \(Self.loadAverage()); \(cores) CPUs")
        let slurm = !noSlurm && SlurmCommands.available("sbatch") && (try? SlurmCommands.run("sinfo", ["-h"]))?.status == 0
        if !slurm { print("slurm: skipped (--no-slurm, no sbatch or no cluster answering sinfo)") }

        if generators != .vae {
            let config = ReforecastConfig(generator: .gee, checkpoint: checkpoint, input: input, members: members, seed: 1,
                                          shards: shards, samplerSteps: steps).resolved { _ in checkpoint }
            try compare(config, label: "diffusion (gee), \(steps) sampler steps, input \(input)", exe: exe, dir: dir.appendingPathComponent("gee"),
                        slurm: slurm, baselineName: "wxens generate") { out, _ in
                ["generate", "--seeds", input, "--checkpoint", checkpoint, "--members", "\(members)", "--steps", "\(steps)", "--seed", "1",
                 "--out", out, "--quiet"]
            }
        }
        if generators != .diffusion {
            let leads = try vaeLeadTimes.split(separator: ",").map { s -> Double in
                guard let h = Double(s.trimmingCharacters(in: .whitespaces)) else { throw ValidationError("--vae-lead-times: '\(s)' is not a number") }
                return h
            }
            let inits = vaeInits.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            let config = ReforecastConfig(generator: .vae, checkpoint: vaeCheckpoint, input: initialConditions, initTimes: .list(inits),
                                          members: vaeMembers, leadTimes: leads, seed: 1, shards: shards).resolved { _ in vaeCheckpoint }
            try compare(config, label: "vae, input \(initialConditions)", exe: exe, dir: dir.appendingPathComponent("vae"), slurm: slurm,
                        baselineName: "wxens forecast") { out, manifest in
                ["forecast", "--initial-conditions", initialConditions, "--checkpoint", vaeCheckpoint, "--members", "\(vaeMembers)",
                 "--lead-times", vaeLeadTimes, "--init-times", manifest.tasks.map(\.initDate).joined(separator: ","), "--seed", "1",
                 "--out", out, "--quiet"]
            }
        }
    }

    /// Times the baseline (`baseline(out, manifest)`'s arguments), the local runs and the Slurm run of `config`, and
    /// prints the rates, the scaling ratios and where the tasks' time went.
    func compare(_ config: ReforecastConfig, label: String, exe: String, dir: URL, slurm: Bool, baselineName: String,
                 baseline: (String, ReforecastManifest) -> [String]) throws {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let (manifest, _) = try ReforecastPlanner.manifest(for: config)
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let work = Double(manifest.tasks.count * config.members * manifest.leadHours.count)
        print("\n== \(label): \(manifest.tasks.count) inits x \(config.members) members x \(manifest.leadHours.count) leads, \(config.shards) shards")
        print("variant                                wall s   CPU s   init-member-leads/s   vs \(baselineName)")
        var baseRate = Double.nan
        func report(_ name: String, _ t: Timing) {
            let rate = work / t.wall
            if baseRate.isNaN { baseRate = rate }
            let cpu = t.cpu.map { String(format: "%.2f", $0) } ?? "-"
            print(name.padding(toLength: 36, withPad: " ", startingAt: 0) + String(format: " %8.2f ", t.wall)
                  + String(repeating: " ", count: max(0, 7 - cpu.count)) + cpu + String(format: " %21.3f %12.2fx", rate, rate / baseRate))
        }
        report("\(baselineName) (1 process, \(cores) thr)", try timed(exe, baseline(dir.appendingPathComponent("baseline.nc").path, manifest)))

        // (workers, threads per worker): one worker at 1 thread and at all cores, then 2 workers sharing the cores.
        let variants = (cores > 1 ? [(1, 1), (1, cores)] : [(1, 1)]) + [(2, max(1, cores / 2))]
        var local: [String: (Timing, String)] = [:]
        for (workers, threads) in variants {
            let key = "\(workers)x\(threads)", rundir = dir.appendingPathComponent("w" + key).path
            _ = try ReforecastPlanner.plan(config, rundir: rundir, calibrate: false)
            let t = try timed(exe, ["reforecast", "run", rundir, "--workers", "\(workers)", "--quiet"], env: ["WXENS_THREADS": "\(threads)"])
            local[key] = (t, rundir)
            report("reforecast, \(workers) worker\(workers > 1 ? "s" : "") x \(threads) thr", t)
        }
        var slurmRun: (Timing, String)? = nil
        if slurm {
            let rundir = dir.appendingPathComponent("slurm").path
            _ = try ReforecastPlanner.plan(config, rundir: rundir, calibrate: false)
            let t = try slurmTimed(exe, rundir: rundir, cpusPerTask: max(1, cores / config.shards), tasks: manifest.tasks.count)
            slurmRun = (t, rundir)
            report("slurm, \(config.shards) array tasks x \(max(1, cores / config.shards)) CPU", t)
        }
        let two = "2x\(max(1, cores / 2))"
        if let a = local["1x1"]?.0.wall, let b = local[two]?.0.wall {
            print(String(format: "2 workers / 1 worker at 1 thread each (the workers' scaling; goal >= 1.8x): %.2fx", a / b))
        }
        if let a = local["1x\(cores)"]?.0.wall, let b = local[two]?.0.wall {
            print(String(format: "2 workers x %d thr / 1 worker x %d thr (the same %d cores: processes against threads): %.2fx",
                         max(1, cores / 2), cores, cores, a / b))
        }

        // Where the time went, from the done markers (process CPU over each span, all threads) and outside the tasks.
        print("components (sums over tasks, from the done markers; outside = wall minus the busiest worker's tasks):")
        print("variant                   generate s  gen CPU s   write s  write CPU s   outside s")
        var rows = variants.compactMap { w, t in local["\(w)x\(t)"].map { ("\(w) worker\(w > 1 ? "s" : "") x \(t) thr", w, $0) } }
        if let s = slurmRun { rows.append(("slurm", config.shards, s)) }
        for (name, workers, run) in rows {
            let c = Self.components(run.1, workers: workers)
            print(name.padding(toLength: 24, withPad: " ", startingAt: 0)
                  + String(format: " %11.2f %10.2f %9.2f %12.2f %11.2f", c.generate, c.generateCPU, c.write, c.writeCPU, run.0.wall - c.busiest))
        }
        if let rundir = local[two]?.1 {
            // A shard with nothing left to do: process start, manifest, model and input loading, the done checks.
            let t = try timed(exe, ["reforecast", "run", rundir, "--shard", "0", "--quiet"], env: ["WXENS_THREADS": "1"])
            print(String(format: "start-up of one worker process (a shard run with every task done): %.2f s, %.2f s CPU", t.wall, t.cpu ?? .nan))
        }
    }

    /// Sums of the tasks' generate and write times of a finished run, and the busiest worker's task seconds (all
    /// tasks for one worker; the largest shard's for as many workers as shards).
    static func components(_ rundir: String, workers: Int)
        -> (generate: Double, generateCPU: Double, write: Double, writeCPU: Double, busiest: Double) {
        guard let m = try? ReforecastManifest.read(rundir) else { return (.nan, .nan, .nan, .nan, .nan) }
        let paths = ReforecastPaths(rundir)
        var c = (generate: 0.0, generateCPU: 0.0, write: 0.0, writeCPU: 0.0, busiest: 0.0)
        var perShard = [Double](repeating: 0, count: m.config.shards)
        for task in m.tasks {
            guard let marker = ReforecastPartMarker.read(task: task.id, paths: paths), let t = marker.times else { return (.nan, .nan, .nan, .nan, .nan) }
            c.generate += t.generateSeconds
            c.generateCPU += t.generateCPUSeconds
            c.write += t.writeSeconds
            c.writeCPU += t.writeCPUSeconds
            perShard[task.shard] += marker.seconds
        }
        c.busiest = workers == 1 ? perShard.reduce(0, +) : perShard.max() ?? 0
        return c
    }

    /// Submits the run to Slurm and waits for the array to leave the queue.
    func slurmTimed(_ exe: String, rundir: String, cpusPerTask: Int, tasks: Int) throws -> Timing {
        let start = Date()
        let s = try Self.run(exe, ["reforecast", "submit", rundir, "--cpus-per-task", "\(cpusPerTask)"], env: [:])
        guard s.status == 0 else { throw ValidationError("submit failed: \(s.output)") }
        let ids = SlurmSubmitter.readJobs(rundir).map(\.jobID).joined(separator: ",")
        while true {
            let q = try SlurmCommands.run("squeue", ["-h", "-j", ids, "-o", "%i"])
            if q.status != 0 || q.output.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { break }
            usleep(100_000)
        }
        let wall = Date().timeIntervalSince(start)
        let done = try ReforecastStatus.collect(rundir: rundir).count(.done)
        guard done == tasks else { throw ValidationError("slurm run finished with \(done) of \(tasks) tasks done") }
        return Timing(wall: wall, cpu: nil)
    }

    /// Runs `exe args` to success, timing it; the CPU is that of the child and every process it waited for.
    func timed(_ exe: String, _ args: [String], env: [String: String] = [:]) throws -> Timing {
        let cpu0 = Self.childrenCPU(), start = Date()
        let r = try Self.run(exe, args, env: env)
        let wall = Date().timeIntervalSince(start)
        guard r.status == 0 else { throw ValidationError("wxens \(args.joined(separator: " ")) failed: \(r.output)") }
        return Timing(wall: wall, cpu: Self.childrenCPU() - cpu0)
    }

    /// User + system CPU seconds of this process's waited-for descendants.
    static func childrenCPU() -> Double {
        var u = rusage()
        getrusage(__rusage_who_t(RUSAGE_CHILDREN.rawValue), &u)
        return Double(u.ru_utime.tv_sec) + Double(u.ru_utime.tv_usec) * 1e-6 + Double(u.ru_stime.tv_sec) + Double(u.ru_stime.tv_usec) * 1e-6
    }

    /// The 1, 5 and 15 minute load averages.
    static func loadAverage() -> String {
        (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
    }

    /// Runs `exe args` (without this environment's WXENS_THREADS unless `env` sets it), returning its status and its
    /// stdout and stderr together.
    static func run(_ exe: String, _ args: [String], env: [String: String]) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        var environment = ProcessInfo.processInfo.environment
        environment["WXENS_THREADS"] = nil
        p.environment = environment.merging(env) { $1 }
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
