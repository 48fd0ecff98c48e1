import Foundation

/// An elementwise activation fused into the convolution epilogue (applied after the bias).
public enum ConvActivation: Sendable, Equatable {
    /// No activation.
    case none
    /// SiLU (swish): x * sigmoid(x) = x / (1 + exp(-x)).
    case silu
    /// ReLU: max(x, 0).
    case relu

    /// The activation of one value.
    @inline(__always)
    public func apply(_ v: Float) -> Float {
        switch self {
        case .none: return v
        case .silu: return v / (1 + Foundation.exp(-v))
        case .relu: return max(v, 0)
        }
    }
}
