import WXCore

extension Reductions {
    /// Gradient of `sum` for an input of `shape`: every element gets `gradOutput`.
    public static func sumBackward(shape: [Int], gradOutput: Float = 1) -> Tensor {
        Tensor(shape: shape, repeating: gradOutput)
    }

    /// Gradient of `mean` for an input of `shape`: every element gets gradOutput / count.
    public static func meanBackward(shape: [Int], gradOutput: Float = 1) throws -> Tensor {
        let n = shape.reduce(1, *)
        guard n > 0 else { throw KernelError.invalidParameter(op: "meanBackward", detail: "empty shape \(shape)") }
        return Tensor(shape: shape, repeating: Float(Double(gradOutput) / Double(n)))
    }

    /// Gradient of `latitudeWeightedMean` for an input of `shape` [..., H, W]: w[i] / (sum w * count / H) * gradOutput.
    public static func latitudeWeightedMeanBackward(shape: [Int], weights: [Double], gradOutput: Float = 1) throws -> Tensor {
        let (h, w, total) = try checkWeights("latitudeWeightedMeanBackward", shape, weights)
        let count = shape.reduce(1, *)
        let k = Double(gradOutput) / (total * Double(count / h))
        var g = Tensor(zeros: shape)
        let d = g.ownedPointer
        weights.withUnsafeBufferPointer { wp in
            ChunkedLoop.forEach(count) { r in for i in r { d[i] = Float(k * wp[(i / w) % h]) } }
        }
        return g
    }
}
