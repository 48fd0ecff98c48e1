import Foundation

/// Why a reforecast cannot be planned, run, merged or submitted; raised before any work where it can be.
public enum ReforecastError: Error, CustomStringConvertible, Equatable {
    /// The configuration file is missing or cannot be decoded.
    case badConfig(path: String, reason: String)
    /// An option or configuration value is out of range.
    case badValue(name: String, reason: String)
    /// The generator's checkpoint does not exist.
    case missingCheckpoint(path: String)
    /// The input file does not exist.
    case missingInput(path: String)
    /// An init time asked for is not in the input file.
    case initTimeOutsideInput(time: String, input: String, available: String)
    /// A lead time asked for is not in the input file.
    case leadTimeOutsideInput(hours: Double, input: String, available: [Double])
    /// RUNDIR was planned from another configuration.
    case configMismatch(rundir: String, planned: String, given: String)
    /// RUNDIR was planned by another wxens version.
    case versionMismatch(rundir: String, planned: String, running: String)
    /// RUNDIR has no readable manifest.
    case noManifest(rundir: String, reason: String)
    /// A shard index is outside the plan.
    case noSuchShard(shard: Int, shards: Int)
    /// Parts are missing or corrupt (merge refuses).
    case partsMissing(rundir: String, tasks: [String])
    /// A part does not match the manifest.
    case partMismatch(path: String, reason: String)
    /// Workers or array tasks failed.
    case shardsFailed(rundir: String, shards: [Int], detail: String)
    /// An external command (sbatch, squeue, ...) failed.
    case commandFailed(command: String, status: Int32, output: String)

    /// One readable line.
    public var description: String {
        switch self {
        case let .badConfig(p, r): return "\(p): \(r)"
        case let .badValue(n, r): return "\(n): \(r)"
        case let .missingCheckpoint(p): return "\(p): no such checkpoint (the generator's model directory)"
        case let .missingInput(p): return "\(p): no such input file"
        case let .initTimeOutsideInput(t, i, a): return "\(i): init time \(t) is not in the input (it has \(a))"
        case let .leadTimeOutsideInput(h, i, a): return "\(i): lead time \(h) h is not in the input (it has \(a))"
        case let .configMismatch(r, p, g):
            return "\(r): planned from another configuration (config hash \(p), this one is \(g)); use a new RUNDIR"
        case let .versionMismatch(r, p, v): return "\(r): planned with wxens \(p), this is wxens \(v); plan again in a new RUNDIR"
        case let .noManifest(r, why): return "\(r): no reforecast manifest (\(why)); run wxens reforecast plan first"
        case let .noSuchShard(s, n): return "shard \(s) does not exist (the plan has shards 0..<\(n))"
        case let .partsMissing(r, t):
            let shown = t.prefix(10).joined(separator: ", ") + (t.count > 10 ? ", ... (\(t.count) in all)" : "")
            return "\(r): tasks not done or corrupt: \(shown); run the missing shards first"
        case let .partMismatch(p, r): return "\(p): \(r)"
        case let .shardsFailed(r, s, d): return "\(r): shards \(s.map(String.init).joined(separator: ",")) failed\(d.isEmpty ? "" : ": " + d)"
        case let .commandFailed(c, s, o): return "\(c) exited with status \(s)\(o.isEmpty ? "" : ": " + o)"
        }
    }
}
