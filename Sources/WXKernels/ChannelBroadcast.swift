import WXCore

/// How a second operand lines up with x viewed as [N, C, S] (S = product of the axes after C).
struct ChannelBroadcast {
    enum Mode { case full, channel, sampleChannel }
    let mode: Mode
    let n: Int, c: Int, s: Int

    /// Matches `other` to `x`: the same shape, one value per channel ([C] or [1, C, 1...]),
    /// or one per sample and channel ([N, C] or [N, C, 1...]).
    init(op: String, x: [Int], other: [Int]) throws {
        guard x.count >= 2 else {
            throw KernelError.shapeMismatch(op: op, detail: "input must be at least [N, C], got \(x)")
        }
        n = x[0]; c = x[1]; s = x.dropFirst(2).reduce(1, *)
        if other == x { mode = .full; return }
        let trailingOnes = other.count > 2 && other.dropFirst(2).allSatisfy { $0 == 1 } && other.count <= x.count
        // [N, C] is tried first: with N = 1 it is the same as [1, C].
        if other.count >= 2 && other[0] == n && other[1] == c && (other.count == 2 || trailingOnes) {
            mode = .sampleChannel
        } else if other == [c] || (other.count >= 2 && other[0] == 1 && other[1] == c && (other.count == 2 || trailingOnes)) {
            mode = .channel
        } else {
            throw KernelError.shapeMismatch(op: op, detail: "cannot broadcast \(other) over \(x): expected \(x), [\(c)], [1, \(c)] or [\(n), \(c)] (optionally with trailing 1s)")
        }
    }

    /// Index of the other operand's value for plane (sample, channel) = `plane`.
    @inline(__always)
    func planeIndex(_ plane: Int) -> Int { mode == .channel ? plane % c : plane }

    /// Reduces a full-shape gradient [N, C, S] onto the other operand's shape (sums in index order, in Double).
    func reduce(_ g: UnsafePointer<Float>, weights: UnsafePointer<Float>?, into shape: [Int]) -> Tensor {
        var out = Tensor(zeros: shape)
        let dst = out.ownedPointer
        if mode == .full {
            let total = n * c * s
            ChunkedLoop.forEach(total) { r in for i in r { dst[i] = weights.map { g[i] * $0[i] } ?? g[i] } }
            return out
        }
        if n * c == 0 { return out }
        var perPlane = [Double](repeating: 0, count: n * c)
        perPlane.withUnsafeMutableBufferPointer { pp in
            let p = pp.baseAddress!
            Parallel.forEach(n * c) { plane in
                var acc = 0.0
                let base = plane * s
                if let w = weights {
                    for i in base..<(base + s) { acc += Double(g[i]) * Double(w[i]) }
                } else {
                    for i in base..<(base + s) { acc += Double(g[i]) }
                }
                p[plane] = acc
            }
        }
        if mode == .sampleChannel {
            for i in 0..<(n * c) { dst[i] = Float(perPlane[i]) }
        } else {
            for ch in 0..<c {
                var acc = 0.0
                for sample in 0..<n { acc += perPlane[sample * c + ch] }
                dst[ch] = Float(acc)
            }
        }
        return out
    }
}
