/// Plain loop convolutions accumulating in Double: the reference the fast kernels are tested against.
///
/// Arrays are row-major: input [N, Cin, H, W], weight [Cout, Cin, kh, kw], output [N, Cout, Hout, Wout].
public enum Conv2DReference {
    /// Source index read at padded position `i` of an axis of length `n`, or nil for a zero.
    static func source(_ i: Int, _ n: Int, _ p: ConvAxisPadding) -> Int? {
        let s = AxisPad(p).source(i, n)
        return s >= 0 ? s : nil
    }

    /// out[n, co, y, x] = bias[co] + sum_{ci, a, b} w[co, ci, a, b] * pad(x)[n, ci, s*y + a, s*x + b].
    public static func forward(input: [Double], inputShape: [Int], weight: [Double], weightShape: [Int],
                               bias: [Double]? = nil, stride: Int = 1, padding: ConvPadding = .none) throws -> [Double] {
        let g = try ConvGeometry(inputShape: inputShape, weightShape: weightShape, stride: stride, padding: padding)
        let (n, cin, h, w, cout, kh, kw) = (g.batch, g.inChannels, g.height, g.width, g.outChannels, g.kernelHeight, g.kernelWidth)
        let (ho, wo) = (g.outHeight, g.outWidth)
        var out = [Double](repeating: 0, count: n * cout * ho * wo)
        for b in 0..<n {
            for co in 0..<cout {
                for y in 0..<ho {
                    for x in 0..<wo {
                        var s = bias?[co] ?? 0
                        for ci in 0..<cin {
                            for a in 0..<kh {
                                guard let iy = source(y * stride + a, h, padding.height) else { continue }
                                for c in 0..<kw {
                                    guard let ix = source(x * stride + c, w, padding.width) else { continue }
                                    s += weight[((co * cin + ci) * kh + a) * kw + c] * input[((b * cin + ci) * h + iy) * w + ix]
                                }
                            }
                        }
                        out[((b * cout + co) * ho + y) * wo + x] = s
                    }
                }
            }
        }
        return out
    }

    /// Gradient with respect to the input of `forward`, scattering each output gradient onto the source elements it read.
    public static func backwardData(gradOutput: [Double], weight: [Double], weightShape: [Int], inputShape: [Int],
                                    stride: Int = 1, padding: ConvPadding = .none) throws -> [Double] {
        let g = try ConvGeometry(inputShape: inputShape, weightShape: weightShape, stride: stride, padding: padding)
        let (n, cin, h, w, cout, kh, kw) = (g.batch, g.inChannels, g.height, g.width, g.outChannels, g.kernelHeight, g.kernelWidth)
        let (ho, wo) = (g.outHeight, g.outWidth)
        var gi = [Double](repeating: 0, count: n * cin * h * w)
        for b in 0..<n {
            for co in 0..<cout {
                for y in 0..<ho {
                    for x in 0..<wo {
                        let go = gradOutput[((b * cout + co) * ho + y) * wo + x]
                        for ci in 0..<cin {
                            for a in 0..<kh {
                                guard let iy = source(y * stride + a, h, padding.height) else { continue }
                                for c in 0..<kw {
                                    guard let ix = source(x * stride + c, w, padding.width) else { continue }
                                    gi[((b * cin + ci) * h + iy) * w + ix] += go * weight[((co * cin + ci) * kh + a) * kw + c]
                                }
                            }
                        }
                    }
                }
            }
        }
        return gi
    }

    /// Gradient with respect to the weight of `forward`: sum over images and output pixels of grad_output * padded input.
    public static func backwardWeight(gradOutput: [Double], input: [Double], inputShape: [Int], weightShape: [Int],
                                      stride: Int = 1, padding: ConvPadding = .none) throws -> [Double] {
        let g = try ConvGeometry(inputShape: inputShape, weightShape: weightShape, stride: stride, padding: padding)
        let (n, cin, h, w, cout, kh, kw) = (g.batch, g.inChannels, g.height, g.width, g.outChannels, g.kernelHeight, g.kernelWidth)
        let (ho, wo) = (g.outHeight, g.outWidth)
        var gw = [Double](repeating: 0, count: cout * cin * kh * kw)
        for b in 0..<n {
            for co in 0..<cout {
                for y in 0..<ho {
                    for x in 0..<wo {
                        let go = gradOutput[((b * cout + co) * ho + y) * wo + x]
                        for ci in 0..<cin {
                            for a in 0..<kh {
                                guard let iy = source(y * stride + a, h, padding.height) else { continue }
                                for c in 0..<kw {
                                    guard let ix = source(x * stride + c, w, padding.width) else { continue }
                                    gw[((co * cin + ci) * kh + a) * kw + c] += go * input[((b * cin + ci) * h + iy) * w + ix]
                                }
                            }
                        }
                    }
                }
            }
        }
        return gw
    }

    /// Gradient with respect to the bias: the sum of grad_output over images and pixels, per channel.
    public static func backwardBias(gradOutput: [Double], outputShape: [Int]) -> [Double] {
        let (n, c, hw) = (outputShape[0], outputShape[1], outputShape[2] * outputShape[3])
        var gb = [Double](repeating: 0, count: c)
        for b in 0..<n { for co in 0..<c { for k in 0..<hw { gb[co] += gradOutput[(b * c + co) * hw + k] } } }
        return gb
    }
}
