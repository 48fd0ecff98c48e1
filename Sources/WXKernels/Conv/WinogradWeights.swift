import WXCore

/// The Winograd transform of 3x3 convolution weights [Cout, Cin, 3, 3], made once for forward passes that reuse the
/// same weights (inference) instead of once per pass; `Conv2D.forward` takes it beside the weights.
public final class WinogradWeights: @unchecked Sendable {
    /// The weights it transforms (held, so their storage is neither freed nor changed in place while this lives).
    public let weight: Tensor
    /// The transform it holds: the one `algorithm` runs.
    let kind: WinogradKind
    /// U[xi][cb][ci][6], as `WinogradKind.transformWeights(forward:cin:cout:)` makes it.
    let u: UnsafeMutablePointer<Float>

    /// The transform of `weight` [Cout, Cin, 3, 3] for `algorithm` (not `.direct`).
    public init(_ weight: Tensor, algorithm: ConvAlgorithm = .automatic) throws {
        guard weight.rank == 4, weight.shape[2] == 3, weight.shape[3] == 3 else {
            throw ConvError.shapeMismatch(operand: "weight", detail: "expected [Cout, Cin, 3, 3], got \(weight.shape)")
        }
        guard let kind = WinogradKind(algorithm) else {
            throw ConvError.badParameter("the direct algorithm has no Winograd transform")
        }
        self.weight = weight
        self.kind = kind
        u = kind.transformWeights(forward: weight.storage.pointer, cin: weight.shape[1], cout: weight.shape[0])
    }

    /// Whether a forward pass of `weight` at `stride` can run as Winograd: 3x3, stride 1, enough channels both ways.
    public static func suit(_ weight: Tensor, stride: Int) -> Bool {
        weight.rank == 4 && weight.shape[2] == 3 && weight.shape[3] == 3 && stride == 1
            && weight.shape[0] >= Winograd.minChannels && weight.shape[1] >= Winograd.minChannels
    }

    deinit { u.deallocate() }
}
