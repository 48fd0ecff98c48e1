import ArgumentParser
import Foundation
import WXCore
import WXPipelines

/// `wxens reforecast`: batch reforecasts planned once, run in shards on this machine or as a Slurm job array, merged.
struct ReforecastCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reforecast",
        abstract: "Batch reforecasts: plan, run shards locally or on Slurm, follow and merge them.",
        subcommands: [ReforecastPlanCommand.self, ReforecastRunCommand.self, ReforecastSubmitCommand.self,
                      ReforecastStatusCommand.self, ReforecastMergeCommand.self])
}

/// `wxens reforecast plan`: the manifest in RUNDIR and a cost estimate from a one-member calibration.
struct ReforecastPlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "plan", abstract: "Check a reforecast config, write RUNDIR/manifest.json and estimate the cost.")

    @Option(help: "Reforecast config (YAML or JSON).") var config: String
    @Option(help: "Run directory.") var out: String
    @Flag(name: .customLong("no-calibrate"), help: "Skip the one-member calibration run (no estimate).") var noCalibrate = false

    func run() throws {
        do {
            let c = try ReforecastConfig.read(config).resolved { kind in
                kind == .vae ? EmbeddedModels.path(named: EmbeddedModels.vae) : EmbeddedModels.path(kind == .gpp ? .gpp : .gee)
            }
            let (m, estimate) = try ReforecastPlanner.plan(c, rundir: out, calibrate: !noCalibrate)
            print("planned \(c.generator.rawValue) reforecast: \(m.tasks.count) tasks (\(m.tasks.first!.initDate) .. \(m.tasks.last!.initDate)) x \(c.members) members, "
                  + "leads \(m.leadHours.map { String(format: "%g", $0) }.joined(separator: ",")) h, \(c.shards) shards, config hash \(m.configHash)")
            print("checkpoint: \(c.checkpoint ?? "-")")
            print("manifest: \(out)/\(ReforecastManifest.fileName)")
            if let e = estimate { print(e.text) }
        } catch {
            throw failWith(error)
        }
    }
}

/// `wxens reforecast run`: one shard, all shards in this process, or all shards with N local worker processes.
struct ReforecastRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Run a shard (--shard, --shard-from-env) or all shards (--workers N).")

    @Argument(help: "Run directory made by `wxens reforecast plan`.") var rundir: String
    @Option(help: "The shard to run.") var shard: Int?
    @Flag(name: .customLong("shard-from-env"), help: "Take the shard from SLURM_ARRAY_TASK_ID.") var shardFromEnv = false
    @Option(help: "Run all shards with this many local worker processes.") var workers: Int?
    @Flag(help: "No progress output.") var quiet = false

    func validate() throws {
        let modes = [shard != nil, shardFromEnv, workers != nil].filter { $0 }.count
        guard modes <= 1 else { throw ValidationError("give at most one of --shard, --shard-from-env and --workers") }
    }

    func run() throws {
        do {
            if let n = workers {
                try ReforecastLocalExecutor.run(rundir: rundir, workers: n, quiet: quiet)
                return
            }
            var shards: [Int]
            if let s = shard {
                shards = [s]
            } else if shardFromEnv {
                guard let text = ProcessInfo.processInfo.environment["SLURM_ARRAY_TASK_ID"], let s = Int(text) else {
                    throw ReforecastError.badValue(name: "--shard-from-env", reason: "SLURM_ARRAY_TASK_ID is not set to a shard index")
                }
                shards = [s]
            } else {
                shards = []
            }
            let start = ReforecastTaskTimes.Instant.now()
            let runner = try ReforecastTaskRunner(rundir: rundir)
            let loaded = ReforecastTaskTimes.Instant.now()
            if !quiet {
                FileHandle.standardError.write(Data(String(format: "model and input loaded in %.2f s (%.2f s CPU; %.2f s CPU since the process started)\n",
                                                           loaded.wall - start.wall, loaded.cpu - start.cpu, loaded.cpu).utf8))
            }
            if shards.isEmpty { shards = Array(0..<runner.manifest.config.shards) }
            for s in shards {
                let summary = try runner.run(shard: s) { line in
                    if !quiet { FileHandle.standardError.write(Data("shard \(s): \(line)\n".utf8)) }
                }
                if !quiet {
                    FileHandle.standardError.write(Data("shard \(s): \(summary.generated.count) tasks generated, \(summary.skipped.count) already done\n".utf8))
                }
            }
        } catch {
            throw failWith(error)
        }
    }
}

/// `wxens reforecast submit`: a Slurm job array over the shards with missing tasks.
struct ReforecastSubmitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "submit", abstract: "Submit the shards with missing tasks as a Slurm job array.")

    @Argument(help: "Run directory made by `wxens reforecast plan`.") var rundir: String
    @Option(help: "Slurm partition.") var partition: String?
    @Option(name: .customLong("max-concurrent"), help: "Most array tasks running at once (%K).") var maxConcurrent: Int?
    @Option(help: "Time limit per array task, HH:MM:SS.") var time: String?
    @Option(name: .customLong("cpus-per-task"), help: "CPUs per array task.") var cpusPerTask: Int = 1
    @Flag(name: .customLong("dry-run"), help: "Print the sbatch script, submit nothing.") var dryRun = false

    func run() throws {
        do {
            let manifest = try ReforecastManifest.read(rundir)
            let (slurm, _) = SlurmSubmitter.states(rundir: rundir)
            let status = try ReforecastStatus.collect(rundir: rundir, slurm: slurm)
            let shards = status.incompleteShards.filter { slurm[$0]?.isActive != true }
            let options = SlurmSubmitter.Options(partition: partition, maxConcurrent: maxConcurrent, time: time, cpusPerTask: cpusPerTask)
            let exe = ReforecastLocalExecutor.currentExecutable()
            if dryRun {
                print(try SlurmSubmitter.script(rundir: rundir, shards: shards, options: options, executable: exe, configHash: manifest.configHash),
                      terminator: "")
                return
            }
            let job = try SlurmSubmitter.submit(rundir: rundir, shards: shards, options: options, executable: exe, configHash: manifest.configHash)
            print("submitted job \(job.jobID): shards \(job.shards.map(String.init).joined(separator: ","))")
        } catch {
            throw failWith(error)
        }
    }
}

/// `wxens reforecast status`: tasks done / running / failed / corrupt / pending.
struct ReforecastStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show the tasks' states (and Slurm's, when submitted).")

    @Argument(help: "Run directory.") var rundir: String

    func run() throws {
        do {
            let (slurm, note) = SlurmSubmitter.states(rundir: rundir)
            print(try ReforecastStatus.collect(rundir: rundir, slurm: slurm, schedulerNote: note).text)
        } catch {
            throw failWith(error)
        }
    }
}

/// `wxens reforecast merge`: all parts into one CF file (init_time, member, lead_time, latitude, longitude).
struct ReforecastMergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "merge", abstract: "Merge the parts into one reforecast-layout CF file.")

    @Argument(help: "Run directory.") var rundir: String
    @Option(help: "Output CF file.") var out: String

    func run() throws {
        do {
            try ReforecastMerger.merge(rundir: rundir, out: out)
        } catch {
            throw failWith(error)
        }
    }
}
