import WXCore

/// How a zero-padded (regional) U-Net takes a grid whose sides are not multiples of 2^(levels - 1): the maps are
/// extended with zeros after their last row and column to the next multiples, the network runs on that canvas and
/// its output is cropped back. Zero extension agrees with the convolutions' own zero padding (the world outside a
/// regional domain is zero in normalised units); a grid that already fits is passed through untouched.
public struct UNetGridFit: Sendable, Equatable {
    /// The grid's height and width.
    public var height: Int, width: Int
    /// The canvas the network runs on.
    public var paddedHeight: Int, paddedWidth: Int

    /// The fit of a `height` x `width` grid for a U-Net with `levels` levels.
    public init(height: Int, width: Int, levels: Int) {
        let f = 1 << max(0, levels - 1)
        self.height = height
        self.width = width
        paddedHeight = (height + f - 1) / f * f
        paddedWidth = (width + f - 1) / f * f
    }

    /// True when the grid already fits (no extension, no crop).
    public var isIdentity: Bool { paddedHeight == height && paddedWidth == width }

    /// `t` [N, C, height, width] extended with zeros to [N, C, paddedHeight, paddedWidth].
    public func pad(_ t: Tensor) -> Tensor {
        if isIdentity { return t }
        precondition(t.rank == 4 && t.shape[2] == height && t.shape[3] == width, "UNetGridFit.pad: shape \(t.shape)")
        let planes = t.shape[0] * t.shape[1]
        var out = Tensor(zeros: [t.shape[0], t.shape[1], paddedHeight, paddedWidth])
        t.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for q in 0..<planes {
                    for i in 0..<height {
                        (dst.baseAddress! + (q * paddedHeight + i) * paddedWidth)
                            .update(from: src.baseAddress! + (q * height + i) * width, count: width)
                    }
                }
            }
        }
        return out
    }

    /// The first `height` rows and `width` columns of `t` [N, C, paddedHeight, paddedWidth].
    public func crop(_ t: Tensor) -> Tensor {
        if isIdentity { return t }
        precondition(t.rank == 4 && t.shape[2] == paddedHeight && t.shape[3] == paddedWidth, "UNetGridFit.crop: shape \(t.shape)")
        let planes = t.shape[0] * t.shape[1]
        return Tensor(unsafeUninitializedShape: [t.shape[0], t.shape[1], height, width]) { dst in
            t.withUnsafeBufferPointer { src in
                for q in 0..<planes {
                    for i in 0..<height {
                        (dst.baseAddress! + (q * height + i) * width)
                            .update(from: src.baseAddress! + (q * paddedHeight + i) * paddedWidth, count: width)
                    }
                }
            }
        }
    }
}
