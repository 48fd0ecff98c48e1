import Foundation
import WXCore

/// Runs the fixed pieces of a convolution on `Parallel.threads` workers that each take the next
/// piece when done with the last one, so a worker slowed by another process does not hold up a
/// fixed share. Each piece writes only its own outputs and sums in its own fixed order, so which
/// worker runs it changes no bit of the result.
enum ConvScheduler {
    /// Runs `body(i)` once for every `i` in `0..<count`.
    static func forEach(_ count: Int, _ body: (Int) -> Void) {
        let t = min(Parallel.threads, count)
        if t <= 1 {
            for i in 0..<count { body(i) }
            return
        }
        let queue = PieceCounter()
        Parallel.forEach(t) { _ in
            while true {
                let i = queue.take()
                if i >= count { return }
                body(i)
            }
        }
    }

    /// Runs `body(state, i)` once for every `i` in `0..<count`, where `state` is made once per worker by `make`
    /// (scratch buffers reused across that worker's pieces).
    static func forEach<State>(_ count: Int, perWorker make: () -> State, _ body: (State, Int) -> Void) {
        let t = min(Parallel.threads, count)
        if t <= 1 {
            let state = make()
            for i in 0..<count { body(state, i) }
            return
        }
        let queue = PieceCounter()
        Parallel.forEach(t) { _ in
            let state = make()
            while true {
                let i = queue.take()
                if i >= count { return }
                body(state, i)
            }
        }
    }
}

/// The next piece index, shared by the workers.
final class PieceCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0

    /// Returns the next index and advances.
    func take() -> Int {
        lock.lock()
        defer { lock.unlock() }
        let i = next
        next += 1
        return i
    }
}
