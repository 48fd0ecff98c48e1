/// One worker's reusable memory: grown (never shrunk) to the largest size asked of it, freed with it.
final class GrowableScratch {
    private var pointer: UnsafeMutableRawPointer?
    private var capacity = 0

    deinit { pointer?.deallocate() }

    /// At least `count` bytes, 64-byte aligned; earlier contents are not kept when it grows.
    func bytes(_ count: Int) -> UnsafeMutableRawPointer {
        if let p = pointer, capacity >= count { return p }
        pointer?.deallocate()
        capacity = max(count, 1)
        pointer = .allocate(byteCount: capacity, alignment: 64)
        return pointer!
    }

    /// Room for at least `count` values of `type`.
    func values<T>(_ count: Int, of type: T.Type) -> UnsafeMutablePointer<T> {
        bytes(count * MemoryLayout<T>.stride).bindMemory(to: T.self, capacity: max(count, 1))
    }
}
