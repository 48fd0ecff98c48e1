import WXCore

extension Elementwise {
    /// Gradients of a + b: gradA = g, gradB = g summed over the broadcast axes.
    public static func addBackward(gradOutput: Tensor, bShape: [Int]) throws -> (gradA: Tensor, gradB: Tensor) {
        let bc = try ChannelBroadcast(op: "addBackward", x: gradOutput.shape, other: bShape)
        return (gradOutput, bc.reduce(gradOutput.storage.pointer, weights: nil, into: bShape))
    }

    /// Gradients of a * b: gradA = g * b (broadcast), gradB = sum over broadcast axes of g * a.
    public static func mulBackward(_ a: Tensor, _ b: Tensor, gradOutput: Tensor) throws -> (gradA: Tensor, gradB: Tensor) {
        guard gradOutput.shape == a.shape else {
            throw KernelError.shapeMismatch(op: "mulBackward", detail: "gradOutput \(gradOutput.shape) differs from a \(a.shape)")
        }
        let bc = try ChannelBroadcast(op: "mulBackward", x: a.shape, other: b.shape)
        let gradA = try combine("mulBackward", gradOutput, b, ElementwiseMultiply.self)
        return (gradA, bc.reduce(gradOutput.storage.pointer, weights: a.storage.pointer, into: b.shape))
    }

    /// Gradient of s * a: s * g.
    public static func scaleBackward(gradOutput: Tensor, by s: Float) -> Tensor { scale(gradOutput, by: s) }
}
