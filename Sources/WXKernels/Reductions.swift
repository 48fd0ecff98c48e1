import WXCore

/// Deterministic reductions for losses: blocked sums in Double, blocks combined in index order.
public enum Reductions {
    /// Elements per block; block partial sums are combined in order, so the result never depends on threads.
    static let block = 4096

    /// Sum of `count` values `f(i)` in Double, blocked as above.
    static func blockedSum(_ count: Int, _ f: (Int) -> Double) -> Double {
        let blocks = (count + block - 1) / block
        if blocks == 0 { return 0 }
        var partial = [Double](repeating: 0, count: blocks)
        partial.withUnsafeMutableBufferPointer { pp in
            let p = pp.baseAddress!
            Parallel.forEach(blocks) { b in
                var acc = 0.0
                for i in (b * block)..<min(count, (b + 1) * block) { acc += f(i) }
                p[b] = acc
            }
        }
        var total = 0.0
        for v in partial { total += v }
        return total
    }

    /// Sum of all elements (in Double).
    public static func sum(_ x: Tensor) -> Double {
        let p = x.storage.pointer
        return blockedSum(x.count) { Double(p[$0]) }
    }

    /// Mean of all elements (in Double); throws on an empty tensor.
    public static func mean(_ x: Tensor) throws -> Double {
        guard x.count > 0 else { throw KernelError.invalidParameter(op: "mean", detail: "empty tensor \(x.shape)") }
        return sum(x) / Double(x.count)
    }

    /// Latitude weights checked against x [..., H, W]: H positive-sum finite weights.
    static func checkWeights(_ op: String, _ shape: [Int], _ weights: [Double]) throws -> (h: Int, w: Int, weightSum: Double) {
        guard shape.count >= 2 else { throw KernelError.shapeMismatch(op: op, detail: "expected [..., H, W], got \(shape)") }
        let h = shape[shape.count - 2], w = shape[shape.count - 1]
        guard weights.count == h else {
            throw KernelError.shapeMismatch(op: op, detail: "\(weights.count) latitude weights for H = \(h) in \(shape)")
        }
        guard weights.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
            throw KernelError.invalidParameter(op: op, detail: "latitude weights must be finite and non-negative")
        }
        let total = weights.reduce(0, +)
        guard total > 0, shape.reduce(1, *) > 0 else {
            throw KernelError.invalidParameter(op: op, detail: "latitude weights sum to zero or the tensor \(shape) is empty")
        }
        return (h, w, total)
    }

    /// Latitude-weighted mean over x [..., H, W]: sum w[i] x[..., i, j] / (sum w * count / H), i.e. weights normalised to mean 1.
    public static func latitudeWeightedMean(_ x: Tensor, weights: [Double]) throws -> Double {
        let (h, w, total) = try checkWeights("latitudeWeightedMean", x.shape, weights)
        let p = x.storage.pointer
        let s = weights.withUnsafeBufferPointer { wp in blockedSum(x.count) { i in wp[(i / w) % h] * Double(p[i]) } }
        return s / (total * Double(x.count / h))
    }
}
