import WXCore

/// 2x2 average pooling with stride 2 (torch `avg_pool2d(x, 2)`): odd trailing rows/columns are dropped.
public enum Pooling {
    /// y[n, c, i, j] = mean of x[n, c, 2i..2i+1, 2j..2j+1], shape [N, C, H/2, W/2] (floor).
    public static func averagePool2x2(_ x: Tensor) throws -> Tensor {
        let (planes, h, w) = try Upsample.dims("averagePool2x2", x)
        let ho = h / 2, wo = w / 2
        var y = Tensor(zeros: [x.shape[0], x.shape[1], ho, wo])
        let src = x.storage.pointer, dst = y.ownedPointer
        Parallel.forEach(planes) { p in
            let s = src + p * h * w, d = dst + p * ho * wo
            for i in 0..<ho {
                let r0 = s + 2 * i * w, r1 = r0 + w
                for j in 0..<wo { d[i * wo + j] = 0.25 * ((r0[2 * j] + r0[2 * j + 1]) + (r1[2 * j] + r1[2 * j + 1])) }
            }
        }
        return y
    }

    /// Gradient of `averagePool2x2` for an input of `inputShape`: g/4 to each pixel of the block, zero on dropped edges.
    public static func averagePool2x2Backward(gradOutput: Tensor, inputShape: [Int]) throws -> Tensor {
        guard inputShape.count == 4, gradOutput.shape == [inputShape[0], inputShape[1], inputShape[2] / 2, inputShape[3] / 2] else {
            throw KernelError.shapeMismatch(op: "averagePool2x2Backward", detail: "gradOutput \(gradOutput.shape) does not pool from input \(inputShape)")
        }
        let h = inputShape[2], w = inputShape[3], ho = h / 2, wo = w / 2
        var dx = Tensor(zeros: inputShape)
        let g = gradOutput.storage.pointer, dst = dx.ownedPointer
        Parallel.forEach(inputShape[0] * inputShape[1]) { p in
            let s = g + p * ho * wo, d = dst + p * h * w
            for i in 0..<ho {
                let r0 = d + 2 * i * w, r1 = r0 + w
                for j in 0..<wo {
                    let v = 0.25 * s[i * wo + j]
                    r0[2 * j] = v; r0[2 * j + 1] = v; r1[2 * j] = v; r1[2 * j + 1] = v
                }
            }
        }
        return dx
    }
}
