import WXCore

/// Fixed-size chunks of a flat index range, run with `Parallel.forEach` (chunk bounds never depend on the thread count).
enum ChunkedLoop {
    /// Elements per chunk.
    static let chunk = 16_384

    /// Calls `body` with consecutive ranges covering `0..<count`, in parallel.
    static func forEach(_ count: Int, _ body: (Range<Int>) -> Void) {
        let chunks = (count + chunk - 1) / chunk
        if chunks <= 1 {
            if count > 0 { body(0..<count) }
            return
        }
        Parallel.forEach(chunks) { i in body((i * chunk)..<min(count, (i + 1) * chunk)) }
    }
}
