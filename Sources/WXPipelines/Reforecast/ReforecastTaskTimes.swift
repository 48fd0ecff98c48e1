import Foundation

/// Where one task's time went: making the members and writing its part, elapsed and as CPU seconds of the whole
/// process (all its threads), so how runs scale with workers and threads can be judged on a loaded machine too.
public struct ReforecastTaskTimes: Codable, Sendable, Equatable {
    /// Elapsed seconds generating the members and writing them (file creation, compression, rename).
    public var generateSeconds = 0.0, writeSeconds = 0.0
    /// CPU seconds of the process over the same spans.
    public var generateCPUSeconds = 0.0, writeCPUSeconds = 0.0
    /// The kernels' thread count.
    public var threads = 1

    enum CodingKeys: String, CodingKey {
        case threads
        case generateSeconds = "generate_seconds", writeSeconds = "write_seconds"
        case generateCPUSeconds = "generate_cpu_seconds", writeCPUSeconds = "write_cpu_seconds"
    }

    /// No time yet.
    public init(threads: Int = 1) { self.threads = threads }

    /// An instant on both clocks.
    public struct Instant: Sendable {
        /// Monotonic and process-CPU seconds.
        public var wall: Double, cpu: Double

        /// Now.
        public static func now() -> Instant {
            var w = timespec(), c = timespec()
            clock_gettime(CLOCK_MONOTONIC, &w)
            clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c)
            return Instant(wall: Double(w.tv_sec) + Double(w.tv_nsec) * 1e-9, cpu: Double(c.tv_sec) + Double(c.tv_nsec) * 1e-9)
        }
    }

    /// Adds the span `from` ..< now to generating (or writing), returning now.
    @discardableResult
    public mutating func add(generating: Bool, from start: Instant) -> Instant {
        let t = Instant.now()
        if generating {
            generateSeconds += t.wall - start.wall
            generateCPUSeconds += t.cpu - start.cpu
        } else {
            writeSeconds += t.wall - start.wall
            writeCPUSeconds += t.cpu - start.cpu
        }
        return t
    }
}
