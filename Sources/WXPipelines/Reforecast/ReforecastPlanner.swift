import Foundation
import WXCore

/// `wxens reforecast plan`: checks a configuration against its model and input, writes the manifest in RUNDIR and
/// estimates the cost from a calibration run of one member.
public enum ReforecastPlanner {
    /// The manifest a resolved configuration gives (checks everything; reads no member data).
    public static func manifest(for config: ReforecastConfig) throws -> (ReforecastManifest, any ReforecastMemberSource) {
        try config.validateValues()
        let source = try config.generator.source(for: config)
        if let truth = config.verifyTruth, !FileManager.default.fileExists(atPath: truth) {
            throw ReforecastError.missingInput(path: truth)
        }
        let layout = source.layout
        let units: CFTimeUnits
        do { units = try CFTimeUnits(units: "hours since \(layout.timeReference)", calendar: layout.calendar) } catch {
            throw ReforecastError.badValue(name: "input", reason: "\(config.input): init-time units: \(error)")
        }
        let inits = try source.initIndices(config.initTimes, units: units, input: config.input)
        guard !inits.isEmpty else { throw ReforecastError.badValue(name: "init_times", reason: "selects no init time of \(config.input)") }
        guard config.shards <= inits.count else {
            throw ReforecastError.badValue(name: "shards", reason: "\(config.shards) shards for \(inits.count) init times; use at most \(inits.count)")
        }
        let leadIndices = try (config.leadTimes ?? layout.leadHours).map { h -> Int in
            guard let i = layout.leadHours.firstIndex(where: { abs($0 - h) < 1e-6 }) else {
                throw ReforecastError.leadTimeOutsideInput(hours: h, input: config.input, available: layout.leadHours)
            }
            return i
        }.sorted()
        let tasks = inits.enumerated().map { j, i in
            ReforecastManifest.Task(id: String(format: "t%04d", j), initIndex: i, initTime: layout.initTimes[i],
                                    initDate: (try? units.date(layout.initTimes[i]).iso8601) ?? "\(layout.initTimes[i])",
                                    shard: ReforecastManifest.shard(ofTask: j, shards: config.shards))
        }
        let m = ReforecastManifest(wxensVersion: wxensVersion, configHash: config.hash, config: config, leadIndices: leadIndices,
                                   leadHours: leadIndices.map { layout.leadHours[$0] }, variables: layout.variables.map(\.name),
                                   tasks: tasks)
        return (m, source)
    }

    /// Plans into `rundir`: refuses a RUNDIR planned from another configuration, keeps an identical plan, else writes
    /// the manifest; with `calibrate`, times one member of the first task and returns the estimate (also in estimate.json).
    public static func plan(_ config: ReforecastConfig, rundir: String, calibrate: Bool) throws -> (ReforecastManifest, ReforecastEstimate?) {
        let (manifest, source) = try manifest(for: config)
        let paths = ReforecastPaths(rundir)
        if FileManager.default.fileExists(atPath: rundir + "/" + ReforecastManifest.fileName) {
            let old = try ReforecastManifest.read(rundir)
            guard old.configHash == manifest.configHash else {
                throw ReforecastError.configMismatch(rundir: rundir, planned: old.configHash, given: manifest.configHash)
            }
        }
        try paths.create()
        try manifest.write(to: rundir)
        guard calibrate else { return (manifest, nil) }
        let estimate = try calibrateOne(manifest, source: source, paths: paths)
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try enc.encode(estimate), to: URL(fileURLWithPath: rundir).appendingPathComponent("estimate.json"))
        return (manifest, estimate)
    }

    /// Generates and writes one member of the first task into a scratch directory, timing it.
    static func calibrateOne(_ m: ReforecastManifest, source: any ReforecastMemberSource, paths: ReforecastPaths) throws -> ReforecastEstimate {
        let dir = paths.rundir + "/calibration"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let task = m.tasks[0], path = dir + "/\(task.id).nc"
        let start = Date()
        try ReforecastTaskRunner.writePart(source: source, manifest: m, task: task, members: 1, path: path)
        let seconds = Date().timeIntervalSince(start)
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        let perShard = (0..<m.config.shards).map { m.tasks(ofShard: $0).count }.max() ?? 0
        return ReforecastEstimate(secondsPerMember: seconds, threads: Parallel.threads, peakMemoryBytes: ReforecastEstimate.peakResidentBytes(),
                                  bytesPerMember: Double(size), tasks: m.tasks.count, members: m.config.members,
                                  shards: m.config.shards, maxTasksPerShard: perShard)
    }
}
