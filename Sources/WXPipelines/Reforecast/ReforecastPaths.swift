import Foundation

/// Where a reforecast's files live inside RUNDIR.
public struct ReforecastPaths: Sendable {
    /// The run directory.
    public let rundir: String

    /// Paths inside `rundir`.
    public init(_ rundir: String) { self.rundir = rundir }

    /// RUNDIR/parts.
    public var parts: String { rundir + "/parts" }
    /// RUNDIR/logs.
    public var logs: String { rundir + "/logs" }
    /// RUNDIR/slurm (script and job records).
    public var slurm: String { rundir + "/slurm" }
    /// The part file of a task.
    public func part(_ id: String) -> String { parts + "/\(id).nc" }
    /// The done marker of a task.
    public func marker(_ id: String) -> String { parts + "/\(id).done.json" }
    /// RUNDIR/verify: one `wxens verify --partials` directory per task when the plan verifies.
    public var verify: String { rundir + "/verify" }
    /// The verification directory of a task.
    public func verify(_ id: String) -> String { verify + "/\(id)" }
    /// The log files of a shard.
    public func log(shard: Int) -> (out: String, err: String) { (logs + "/shard-\(shard).out", logs + "/shard-\(shard).err") }

    /// Creates the directories.
    public func create() throws {
        for d in [rundir, parts, logs] { try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true) }
    }
}
