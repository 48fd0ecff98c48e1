import Foundation
import WXCore

/// `wxens reforecast submit`: a Slurm job array over the shards that still have missing tasks (one array index per
/// shard, `%K` throttle, logs under RUNDIR/logs), submitted with sbatch; job ids are kept in RUNDIR/slurm/jobs.json.
public enum SlurmSubmitter {
    /// Options of the job array.
    public struct Options: Sendable {
        /// Partition (nil: the cluster's default).
        public var partition: String?
        /// Most array tasks running at once (`%K`).
        public var maxConcurrent: Int?
        /// Time limit HH:MM:SS per array task.
        public var time: String?
        /// CPUs per array task (WXENS_THREADS in the job).
        public var cpusPerTask: Int
        /// Further `#SBATCH` lines' arguments (e.g. `--account=x`).
        public var extra: [String]

        /// Options.
        public init(partition: String? = nil, maxConcurrent: Int? = nil, time: String? = nil, cpusPerTask: Int = 1, extra: [String] = []) {
            self.partition = partition
            self.maxConcurrent = maxConcurrent
            self.time = time
            self.cpusPerTask = cpusPerTask
            self.extra = extra
        }
    }

    /// One submission.
    public struct Job: Codable, Sendable, Equatable {
        /// The Slurm job id of the array.
        public var jobID: String
        /// The shards it runs.
        public var shards: [Int]
        /// When it was submitted (ISO 8601 UTC).
        public var submitted: String

        enum CodingKeys: String, CodingKey { case shards, submitted, jobID = "job_id" }
    }

    /// The sbatch script for `shards` of RUNDIR (absolute paths; `executable` runs `reforecast run --shard-from-env`).
    public static func script(rundir: String, shards: [Int], options: Options, executable: String, configHash: String) throws -> String {
        guard !shards.isEmpty else { throw ReforecastError.badValue(name: "shards", reason: "no shard has missing tasks: nothing to submit") }
        if let k = options.maxConcurrent, k < 1 { throw ReforecastError.badValue(name: "--max-concurrent", reason: "must be at least 1") }
        guard options.cpusPerTask >= 1 else { throw ReforecastError.badValue(name: "--cpus-per-task", reason: "must be at least 1") }
        if let t = options.time, t.range(of: #"^(\d+-)?\d{1,2}(:\d{2}){0,2}$"#, options: .regularExpression) == nil {
            throw ReforecastError.badValue(name: "--time", reason: "'\(t)' is not a Slurm time such as 01:30:00")
        }
        let dir = URL(fileURLWithPath: rundir).standardizedFileURL.path
        let logs = ReforecastPaths(dir).logs
        var lines = ["#!/bin/bash",
                     "#SBATCH --job-name=wxens-rf-\(configHash.prefix(8))",
                     "#SBATCH --array=\(shards.map(String.init).joined(separator: ","))" + (options.maxConcurrent.map { "%\($0)" } ?? ""),
                     "#SBATCH --output=\(logs)/shard-%a.out",
                     "#SBATCH --error=\(logs)/shard-%a.err",
                     "#SBATCH --open-mode=append",
                     "#SBATCH --ntasks=1",
                     "#SBATCH --cpus-per-task=\(options.cpusPerTask)"]
        if let p = options.partition { lines.append("#SBATCH --partition=\(p)") }
        if let t = options.time { lines.append("#SBATCH --time=\(t)") }
        lines += options.extra.map { "#SBATCH \($0)" }
        lines += ["",
                  "# One array index per shard; a rerun skips the shard's tasks already done. A failure (or scancel: SIGTERM)",
                  "# leaves logs/shard-I.exit for `wxens reforecast status`; success removes it.",
                  "export WXENS_THREADS=\"${SLURM_CPUS_PER_TASK:-\(options.cpusPerTask)}\"",
                  "record=\(shellQuote(logs))/shard-${SLURM_ARRAY_TASK_ID}.exit",
                  "trap 'code=143' TERM",
                  "echo \"$(date -u +%FT%TZ) shard ${SLURM_ARRAY_TASK_ID} job ${SLURM_ARRAY_JOB_ID} on $(hostname -s)\"",
                  "\(shellQuote(executable)) reforecast run \(shellQuote(dir)) --shard-from-env",
                  "code=${code:-$?}",
                  "if [ \"$code\" -ne 0 ]; then echo \"$code\" > \"$record.tmp\" && mv \"$record.tmp\" \"$record\"; else rm -f \"$record\"; fi",
                  "exit \"$code\"", ""]
        return lines.joined(separator: "\n")
    }

