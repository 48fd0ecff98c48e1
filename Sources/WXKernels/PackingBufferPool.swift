import Foundation

/// Reuses the GEMM's packing buffers across calls: fresh large allocations come back from the
/// kernel as untouched pages, and faulting them in costs as much as packing small products.
final class PackingBufferPool: @unchecked Sendable {
    /// The pool every GEMM call draws from.
    static let shared = PackingBufferPool()
    /// Buffers kept for reuse at most (the rest are freed).
    static let maxKept = 8

    private let lock = NSLock()
    private var kept: [(pointer: UnsafeMutableRawPointer, bytes: Int)] = []

    /// A 64-byte aligned buffer of at least `bytes` bytes (contents undefined); give it back with `recycle`.
    func take(_ bytes: Int) -> (pointer: UnsafeMutableRawPointer, bytes: Int) {
        lock.lock()
        if let i = kept.firstIndex(where: { $0.bytes >= bytes }) {
            let b = kept.remove(at: i)
            lock.unlock()
            return b
        }
        lock.unlock()
        let size = max(bytes, 1)
        return (UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 64), size)
    }

    /// Returns a buffer from `take` to the pool.
    func recycle(_ buffer: (pointer: UnsafeMutableRawPointer, bytes: Int)) {
        lock.lock()
        if kept.count < Self.maxKept {
            kept.append(buffer)
            lock.unlock()
        } else {
            // Keep the largest buffers: replace the smallest if this one is bigger.
            if let i = kept.indices.min(by: { kept[$0].bytes < kept[$1].bytes }), kept[i].bytes < buffer.bytes {
                let old = kept[i]
                kept[i] = buffer
                lock.unlock()
                old.pointer.deallocate()
            } else {
                lock.unlock()
                buffer.pointer.deallocate()
            }
        }
    }
}
