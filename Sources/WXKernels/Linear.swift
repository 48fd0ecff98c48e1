import WXCore

/// Fully connected layers and 1x1 convolutions as matrix products (torch `F.linear`, `conv2d` with a 1x1 kernel).
public enum Linear {
    /// Checks weight [out, in] (a 1x1 kernel [out, in, 1, 1] is accepted) and bias [out]; returns (out, in).
    static func check(_ op: String, weight: Tensor, bias: Tensor?, inFeatures: Int) throws -> (Int, Int) {
        let ws = weight.shape
        guard ws.count == 2 || (ws.count == 4 && ws[2] == 1 && ws[3] == 1) else {
            throw KernelError.shapeMismatch(op: op, detail: "weight must be [out, in] or [out, in, 1, 1], got \(ws)")
        }
        guard ws[1] == inFeatures else {
            throw KernelError.shapeMismatch(op: op, detail: "weight \(ws) takes \(ws[1]) inputs, the input has \(inFeatures)")
        }
        if let bias, bias.shape != [ws[0]] {
            throw KernelError.shapeMismatch(op: op, detail: "bias is \(bias.shape), expected [\(ws[0])]")
        }
        return (ws[0], ws[1])
    }

    /// y = x W^T + b for x [N, in], W [out, in], b [out] -> [N, out].
    public static func forward(_ x: Tensor, weight: Tensor, bias: Tensor? = nil) throws -> Tensor {
        guard x.rank == 2 else { throw KernelError.shapeMismatch(op: "linear", detail: "input must be [N, in], got \(x.shape)") }
        let (o, i) = try check("linear", weight: weight, bias: bias, inFeatures: x.shape[1])
        var y = try MatMul.matmul(x, weight.reshaped([o, i]), transposeB: true)
        if let bias {
            let n = x.shape[0], b = bias.storage.pointer, yp = y.ownedPointer
            Parallel.forEach(n) { r in for j in 0..<o { yp[r * o + j] += b[j] } }
        }
        return y
    }

    /// y[n] = W x[n] + b for x [N, Cin, H, W] (any trailing spatial axes), W [Cout, Cin] -> [N, Cout, H, W].
    public static func pointwiseConv(_ x: Tensor, weight: Tensor, bias: Tensor? = nil) throws -> Tensor {
        guard x.rank >= 2 else { throw KernelError.shapeMismatch(op: "pointwiseConv", detail: "input must be [N, C, ...], got \(x.shape)") }
        let (o, i) = try check("pointwiseConv", weight: weight, bias: bias, inFeatures: x.shape[1])
        let n = x.shape[0], s = x.shape.dropFirst(2).reduce(1, *)
        var y = try MatMul.batchedMatMul(weight.reshaped([o, i]), x.reshaped([n, i, s]))
        if let bias { y = try Elementwise.add(y, bias) }
        return y.reshaped([n, o] + Array(x.shape.dropFirst(2)))
    }
}
