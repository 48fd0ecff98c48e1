/// Which Winograd transform a 3x3 stride-1 convolution runs, and the calls that differ between the two.
enum WinogradKind: Sendable, Equatable {
    /// F(2x2, 3x3): `Winograd`.
    case f2x2
    /// F(4x4, 3x3): `Winograd4x4`.
    case f4x4

    /// The transform `algorithm` asks for first, or nil for the direct kernel.
    init?(_ algorithm: ConvAlgorithm) {
        switch algorithm {
        case .automatic: self = .f4x4
        case .winograd2x2: self = .f2x2
        case .direct: return nil
        }
    }

    /// The transform `algorithm` runs for `g` into `out` and its packing plan, or nil for the direct kernel:
    /// `.automatic` takes F(2x2, 3x3) for outputs of 1 or 2 rows (F(4x4, 3x3) would compute 4 rows for them: more
    /// multiplies per output) and where F(4x4, 3x3) cannot pack a piece (too many input channels for its budget).
    static func choose(_ algorithm: ConvAlgorithm, _ g: ConvGeometry, out: ConvOutput) -> (WinogradKind, ConvTile)? {
        guard var first = WinogradKind(algorithm) else { return nil }
        if first == .f4x4 && g.outHeight <= 2 { first = .f2x2 }
        if let plan = first.plan(g, out: out) { return (first, plan) }
        if first == .f4x4, let plan = Winograd.plan(g, out: out) { return (.f2x2, plan) }
        return nil
    }

    /// The packing plan when `g` can run this transform into `out`, else nil.
    func plan(_ g: ConvGeometry, out: ConvOutput) -> ConvTile? {
        self == .f2x2 ? Winograd.plan(g, out: out) : Winograd4x4.plan(g, out: out)
    }

    /// The transformed forward weights of w [cout][cin][3][3].
    func transformWeights(forward w: UnsafePointer<Float>, cin: Int, cout: Int) -> UnsafeMutablePointer<Float> {
        self == .f2x2 ? Winograd.transformWeights(forward: w, cin: cin, cout: cout)
            : Winograd4x4.transformWeights(forward: w, cin: cin, cout: cout)
    }

    /// The transformed weights of the stride-1 backward-data pass of w [cout][cin][3][3].
    func transformWeights(adjointOf w: UnsafePointer<Float>, cin: Int, cout: Int) -> UnsafeMutablePointer<Float> {
        self == .f2x2 ? Winograd.transformWeights(adjointOf: w, cin: cin, cout: cout)
            : Winograd4x4.transformWeights(adjointOf: w, cin: cin, cout: cout)
    }

    /// The convolution for a geometry `plan(_:out:)` accepted, with weights from `transformWeights`.
    func forward(x: UnsafePointer<Float>, g: ConvGeometry, plan: ConvTile, u: UnsafePointer<Float>,
                 bias: UnsafePointer<Float>?, activation: ConvActivation, out: ConvOutput) {
        if self == .f2x2 {
            Winograd.forward(x: x, g: g, plan: plan, u: u, bias: bias, activation: activation, out: out)
        } else {
            Winograd4x4.forward(x: x, g: g, plan: plan, u: u, bias: bias, activation: activation, out: out)
        }
    }
}