    /// Writes the script to RUNDIR/slurm/reforecast-<n>.sbatch, submits it with `sbatch --parsable` and records the job.
    public static func submit(rundir: String, shards: [Int], options: Options, executable: String, configHash: String) throws -> Job {
        let text = try script(rundir: rundir, shards: shards, options: options, executable: executable, configHash: configHash)
        let paths = ReforecastPaths(rundir)
        try FileManager.default.createDirectory(atPath: paths.slurm, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: paths.logs, withIntermediateDirectories: true)
        var jobs = readJobs(rundir)
        let scriptPath = paths.slurm + "/reforecast-\(jobs.count).sbatch"
        try AtomicFile.write(Data(text.utf8), to: URL(fileURLWithPath: scriptPath))
        let r = try SlurmCommands.run("sbatch", ["--parsable", scriptPath])
        guard r.status == 0 else { throw ReforecastError.commandFailed(command: "sbatch", status: r.status, output: r.output) }
        let id = String(r.output.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ";").first ?? "")
        guard !id.isEmpty, id.allSatisfy(\.isNumber) else {
            throw ReforecastError.commandFailed(command: "sbatch", status: r.status, output: "no job id in '\(r.output)'")
        }
        let job = Job(jobID: id, shards: shards, submitted: ISO8601DateFormatter().string(from: Date()))
        jobs.append(job)
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try enc.encode(jobs), to: URL(fileURLWithPath: paths.slurm + "/jobs.json"))
        return job
    }

    /// The jobs submitted for RUNDIR so far, oldest first.
    public static func readJobs(_ rundir: String) -> [Job] {
        guard let data = FileManager.default.contents(atPath: ReforecastPaths(rundir).slurm + "/jobs.json") else { return [] }
        return (try? JSONDecoder().decode([Job].self, from: data)) ?? []
    }

    /// The latest Slurm state of each shard's array task (squeue for live ones, then sacct), with a one-line note;
    /// empty when nothing was submitted or Slurm's commands are absent.
    public static func states(rundir: String) -> ([Int: SlurmJobState], String) {
        let jobs = readJobs(rundir)
        guard !jobs.isEmpty else { return ([:], "") }
        guard SlurmCommands.available("squeue") || SlurmCommands.available("sacct") else {
            return ([:], "slurm: jobs \(jobs.map(\.jobID).joined(separator: ",")) submitted, but squeue/sacct are not on PATH")
        }
        var states: [Int: SlurmJobState] = [:]
        for job in jobs {  // later jobs overwrite earlier ones' states for the same shard
            var seen: [Int: SlurmJobState] = [:]
            if SlurmCommands.available("sacct"),
               let r = try? SlurmCommands.run("sacct", ["-n", "-P", "-X", "-j", job.jobID, "-o", "JobID,State"]), r.status == 0 {
                for line in r.output.split(separator: "\n") {
                    let f = line.split(separator: "|", omittingEmptySubsequences: false)
                    guard f.count >= 2, let s = shardIndex(String(f[0]), job: job.jobID) else { continue }
                    seen[s] = SlurmJobState(slurm: String(f[1]))
                }
            }
            if SlurmCommands.available("squeue"),
               let r = try? SlurmCommands.run("squeue", ["-h", "-r", "-j", job.jobID, "-o", "%i %T"]), r.status == 0 {
                for line in r.output.split(separator: "\n") {
                    let f = line.split(separator: " ")
                    guard f.count >= 2, let s = shardIndex(String(f[0]), job: job.jobID) else { continue }
                    seen[s] = SlurmJobState(slurm: String(f[1]))
                }
            }
            for (s, st) in seen { states[s] = st }
        }
        let note = "slurm: jobs " + jobs.map(\.jobID).joined(separator: ",") + "; " + (states.isEmpty
            ? "no array task queued or running (finished ones are known only where sacct has accounting)"
            : "array tasks " + ["pending", "running", "completed", "failed"].map { w in
                "\(states.values.filter { $0.rawValue == w }.count) \(w)" }.joined(separator: ", "))
        return (states, note)
    }

    /// The shard of an array task id `JOB_INDEX` of job `job` (nil for other jobs, steps and unexpanded ranges).
    static func shardIndex(_ id: String, job: String) -> Int? {
        let parts = id.split(separator: "_")
        guard parts.count == 2, parts[0] == job else { return nil }
        return Int(parts[1])
    }

    /// Quotes a word for a POSIX shell.
    static func shellQuote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}
