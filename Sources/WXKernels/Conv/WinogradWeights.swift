import WXCore

/// The Winograd F(2x2, 3x3) transform of 3x3 convolution weights [Cout, Cin, 3, 3], made once for forward passes
/// that reuse the same weights (inference) instead of once per pass; `Conv2D.forward` takes it beside the weights.
public final class WinogradWeights: @unchecked Sendable {
    /// The weights it transforms (held, so their storage is neither freed nor changed in place while this lives).
    public let weight: Tensor
    /// U[xi][cb][ci][6], as `Winograd.transformWeights(forward:cin:cout:)` makes it.
    let u: UnsafeMutablePointer<Float>

    /// The transform of `weight` [Cout, Cin, 3, 3].
    public init(_ weight: Tensor) throws {
        guard weight.rank == 4, weight.shape[2] == 3, weight.shape[3] == 3 else {
            throw ConvError.shapeMismatch(operand: "weight", detail: "expected [Cout, Cin, 3, 3], got \(weight.shape)")
        }
        self.weight = weight
        u = Winograd.transformWeights(forward: weight.storage.pointer, cin: weight.shape[1], cout: weight.shape[0])
    }

    /// Whether a forward pass of `weight` at `stride` can run as F(2x2, 3x3): 3x3, stride 1, enough channels both ways.
    public static func suit(_ weight: Tensor, stride: Int) -> Bool {
        weight.rank == 4 && weight.shape[2] == 3 && weight.shape[3] == 3 && stride == 1
            && weight.shape[0] >= Winograd.minChannels && weight.shape[1] >= Winograd.minChannels
    }

    deinit { u.deallocate() }
}
