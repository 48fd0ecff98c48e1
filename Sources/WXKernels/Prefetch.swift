import WXCore

/// Software prefetch hints for the GEMM: C tiles are far apart in memory and would otherwise
/// stall the store after each micro-kernel on cache misses.
enum Prefetch {
    /// Asks for the cache lines of `rows` rows of `cols` floats at `p` (stride `ld`), for writing.
    @inline(__always)
    static func forWrite(_ p: UnsafeMutablePointer<Float>, rows: Int, cols: Int, ld: Int) {
        for i in 0..<rows {
            let row = UnsafeRawPointer(p + i * ld)
            CachePrefetch.write(row)
            CachePrefetch.write(row + (cols - 1) * 4)
        }
    }
}
