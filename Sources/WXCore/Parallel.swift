import Foundation

/// How many threads compute kernels and scores may use, and a fork-join loop over them.
///
/// Work is always cut into the same pieces whatever the thread count, so results that
/// reduce over pieces in index order are the same bits at 1, 2 or more threads.
public enum Parallel {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var _threads: Int = {
        if let s = ProcessInfo.processInfo.environment["WXENS_THREADS"], let n = Int(s), n > 0 { return n }
        return max(1, ProcessInfo.processInfo.activeProcessorCount)
    }()

    /// Threads used by `forEach` (default: the CPU count, or `WXENS_THREADS`).
    public static var threads: Int {
        get { lock.lock(); defer { lock.unlock() }; return _threads }
        set { lock.lock(); _threads = max(1, newValue); lock.unlock() }
    }

    /// Runs `body(i)` for every `i` in `0..<count`, spread over `threads` workers.
    /// `body` must write only to places owned by `i`.
    public static func forEach(_ count: Int, _ body: (Int) -> Void) {
        let t = min(threads, count)
        if t <= 1 {
            for i in 0..<count { body(i) }
            return
        }
        withoutActuallyEscaping(body) { body in
            DispatchQueue.concurrentPerform(iterations: t) { w in
                var i = w
                while i < count {
                    body(i)
                    i += t
                }
            }
        }
    }

    /// Runs `body` with `threads` set to `n`, then restores it (for tests and benchmarks).
    public static func withThreads<R>(_ n: Int, _ body: () throws -> R) rethrows -> R {
        let old = threads
        threads = n
        defer { threads = old }
        return try body()
    }
}
