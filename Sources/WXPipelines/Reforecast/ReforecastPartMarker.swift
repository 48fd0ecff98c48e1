import Foundation
import WXCore

/// The done marker of a task, `parts/<task>.done.json`: written after its part file is in place, with the part's
/// size and checksum, so a rerun can tell an intact part from a truncated or corrupted one.
public struct ReforecastPartMarker: Codable, Sendable, Equatable {
    /// The task.
    public var task: String
    /// The part's size in bytes and FNV-1a 64 checksum.
    public var bytes: Int, checksum: String
    /// The plan's config hash.
    public var configHash: String
    /// Members written.
    public var members: Int
    /// Seconds the task took, the host and process that ran it.
    public var seconds: Double, host: String, pid: Int32
    /// Where the time went (absent in markers of earlier versions).
    public var times: ReforecastTaskTimes?

    enum CodingKeys: String, CodingKey {
        case task, bytes, checksum, members, seconds, host, pid, times
        case configHash = "config_hash"
    }

    /// Records a finished part.
    public static func write(task: String, paths: ReforecastPaths, configHash: String, members: Int, seconds: Double,
                             times: ReforecastTaskTimes? = nil) throws {
        guard let sum = FNV1a64.file(paths.part(task)) else {
            throw ReforecastError.partMismatch(path: paths.part(task), reason: "the part just written cannot be read")
        }
        let m = ReforecastPartMarker(task: task, bytes: sum.bytes, checksum: sum.hex, configHash: configHash, members: members,
                                     seconds: seconds, host: ProcessInfo.processInfo.hostName, pid: getpid(), times: times)
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try enc.encode(m), to: URL(fileURLWithPath: paths.marker(task)))
    }

    /// The marker of `task`, if there is a readable one.
    public static func read(task: String, paths: ReforecastPaths) -> ReforecastPartMarker? {
        guard let data = FileManager.default.contents(atPath: paths.marker(task)) else { return nil }
        return try? JSONDecoder().decode(ReforecastPartMarker.self, from: data)
    }

    /// How a task's files stand.
    public enum State: String, Sendable {
        /// Marker and part agree (size, checksum, config).
        case done
        /// No marker.
        case missing
        /// A marker whose part is absent, of another size or checksum, or from another plan.
        case corrupt
    }

    /// Checks `task`'s part against its marker (reads the whole part to checksum it); with `partials`, its
    /// verification partials must be there too.
    public static func state(task: String, paths: ReforecastPaths, configHash: String, partials: Bool = false) -> State {
        guard let m = read(task: task, paths: paths) else {
            return FileManager.default.fileExists(atPath: paths.marker(task)) ? .corrupt : .missing
        }
        guard m.task == task, m.configHash == configHash, let sum = FNV1a64.file(paths.part(task)),
              sum.bytes == m.bytes, sum.hex == m.checksum else { return .corrupt }
        if partials && !FileManager.default.fileExists(atPath: paths.verify(task) + "/" + VerificationPartials.fileName) { return .corrupt }
        return .done
    }
}

extension ReforecastManifest {
    /// The state of a task of this plan in RUNDIR (`paths`).
    public func state(of task: String, paths: ReforecastPaths) -> ReforecastPartMarker.State {
        ReforecastPartMarker.state(task: task, paths: paths, configHash: configHash, partials: config.verifyTruth != nil)
    }
}
