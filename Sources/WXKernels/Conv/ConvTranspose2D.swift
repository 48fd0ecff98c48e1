import WXCore

/// Transposed 2-D convolution (PyTorch's `conv_transpose2d`) for the upsampling path: the
/// backward-data pass of the strided convolution with the same weight, reused as a forward op.
public enum ConvTranspose2D {
    /// Output shape of a transposed convolution: H_out = (H-1)*stride - 2*padding + k + outputPadding.
    public static func outputShape(inputShape: [Int], weightShape: [Int], stride: Int, padding: Int,
                                   outputPadding: Int) throws -> [Int] {
        guard inputShape.count == 4 else { throw ConvError.badRank(operand: "input", expected: 4, shape: inputShape) }
        guard weightShape.count == 4 else { throw ConvError.badRank(operand: "weight", expected: 4, shape: weightShape) }
        guard stride >= 1, padding >= 0, outputPadding >= 0, outputPadding < stride else {
            throw ConvError.badParameter("transposed conv needs stride >= 1, padding >= 0, 0 <= outputPadding < stride; "
                                         + "got stride \(stride), padding \(padding), outputPadding \(outputPadding)")
        }
        guard weightShape[0] == inputShape[1] else {
            throw ConvError.shapeMismatch(operand: "weight", detail: "transposed conv weight \(weightShape) is [Cin, Cout, kh, kw] "
                                          + "and needs Cin = \(inputShape[1])")
        }
        let ho = (inputShape[2] - 1) * stride - 2 * padding + weightShape[2] + outputPadding
        let wo = (inputShape[3] - 1) * stride - 2 * padding + weightShape[3] + outputPadding
        guard ho >= 1, wo >= 1 else {
            throw ConvError.emptyOutput(detail: "transposed conv of \(inputShape) by \(weightShape) gives \(ho)x\(wo)")
        }
        return [inputShape[0], weightShape[1], ho, wo]
    }

    /// y = conv_transpose2d(x, weight [Cin, Cout, kh, kw], bias, stride, padding, outputPadding), zero padding.
    public static func forward(_ input: Tensor, weight: Tensor, bias: Tensor? = nil, stride: Int = 2, padding: Int = 0,
                               outputPadding: Int = 0) throws -> Tensor {
        let shape = try outputShape(inputShape: input.shape, weightShape: weight.shape, stride: stride,
                                    padding: padding, outputPadding: outputPadding)
        if let b = bias, b.shape != [shape[1]] {
            throw ConvError.shapeMismatch(operand: "bias", detail: "expected [\(shape[1])], got \(b.shape)")
        }
        var y = try Conv2D.backwardData(gradOutput: input, weight: weight, inputShape: shape, stride: stride,
                                        padding: ConvPadding(.zeros(padding)))
        if let b = bias {
            let hw = shape[2] * shape[3], c = shape[1]
            let bp = b.storage.pointer
            y.withUnsafeMutableBufferPointer { buf in
                for i in 0..<(shape[0] * c) {
                    let v = bp[i % c]
                    for k in 0..<hw { buf[i * hw + k] += v }
                }
            }
        }
        return y
    }

    /// Gradient with respect to the input of `forward`: the strided convolution of grad_output with the same weight.
    public static func backwardData(gradOutput: Tensor, weight: Tensor, stride: Int = 2, padding: Int = 0) throws -> Tensor {
        try Conv2D.forward(gradOutput, weight: weight, stride: stride, padding: ConvPadding(.zeros(padding)))
    }

    /// Gradient with respect to the weight [Cin, Cout, kh, kw] of `forward`.
    public static func backwardWeight(gradOutput: Tensor, input: Tensor, weightShape: [Int], stride: Int = 2,
                                      padding: Int = 0) throws -> Tensor {
        try Conv2D.backwardWeight(gradOutput: input, input: gradOutput, weightShape: weightShape, stride: stride,
                                  padding: ConvPadding(.zeros(padding)))
    }
}
