import Foundation
import WXCore

/// `wxens reforecast status`: each task's state from the manifest, the markers, leftover temporaries, the local
/// executor's exit records and, where the run was submitted to Slurm, the scheduler's view of its array tasks.
public struct ReforecastStatus: Sendable {
    /// The state of one task.
    public enum State: String, Sendable, CaseIterable {
        /// Part and marker intact.
        case done
        /// Being written by a live process on this host, or its shard's array task is running.
        case running
        /// Its shard's process or array task failed (or was cancelled) before it was done.
        case failed
        /// A marker whose part is truncated, corrupt or from another plan (redone by the next run).
        case corrupt
        /// Not started, or interrupted (a temporary file of a dead process is left).
        case pending
    }

    /// One task's line.
    public struct Task: Sendable {
        /// The task, its shard and init date.
        public var id: String, shard: Int, initDate: String
        /// Its state.
        public var state: State
    }

    /// Every task in plan order.
    public var tasks: [Task]
    /// The failed shards with the tail of their error logs.
    public var failedShards: [(shard: Int, logTail: [String])]
    /// What Slurm said (empty without Slurm or a submission).
    public var schedulerNote: String

    /// Collects the state of RUNDIR (`slurm` gives array-task states by shard when the run was submitted).
    public static func collect(rundir: String, slurm: [Int: SlurmJobState] = [:], schedulerNote: String = "") throws -> ReforecastStatus {
        let manifest = try ReforecastManifest.read(rundir)
        let paths = ReforecastPaths(rundir)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: paths.parts)) ?? []
        var liveWriters = Set<String>()
        for name in names where name.hasPrefix(".t") && name.contains(".nc.tmp-") {
            let task = String(name.dropFirst().prefix { $0 != "." })
            let pid = Int32(name.components(separatedBy: ".nc.tmp-").last?.split(separator: "-").first ?? "") ?? 0
            if pid > 0 && kill(pid, 0) == 0 { liveWriters.insert(task) }
        }
        var failedShards = Set<Int>()
        for s in 0..<manifest.config.shards {
            if FileManager.default.fileExists(atPath: paths.logs + "/shard-\(s).exit") { failedShards.insert(s) }
            if let j = slurm[s], j.isFailure { failedShards.insert(s) }
            if let j = slurm[s], j.isActive { failedShards.remove(s) }
        }
        var tasks: [Task] = []
        for t in manifest.tasks {
            var state: State
            switch manifest.state(of: t.id, paths: paths) {
            case .done: state = .done
            case .corrupt: state = .corrupt
            case .missing: state = .pending
            }
            if state != .done {
                if liveWriters.contains(t.id) || slurm[t.shard]?.isRunning == true { state = .running }
                else if failedShards.contains(t.shard) { state = .failed }
            }
            tasks.append(Task(id: t.id, shard: t.shard, initDate: t.initDate, state: state))
        }
        let failedWithTasks = failedShards.filter { s in tasks.contains { $0.shard == s && $0.state == .failed } }.sorted()
        return ReforecastStatus(tasks: tasks, failedShards: failedWithTasks.map { ($0, tail(of: paths.log(shard: $0).err, lines: 5)) },
                                schedulerNote: schedulerNote)
    }

    /// Count of tasks in each state.
    public func count(_ s: State) -> Int { tasks.filter { $0.state == s }.count }

    /// Shards that still have a task not done.
    public var incompleteShards: [Int] { Array(Set(tasks.filter { $0.state != .done }.map(\.shard))).sorted() }

    /// A short report: the counts, the tasks not done, the failed shards with their log tails.
    public var text: String {
        var lines = ["tasks: \(tasks.count) total, " + State.allCases.map { "\(count($0)) \($0.rawValue)" }.joined(separator: ", ")]
        if !schedulerNote.isEmpty { lines.append(schedulerNote) }
        for t in tasks where t.state != .done { lines.append("  \(t.id) \(t.initDate) shard \(t.shard): \(t.state.rawValue)") }
        for (s, tail) in failedShards {
            lines.append("shard \(s) failed; last lines of its error log:")
            lines += tail.map { "    " + $0 }
        }
        return lines.joined(separator: "\n")
    }

    /// The last `lines` non-empty lines of a text file (none when it cannot be read).
    public static func tail(of path: String, lines: Int) -> [String] {
        guard let s = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return Array(s.split(whereSeparator: { $0 == "\n" || $0 == "\r" }).map(String.init).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.suffix(lines))
    }
}
