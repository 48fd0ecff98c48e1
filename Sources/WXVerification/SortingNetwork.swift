/// Batcher's odd-even merge sorting network for n inputs, as (lower, upper) index pairs in application order.
///
/// Built for the next power of two and truncated: inputs past n act as +∞ that never move, so every comparator
/// touching them can be dropped. Applied to SIMD lanes it sorts several independent ensembles without branches.
struct SortingNetwork: Sendable {
    /// Flattened comparator pairs: pairs[2c] < pairs[2c + 1].
    let pairs: [Int32]
    /// Number of inputs.
    let size: Int

    init(size n: Int) {
        var out: [Int32] = []
        var p2 = 1
        while p2 < n { p2 *= 2 }
        var p = 1
        while p < p2 {
            var k = p
            while k >= 1 {
                var j = k % p
                while j + k < p2 {
                    for i in 0..<min(k, p2 - j - k) {
                        let a = i + j, b = i + j + k
                        if a / (2 * p) == b / (2 * p) && b < n {
                            out.append(Int32(a)); out.append(Int32(b))
                        }
                    }
                    j += 2 * k
                }
                k /= 2
            }
            p *= 2
        }
        pairs = out
        size = n
    }

    /// Number of comparators.
    var count: Int { pairs.count / 2 }
}
