import Foundation
import WXCore

/// The plan of a reforecast, `RUNDIR/manifest.json`: every task (one init time) with its shard, the resolved
/// configuration, its hash and the wxens version, so that a run can be checked and resumed.
public struct ReforecastManifest: Codable, Sendable, Equatable {
    /// One init time of the reforecast.
    public struct Task: Codable, Sendable, Equatable {
        /// Name of its files under parts/ (`t0000`, ...).
        public var id: String
        /// Index of the init in the input file (keys the diffusion's random streams; the VAE's are keyed by its time).
        public var initIndex: Int
        /// The init time in the input's units, and as ISO 8601.
        public var initTime: Double, initDate: String
        /// The shard that runs it.
        public var shard: Int

        enum CodingKeys: String, CodingKey {
            case id, shard
            case initIndex = "init_index", initTime = "init_time", initDate = "init_date"
        }
    }

    /// Format tag checked on reading.
    public var format = "wxens-reforecast-manifest"
    /// Format version.
    public var version = 1
    /// The wxens that planned it.
    public var wxensVersion: String
    /// FNV-1a 64 of the resolved configuration.
    public var configHash: String
    /// The resolved configuration (absolute paths, checkpoint filled in).
    public var config: ReforecastConfig
    /// Input lead indices and hours of the parts.
    public var leadIndices: [Int], leadHours: [Double]
    /// Variables of the parts.
    public var variables: [String]
    /// The tasks in init-time order.
    public var tasks: [Task]

    enum CodingKeys: String, CodingKey {
        case format, version, config, variables, tasks
        case wxensVersion = "wxens_version", configHash = "config_hash", leadIndices = "lead_indices", leadHours = "lead_hours"
    }

    /// The manifest's file name in RUNDIR.
    public static let fileName = "manifest.json"

    /// Tasks of shard `s`, in init-time order.
    public func tasks(ofShard s: Int) -> [Task] { tasks.filter { $0.shard == s } }

    /// The shard of the j-th task (round robin, so shards get neighbouring init times in turn and similar loads).
    public static func shard(ofTask j: Int, shards: Int) -> Int { j % shards }

    /// Writes `RUNDIR/manifest.json` atomically.
    public func write(to rundir: String) throws {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try enc.encode(self), to: URL(fileURLWithPath: rundir).appendingPathComponent(Self.fileName))
    }

    /// Reads RUNDIR's manifest and checks it is intact (its config hashes to its hash) and from this wxens version.
    public static func read(_ rundir: String) throws -> ReforecastManifest {
        let path = URL(fileURLWithPath: rundir).appendingPathComponent(fileName).path
        guard let data = FileManager.default.contents(atPath: path) else { throw ReforecastError.noManifest(rundir: rundir, reason: "no \(fileName)") }
        let m: ReforecastManifest
        do { m = try JSONDecoder().decode(ReforecastManifest.self, from: data) } catch {
            throw ReforecastError.noManifest(rundir: rundir, reason: "\(fileName) is unreadable: \(error)")
        }
        guard m.format == "wxens-reforecast-manifest", m.version == 1 else {
            throw ReforecastError.noManifest(rundir: rundir, reason: "format \(m.format) version \(m.version) is not wxens-reforecast-manifest 1")
        }
        guard m.config.hash == m.configHash else {
            throw ReforecastError.configMismatch(rundir: rundir, planned: m.configHash, given: m.config.hash + " (manifest edited?)")
        }
        guard m.wxensVersion == WXCore.wxensVersion else {
            throw ReforecastError.versionMismatch(rundir: rundir, planned: m.wxensVersion, running: WXCore.wxensVersion)
        }
        return m
    }
}
