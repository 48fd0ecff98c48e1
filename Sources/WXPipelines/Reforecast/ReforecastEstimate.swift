import Foundation

/// What a planned reforecast will cost, extrapolated from a calibration run of one member of one init.
public struct ReforecastEstimate: Codable, Sendable, Equatable {
    /// Wall seconds for one member of one init (all leads) with `threads` threads.
    public var secondsPerMember: Double
    /// Threads the calibration used.
    public var threads: Int
    /// Peak resident memory of the calibrating process (bytes): about what each worker needs.
    public var peakMemoryBytes: Int
    /// Bytes of part file per member.
    public var bytesPerMember: Double
    /// Tasks, members per task, shards, and the most tasks any shard has.
    public var tasks: Int, members: Int, shards: Int, maxTasksPerShard: Int

    enum CodingKeys: String, CodingKey {
        case threads, tasks, members, shards
        case secondsPerMember = "seconds_per_member", peakMemoryBytes = "peak_memory_bytes", bytesPerMember = "bytes_per_member"
        case maxTasksPerShard = "max_tasks_per_shard"
    }

    /// Core-hours of the whole reforecast.
    public var coreHours: Double { secondsPerMember * Double(members * tasks * threads) / 3600 }
    /// Wall seconds of the longest shard, each shard given `threads` cores.
    public var wallSecondsPerShard: Double { secondsPerMember * Double(members * maxTasksPerShard) }
    /// Bytes of all parts (and about the merged file).
    public var outputBytes: Double { bytesPerMember * Double(members * tasks) }

    /// The estimate as a few lines of text.
    public var text: String {
        func bytes(_ b: Double) -> String {
            b >= 1_073_741_824 ? String(format: "%.2f GiB", b / 1_073_741_824) : String(format: "%.1f MiB", b / 1_048_576)
        }
        func duration(_ s: Double) -> String {
            let t = Int(s.rounded(.up))
            return String(format: "%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60)
        }
        return """
        calibration: one member of one init in \(String(format: "%.2f", secondsPerMember)) s on \(threads) threads
        estimate: \(tasks) tasks x \(members) members = \(tasks * members) init-members, \(String(format: "%.3f", coreHours)) core-hours
        wall per shard: \(duration(wallSecondsPerShard)) (\(maxTasksPerShard) tasks of the \(shards) shards' largest, \(threads) cores each)
        peak memory per worker: \(bytes(Double(peakMemoryBytes)))
        output: \(bytes(outputBytes)) of parts (the merged file is about the same)
        """
    }

    /// The peak resident memory of this process so far (VmHWM), 0 where /proc is absent.
    public static func peakResidentBytes() -> Int {
        guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in s.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kb = line.split(separator: " ").compactMap { Int($0) }.first ?? 0
            return kb * 1024
        }
        return 0
    }
}
