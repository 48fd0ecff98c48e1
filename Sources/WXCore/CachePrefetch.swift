/// LLVM's prefetch intrinsic (rw: 0 read / 1 write, locality 0-3, cache type 1 = data); a hint that never faults.
@usableFromInline
@_silgen_name("llvm.prefetch.p0")
func llvmPrefetch(_ address: UnsafeRawPointer, _ rw: Int32, _ locality: Int32, _ cacheType: Int32)

/// Software prefetch hints, for access patterns the hardware prefetchers do not follow (many short strided runs).
public enum CachePrefetch {
    /// Asks for the cache line holding `address`, to be read soon.
    @inlinable @inline(__always)
    public static func read(_ address: UnsafeRawPointer) {
        llvmPrefetch(address, 0, 3, 1)
    }

    /// Asks for the cache line holding `address`, to be written soon.
    @inlinable @inline(__always)
    public static func write(_ address: UnsafeRawPointer) {
        llvmPrefetch(address, 1, 3, 1)
    }
}
