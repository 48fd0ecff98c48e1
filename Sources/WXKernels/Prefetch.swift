/// LLVM's prefetch intrinsic (rw: 0 read / 1 write, locality 0-3, cache type 1 = data).
@_silgen_name("llvm.prefetch.p0")
func llvmPrefetch(_ address: UnsafeRawPointer, _ rw: Int32, _ locality: Int32, _ cacheType: Int32)

/// Software prefetch hints for the GEMM: C tiles are far apart in memory and would otherwise
/// stall the store after each micro-kernel on cache misses.
enum Prefetch {
    /// Asks for the cache lines of `rows` rows of `cols` floats at `p` (stride `ld`), for writing.
    @inline(__always)
    static func forWrite(_ p: UnsafeMutablePointer<Float>, rows: Int, cols: Int, ld: Int) {
        for i in 0..<rows {
            let row = UnsafeRawPointer(p + i * ld)
            llvmPrefetch(row, 1, 3, 1)
            llvmPrefetch(row + (cols - 1) * 4, 1, 3, 1)
        }
    }
}
