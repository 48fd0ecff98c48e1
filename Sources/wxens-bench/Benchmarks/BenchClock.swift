import ArgumentParser
import Foundation

/// The clock a benchmark times with: elapsed time, or the process's CPU time (steadier for 1-thread runs on a shared machine).
enum BenchClock: String, ExpressibleByArgument {
    case wall, cpu

    /// Seconds on this clock.
    func now() -> Double {
        var ts = timespec()
        clock_gettime(self == .cpu ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }
}
