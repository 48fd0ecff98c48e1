import Foundation
import WXCore
import WXIO

/// `wxens reforecast run RUNDIR --shard I`: the tasks of one shard in order, each written as its own CF file under
/// RUNDIR/parts (temporary name, then rename) followed by its done marker; a task whose part is intact is skipped.
public struct ReforecastTaskRunner {
    /// The plan.
    public let manifest: ReforecastManifest
    /// RUNDIR's layout.
    public let paths: ReforecastPaths
    /// The generator.
    public let source: any ReforecastMemberSource

    /// Reads and checks RUNDIR's manifest and loads its generator (all checks before any work).
    public init(rundir: String) throws {
        manifest = try ReforecastManifest.read(rundir)
        paths = ReforecastPaths(rundir)
        try paths.create()
        source = try manifest.config.generator.source(for: manifest.config)
        guard source.layout.initTimes.count > (manifest.tasks.map(\.initIndex).max() ?? 0),
              manifest.tasks.allSatisfy({ abs(source.layout.initTimes[$0.initIndex] - $0.initTime) < 1e-6 }) else {
            throw ReforecastError.partMismatch(path: manifest.config.input, reason: "its init times changed since the plan")
        }
    }

    /// What a shard run did.
    public struct Summary: Sendable, Equatable {
        /// Tasks generated and tasks skipped as already done.
        public var generated: [String], skipped: [String]
    }

    /// Runs shard `shard`: skips done tasks, redoes missing or corrupt ones; `log` gets one line per task.
    public func run(shard: Int, log: (String) -> Void = { _ in }) throws -> Summary {
        guard shard >= 0 && shard < manifest.config.shards else { throw ReforecastError.noSuchShard(shard: shard, shards: manifest.config.shards) }
        var summary = Summary(generated: [], skipped: [])
        for task in manifest.tasks(ofShard: shard) {
            let state = manifest.state(of: task.id, paths: paths)
            if state == .done {
                summary.skipped.append(task.id)
                log("\(task.id) \(task.initDate): already done")
                continue
            }
            removeStaleTemporaries(of: task.id)
            try? FileManager.default.removeItem(atPath: paths.marker(task.id))
            let start = Date()
            let times = try Self.writePart(source: source, manifest: manifest, task: task, members: manifest.config.members,
                                           path: paths.part(task.id))
            if let truth = manifest.config.verifyTruth { try verify(task: task.id, truth: truth) }
            let seconds = Date().timeIntervalSince(start)
            try ReforecastPartMarker.write(task: task.id, paths: paths, configHash: manifest.configHash,
                                           members: manifest.config.members, seconds: seconds, times: times)
            summary.generated.append(task.id)
            log("\(task.id) \(task.initDate): \(manifest.config.members) members in \(String(format: "%.1f", seconds)) s "
                + String(format: "(generate %.2f s, %.2f s CPU; write %.2f s, %.2f s CPU; %d threads)", times.generateSeconds,
                         times.generateCPUSeconds, times.writeSeconds, times.writeCPUSeconds, times.threads)
                + (state == .corrupt ? " (redone: the old part was corrupt)" : ""))
        }
        return summary
    }

    /// Writes the part of `task` with members 0..<`members` to `path` (atomically: CFEnsembleWriter renames at the end);
    /// returns the time spent generating and writing.
    @discardableResult
    public static func writePart(source: any ReforecastMemberSource, manifest: ReforecastManifest, task: ReforecastManifest.Task,
                                 members: Int, path: String) throws -> ReforecastTaskTimes {
        var times = ReforecastTaskTimes(threads: Parallel.threads)
        var mark = ReforecastTaskTimes.Instant.now()
        let layout = source.layout
        var global = source.globalAttributes(seed: manifest.config.seed)
        global.extra["wxens_reforecast_task"] = .string(task.id)
        global.extra["wxens_reforecast_config_hash"] = .string(manifest.configHash)
        let writer = try CFEnsembleWriter(path: path, members: Array(0..<members), times: layout.timeAxis([task.initTime]),
                                          leadTimeHours: manifest.leadHours, latitudes: layout.latitudes, longitudes: layout.longitudes,
                                          variables: layout.variables, global: global)
        mark = times.add(generating: false, from: mark)
        do {
            let p = layout.latitudes.count * layout.longitudes.count, nV = layout.variables.count, nL = manifest.leadIndices.count
            var plane = [Float](repeating: 0, count: nL * p)
            try source.members(ofInit: task.initIndex, count: members, leads: manifest.leadIndices, seed: manifest.config.seed,
                               batchSize: manifest.config.batchSize) { k, values in
                let made = times.add(generating: true, from: mark)
                for (vi, v) in layout.variables.enumerated() {
                    for l in 0..<nL { for q in 0..<p { plane[l * p + q] = values[(l * nV + vi) * p + q] } }
                    try writer.write(member: k, variable: v.name, values: plane)
                }
                mark = times.add(generating: false, from: made)
            }
            let made = times.add(generating: true, from: mark)
            try writer.finish()
            times.add(generating: false, from: made)
            return times
        } catch {
            writer.discard()
            throw error
        }
    }

    /// Verifies the task's part against `truth`, writing RUNDIR/verify/<task> (scores and partials.json, no figures).
    func verify(task: String, truth: String) throws {
        let dir = paths.verify(task)
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        _ = try VerifyOutputs.verify(VerifyOptions(forecastPath: paths.part(task), truthPath: truth, outDirectory: dir,
                                                   writePartials: true, writeFigures: false, quiet: true))
    }

    /// Removes temporary files of `task`'s part left by a process that no longer runs (killed mid-write).
    func removeStaleTemporaries(of task: String) {
        let prefix = ".\(task).nc.tmp-"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: paths.parts) else { return }
        for name in names where name.hasPrefix(prefix) {
            let pid = Int32(name.dropFirst(prefix.count).split(separator: "-").first ?? "") ?? 0
            if pid <= 0 || (kill(pid, 0) != 0 && errno == ESRCH) { try? FileManager.default.removeItem(atPath: paths.parts + "/" + name) }
        }
    }
}
