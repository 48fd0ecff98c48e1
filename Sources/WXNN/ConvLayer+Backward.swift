import WXCore
import WXKernels

extension ConvLayer {
    /// Gradients of the input (nil unless `inputGradient`) and of the parameters, from the output gradient.
    public func backward(_ gy: Tensor, _ cache: Cache, _ p: Parameters,
                         inputGradient: Bool = true) throws -> (Tensor?, Parameters) {
        if isPointwise {
            let (gx, gw, gb) = try Linear.pointwiseConvBackward(cache.input, weight: p.weight, gradOutput: gy)
            return (inputGradient ? gx : nil, Parameters(weight: gw, bias: gb!))
        }
        let gw = try Conv2D.backwardWeight(gradOutput: gy, input: cache.input, weightShape: p.weight.shape,
                                           stride: stride, padding: padding)
        let gb = try Conv2D.backwardBias(gradOutput: gy)
        let gx = inputGradient
            ? try Conv2D.backwardData(gradOutput: gy, weight: p.weight, inputShape: cache.input.shape, stride: stride, padding: padding)
            : nil
        return (gx, Parameters(weight: gw, bias: gb))
    }
}
