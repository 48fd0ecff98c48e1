import WXCore

/// Sizes of one NCHW convolution: input, kernel, stride, padding and the output they give.
public struct ConvGeometry: Sendable {
    /// Batch size.
    public var batch: Int
    /// Input channels.
    public var inChannels: Int
    /// Input height.
    public var height: Int
    /// Input width.
    public var width: Int
    /// Output channels.
    public var outChannels: Int
    /// Kernel height.
    public var kernelHeight: Int
    /// Kernel width.
    public var kernelWidth: Int
    /// Vertical stride.
    public var strideHeight: Int
    /// Horizontal stride.
    public var strideWidth: Int
    var padH: AxisPad
    var padW: AxisPad

    /// Output height.
    public var outHeight: Int { (padH.paddedLength(height) - kernelHeight) / strideHeight + 1 }
    /// Output width.
    public var outWidth: Int { (padW.paddedLength(width) - kernelWidth) / strideWidth + 1 }
    /// Floating-point operations of one pass (forward, backward-data or backward-weights): 2*N*Cin*Cout*kh*kw*Hout*Wout.
    public var flops: Double {
        2 * Double(batch) * Double(inChannels) * Double(outChannels) * Double(kernelHeight * kernelWidth)
            * Double(outHeight) * Double(outWidth)
    }
    /// Input shape [N, Cin, H, W].
    public var inputShape: [Int] { [batch, inChannels, height, width] }
    /// Output shape [N, Cout, Hout, Wout].
    public var outputShape: [Int] { [batch, outChannels, outHeight, outWidth] }
    /// Weight shape [Cout, Cin, kh, kw].
    public var weightShape: [Int] { [outChannels, inChannels, kernelHeight, kernelWidth] }

    init(batch: Int, inChannels: Int, height: Int, width: Int, outChannels: Int,
         kernelHeight: Int, kernelWidth: Int, strideHeight: Int, strideWidth: Int, padH: AxisPad, padW: AxisPad) {
        self.batch = batch; self.inChannels = inChannels; self.height = height; self.width = width
        self.outChannels = outChannels; self.kernelHeight = kernelHeight; self.kernelWidth = kernelWidth
        self.strideHeight = strideHeight; self.strideWidth = strideWidth; self.padH = padH; self.padW = padW
    }

    /// Checks and builds the geometry of a convolution of `inputShape` [N, Cin, H, W] by `weightShape` [Cout, Cin, kh, kw].
    public init(inputShape: [Int], weightShape: [Int], stride: Int, padding: ConvPadding) throws {
        guard inputShape.count == 4 else { throw ConvError.badRank(operand: "input", expected: 4, shape: inputShape) }
        guard weightShape.count == 4 else { throw ConvError.badRank(operand: "weight", expected: 4, shape: weightShape) }
        guard stride >= 1 else { throw ConvError.badParameter("stride must be >= 1, got \(stride)") }
        guard weightShape[1] == inputShape[1] else {
            throw ConvError.shapeMismatch(operand: "weight",
                                          detail: "weight \(weightShape) expects \(weightShape[1]) input channels, input \(inputShape) has \(inputShape[1])")
        }
        guard weightShape.allSatisfy({ $0 >= 1 }), inputShape.allSatisfy({ $0 >= 1 }) else {
            throw ConvError.shapeMismatch(operand: "input/weight", detail: "zero extent in input \(inputShape) or weight \(weightShape)")
        }
        try ConvGeometry.check(padding.height, length: inputShape[2], axis: "height")
        try ConvGeometry.check(padding.width, length: inputShape[3], axis: "width")
        self.init(batch: inputShape[0], inChannels: inputShape[1], height: inputShape[2], width: inputShape[3],
                  outChannels: weightShape[0], kernelHeight: weightShape[2], kernelWidth: weightShape[3],
                  strideHeight: stride, strideWidth: stride, padH: AxisPad(padding.height), padW: AxisPad(padding.width))
        guard padH.paddedLength(height) >= kernelHeight, padW.paddedLength(width) >= kernelWidth else {
            throw ConvError.emptyOutput(detail: "kernel \(kernelHeight)x\(kernelWidth) exceeds padded input "
                                        + "\(padH.paddedLength(height))x\(padW.paddedLength(width))")
        }
    }

    static func check(_ p: ConvAxisPadding, length: Int, axis: String) throws {
        let a = p.amount
        guard a >= 0 else { throw ConvError.badPadding(axis: axis, padding: p, length: length) }
        switch p {
        case .zeros: break
        case .circular: if a > length { throw ConvError.badPadding(axis: axis, padding: p, length: length) }
        case .reflect: if a >= length { throw ConvError.badPadding(axis: axis, padding: p, length: length) }
        case .replicate: if length < 1 { throw ConvError.badPadding(axis: axis, padding: p, length: length) }
        }
    }
}
