import WXCore

/// Mean squared error and its latitude-weighted form, with gradients with respect to the prediction.
public enum MSELoss {
    static func check(_ op: String, _ p: Tensor, _ t: Tensor) throws {
        guard p.shape == t.shape else {
            throw KernelError.shapeMismatch(op: op, detail: "prediction \(p.shape) and target \(t.shape) differ")
        }
        guard p.count > 0 else { throw KernelError.invalidParameter(op: op, detail: "empty tensors \(p.shape)") }
    }

    /// mean((p - t)^2) over all elements (torch `mse_loss`, reduction 'mean'), summed in Double.
    public static func forward(prediction p: Tensor, target t: Tensor) throws -> Double {
        try check("mse", p, t)
        let a = p.storage.pointer, b = t.storage.pointer
        return Reductions.blockedSum(p.count) { i in let d = Double(a[i]) - Double(b[i]); return d * d } / Double(p.count)
    }

    /// Gradient of `forward` times `gradOutput`: 2 (p - t) / count * gradOutput.
    public static func backward(prediction p: Tensor, target t: Tensor, gradOutput: Float = 1) throws -> Tensor {
        try check("mseBackward", p, t)
        let k = 2 * Double(gradOutput) / Double(p.count)
        var g = Tensor(zeros: p.shape)
        let a = p.storage.pointer, b = t.storage.pointer, d = g.ownedPointer
        ChunkedLoop.forEach(p.count) { r in for i in r { d[i] = Float(k * (Double(a[i]) - Double(b[i]))) } }
        return g
    }

    /// Latitude-weighted MSE over [..., H, W]: sum w[i] (p - t)^2 / (sum w * count / H).
    public static func latitudeWeighted(prediction p: Tensor, target t: Tensor, weights: [Double]) throws -> Double {
        try check("latitudeWeightedMSE", p, t)
        let (h, w, total) = try Reductions.checkWeights("latitudeWeightedMSE", p.shape, weights)
        let a = p.storage.pointer, b = t.storage.pointer
        let s = weights.withUnsafeBufferPointer { wp in
            Reductions.blockedSum(p.count) { i in let d = Double(a[i]) - Double(b[i]); return wp[(i / w) % h] * d * d }
        }
        return s / (total * Double(p.count / h))
    }

    /// Gradient of `latitudeWeighted` times `gradOutput`: 2 w[i] (p - t) / (sum w * count / H) * gradOutput.
    public static func latitudeWeightedBackward(prediction p: Tensor, target t: Tensor, weights: [Double],
                                                gradOutput: Float = 1) throws -> Tensor {
        try check("latitudeWeightedMSEBackward", p, t)
        let (h, w, total) = try Reductions.checkWeights("latitudeWeightedMSEBackward", p.shape, weights)
        let k = 2 * Double(gradOutput) / (total * Double(p.count / h))
        var g = Tensor(zeros: p.shape)
        let a = p.storage.pointer, b = t.storage.pointer, d = g.ownedPointer
        weights.withUnsafeBufferPointer { wp in
            ChunkedLoop.forEach(p.count) { r in
                for i in r { d[i] = Float(k * wp[(i / w) % h] * (Double(a[i]) - Double(b[i]))) }
            }
        }
        return g
    }
}
