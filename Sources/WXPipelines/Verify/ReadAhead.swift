import Foundation

/// Runs `produce(k)` for k = 0, 1, … on a reader thread one item ahead of `consume(k, item)` on the caller's thread,
/// so that reading item k + 1 overlaps the work on item k; at most two items are alive at once.
///
/// Items are consumed in order. The first error (from either side) stops both and is rethrown after the reader thread
/// has finished, so no read outlives the call.
enum ReadAhead {
    /// With `ahead` false, items are read and consumed in turn on the caller's thread (one item alive at once).
    static func run<Item>(count: Int, ahead: Bool = true, produce: @escaping (Int) throws -> Item,
                          consume: (Int, Item) throws -> Void) throws {
        guard count > 0 else { return }
        guard ahead else {
            for k in 0..<count { try consume(k, try produce(k)) }
            return
        }
        let ch = ReadAheadChannel<Item>()
        let reader = Thread {
            for k in 0..<count {
                ch.free.wait()
                ch.lock.lock(); let stop = ch.cancelled; ch.lock.unlock()
                if stop { break }
                let r = Result { try produce(k) }
                ch.lock.lock(); ch.item = r; ch.lock.unlock()
                ch.ready.signal()
                if case .failure = r { break }
            }
            ch.done.signal()
        }
        reader.stackSize = 1 << 20
        reader.start()
        var failure: Error?
        for k in 0..<count {
            ch.ready.wait()
            ch.lock.lock(); let r = ch.item!; ch.item = nil; ch.lock.unlock()
            ch.free.signal()
            do { try consume(k, try r.get()) } catch { failure = error; break }
        }
        if failure != nil {
            ch.lock.lock(); ch.cancelled = true; ch.lock.unlock()
            ch.free.signal()
        }
        ch.done.wait()
        if let failure { throw failure }
    }
}

/// The one-item hand-over between the reader thread and the consumer.
final class ReadAheadChannel<Item>: @unchecked Sendable {
    let free = DispatchSemaphore(value: 1)
    let ready = DispatchSemaphore(value: 0)
    let done = DispatchSemaphore(value: 0)
    let lock = NSLock()
    var item: Result<Item, Error>?
    var cancelled = false
}
