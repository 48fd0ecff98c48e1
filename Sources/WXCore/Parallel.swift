import Foundation
import Synchronization

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
    ///
    /// Each worker takes the next piece when done with its last, so a worker slowed by another process does not
    /// hold up a fixed share; which worker runs a piece changes no bit of the result.
    public static func forEach(_ count: Int, _ body: (Int) -> Void) {
        let t = min(threads, count)
        if t <= 1 {
            for i in 0..<count { body(i) }
            return
        }
        let next = PieceCounter()
        withoutActuallyEscaping(body) { body in
            DispatchQueue.concurrentPerform(iterations: t) { _ in
                while true {
                    let i = next.take()
                    if i >= count { return }
                    body(i)
                }
            }
        }
    }

    /// Runs `body(state, i)` for every `i` in `0..<count` as `forEach` does, where `state` is made once per worker by
    /// `make` (scratch buffers reused across that worker's pieces).
    public static func forEach<State>(_ count: Int, perWorker make: () -> State, _ body: (State, Int) -> Void) {
        let t = min(threads, count)
        if t <= 1 {
            let state = make()
            for i in 0..<count { body(state, i) }
            return
        }
        let next = PieceCounter()
        withoutActuallyEscaping(make) { make in
            withoutActuallyEscaping(body) { body in
                DispatchQueue.concurrentPerform(iterations: t) { _ in
                    let state = make()
                    while true {
                        let i = next.take()
                        if i >= count { return }
                        body(state, i)
                    }
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

/// The next piece index of a `Parallel.forEach`, shared by its workers.
final class PieceCounter: Sendable {
    private let next = Atomic<Int>(0)

    /// Returns the next index and advances.
    func take() -> Int {
        next.wrappingAdd(1, ordering: .relaxed).oldValue
    }
}
