import Foundation
import WXCore

extension Activations {
    /// Applies `f(x, g)` elementwise to input and output gradient of the same shape.
    static func zipMap(_ op: String, _ x: Tensor, _ g: Tensor, _ f: (Float, Float) -> Float) throws -> Tensor {
        guard x.shape == g.shape else {
            throw KernelError.shapeMismatch(op: op, detail: "input \(x.shape) and gradOutput \(g.shape) differ")
        }
        var y = Tensor(zeros: x.shape)
        let xs = x.storage.pointer, gs = g.storage.pointer, dst = y.ownedPointer
        ChunkedLoop.forEach(x.count) { r in for i in r { dst[i] = f(xs[i], gs[i]) } }
        return y
    }

    /// Gradient of SiLU: g * s (1 + x (1 - s)), s = sigmoid(x).
    public static func siluBackward(_ x: Tensor, gradOutput: Tensor) throws -> Tensor {
        try zipMap("siluBackward", x, gradOutput) { v, g in
            let s = 1 / (1 + Foundation.exp(-v))
            return g * s * (1 + v * (1 - s))
        }
    }

    /// Gradient of GELU for the chosen form.
    public static func geluBackward(_ x: Tensor, gradOutput: Tensor, approximation: GELUApproximation = .none) throws -> Tensor {
        switch approximation {
        case .none:
            // d/dx = Phi(x) + x phi(x)
            return try zipMap("geluBackward", x, gradOutput) { v, g in
                let cdf = 0.5 * (1 + Foundation.erf(v * invSqrt2))
                let pdf = invSqrt2Pi * Foundation.exp(-0.5 * v * v)
                return g * (cdf + v * pdf)
            }
        case .tanh:
            return try zipMap("geluBackward", x, gradOutput) { v, g in
                let inner = sqrt2OverPi * (v + 0.044715 * v * v * v)
                let t = Foundation.tanh(inner)
                let dInner = sqrt2OverPi * (1 + 3 * 0.044715 * v * v)
                return g * (0.5 * (1 + t) + 0.5 * v * (1 - t * t) * dInner)
            }
        }
    }
}
