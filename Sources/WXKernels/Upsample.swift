import WXCore

/// Nearest-neighbour x2 upsampling of [N, C, H, W] feature maps (torch `interpolate(scale_factor=2, mode='nearest')`).
public enum Upsample {
    static func dims(_ op: String, _ x: Tensor) throws -> (planes: Int, h: Int, w: Int) {
        guard x.rank == 4 else { throw KernelError.shapeMismatch(op: op, detail: "expected [N, C, H, W], got \(x.shape)") }
        return (x.shape[0] * x.shape[1], x.shape[2], x.shape[3])
    }

    /// y[n, c, i, j] = x[n, c, i / 2, j / 2], shape [N, C, 2H, 2W].
    public static func nearest2x(_ x: Tensor) throws -> Tensor {
        let (planes, h, w) = try dims("nearest2x", x)
        let src = x.storage.pointer
        return Tensor(unsafeUninitializedShape: [x.shape[0], x.shape[1], 2 * h, 2 * w]) { buf in
            let dst = buf.baseAddress!
            Parallel.forEach(planes) { p in
                let s = src + p * h * w, d = dst + p * 4 * h * w
                for i in 0..<h {
                    let row = d + 2 * i * 2 * w
                    for j in 0..<w { row[2 * j] = s[i * w + j]; row[2 * j + 1] = s[i * w + j] }
                    (row + 2 * w).update(from: row, count: 2 * w)
                }
            }
        }
    }

    /// Gradient of `nearest2x`: each input pixel gets the sum of its 2x2 output block.
    public static func nearest2xBackward(gradOutput: Tensor) throws -> Tensor {
        let (planes, h2, w2) = try dims("nearest2xBackward", gradOutput)
        guard h2 % 2 == 0, w2 % 2 == 0 else {
            throw KernelError.shapeMismatch(op: "nearest2xBackward", detail: "gradOutput \(gradOutput.shape) must have even H and W")
        }
        let h = h2 / 2, w = w2 / 2
        var dx = Tensor(zeros: [gradOutput.shape[0], gradOutput.shape[1], h, w])
        let g = gradOutput.storage.pointer, dst = dx.ownedPointer
        Parallel.forEach(planes) { p in
            let s = g + p * h2 * w2, d = dst + p * h * w
            for i in 0..<h {
                let r0 = s + 2 * i * w2, r1 = r0 + w2
                for j in 0..<w { d[i * w + j] = (r0[2 * j] + r0[2 * j + 1]) + (r1[2 * j] + r1[2 * j + 1]) }
            }
        }
        return dx
    }
}
