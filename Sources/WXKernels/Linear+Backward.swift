import WXCore

extension Linear {
    /// Gradients of `forward`: dx = g W, dW = g^T x, db = column sums of g (nil when `hasBias` is false).
    public static func backward(_ x: Tensor, weight: Tensor, gradOutput g: Tensor, hasBias: Bool = true) throws
        -> (gradInput: Tensor, gradWeight: Tensor, gradBias: Tensor?) {
        guard x.rank == 2 else { throw KernelError.shapeMismatch(op: "linearBackward", detail: "input must be [N, in], got \(x.shape)") }
        let (o, i) = try check("linearBackward", weight: weight, bias: nil, inFeatures: x.shape[1])
        guard g.shape == [x.shape[0], o] else {
            throw KernelError.shapeMismatch(op: "linearBackward", detail: "gradOutput is \(g.shape), expected [\(x.shape[0]), \(o)]")
        }
        let w2 = weight.reshaped([o, i])
        let gx = try MatMul.matmul(g, w2)
        let gw = try MatMul.matmul(g, x, transposeA: true).reshaped(weight.shape)
        var gb: Tensor? = nil
        if hasBias {
            var t = Tensor(zeros: [o])
            let d = t.ownedPointer, gp = g.storage.pointer, n = x.shape[0]
            Parallel.forEach(o) { j in
                var acc = 0.0
                for r in 0..<n { acc += Double(gp[r * o + j]) }
                d[j] = Float(acc)
            }
            gb = t
        }
        return (gx, gw, gb)
    }

    /// Gradients of `pointwiseConv`: dx = W^T g, dW = sum_n g x^T, db = sums of g over samples and positions.
    public static func pointwiseConvBackward(_ x: Tensor, weight: Tensor, gradOutput g: Tensor, hasBias: Bool = true) throws
        -> (gradInput: Tensor, gradWeight: Tensor, gradBias: Tensor?) {
        guard x.rank >= 2 else { throw KernelError.shapeMismatch(op: "pointwiseConvBackward", detail: "input must be [N, C, ...], got \(x.shape)") }
        let (o, i) = try check("pointwiseConvBackward", weight: weight, bias: nil, inFeatures: x.shape[1])
        let n = x.shape[0], s = x.shape.dropFirst(2).reduce(1, *)
        guard g.shape == [n, o] + Array(x.shape.dropFirst(2)) else {
            throw KernelError.shapeMismatch(op: "pointwiseConvBackward", detail: "gradOutput is \(g.shape), expected \([n, o] + Array(x.shape.dropFirst(2)))")
        }
        let g3 = g.reshaped([n, o, s]), x3 = x.reshaped([n, i, s])
        let gx = try MatMul.batchedMatMul(weight.reshaped([o, i]), g3, transposeA: true).reshaped(x.shape)
        let gw = try MatMul.sumOverBatch(try MatMul.batchedMatMul(g3, x3, transposeB: true)).reshaped(weight.shape)
        let gb = hasBias ? try Elementwise.addBackward(gradOutput: g3, bShape: [o]).gradB : nil
        return (gx, gw, gb)
    }
}
