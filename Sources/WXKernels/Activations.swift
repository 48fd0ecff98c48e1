import Foundation
import WXCore

/// Which GELU formula to use. PyTorch's default (`approximate='none'`) is the exact erf form.
public enum GELUApproximation: Sendable, Equatable {
    /// Exact: 0.5 x (1 + erf(x / sqrt 2)); torch.nn.functional.gelu's default.
    case none
    /// Tanh approximation: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))); torch's `approximate='tanh'`.
    case tanh
}

/// Pointwise activations of the U-Net and the VAE.
public enum Activations {
    static let sqrt2OverPi: Float = 0.797_884_560_802_865_4
    static let invSqrt2: Float = 0.707_106_781_186_547_5
    static let invSqrt2Pi: Float = 0.398_942_280_401_432_7

    /// Applies `f` to every element, in parallel chunks.
    static func map(_ x: Tensor, _ f: (Float) -> Float) -> Tensor {
        let src = x.storage.pointer
        return Tensor(unsafeUninitializedShape: x.shape) { buf in
            let dst = buf.baseAddress!
            ChunkedLoop.forEach(x.count) { r in for i in r { dst[i] = f(src[i]) } }
        }
    }

    /// SiLU (swish): x * sigmoid(x) = x / (1 + exp(-x)).
    public static func silu(_ x: Tensor) -> Tensor {
        map(x) { v in v / (1 + Foundation.exp(-v)) }
    }

    /// GELU in the exact erf form (default, as torch) or the tanh approximation.
    public static func gelu(_ x: Tensor, approximation: GELUApproximation = .none) -> Tensor {
        switch approximation {
        case .none:
            return map(x) { v in 0.5 * v * (1 + Foundation.erf(v * invSqrt2)) }
        case .tanh:
            return map(x) { v in 0.5 * v * (1 + Foundation.tanh(sqrt2OverPi * (v + 0.044715 * v * v * v))) }
        }
    }
}
