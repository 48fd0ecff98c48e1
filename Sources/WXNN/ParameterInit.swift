import WXCore

/// Initial values of parameters, drawn from a counter-based stream so a model's start is fixed by its seed.
public enum ParameterInit {
    /// A tensor with entries uniform in [-bound, bound) (24 random bits each).
    public static func uniform(_ shape: [Int], bound: Float, _ rng: inout some RandomNumberGenerator) -> Tensor {
        Tensor(unsafeUninitializedShape: shape) { buf in
            for i in 0..<buf.count {
                let u = Float(rng.next() >> 40) * 0x1p-24
                buf[i] = (2 * u - 1) * bound
            }
        }
    }

    /// PyTorch's default bound for Conv2d and Linear weights and biases (`kaiming_uniform_(a=sqrt(5))`): 1/sqrt(fan_in).
    public static func defaultBound(fanIn: Int) -> Float {
        fanIn > 0 ? 1 / Float(fanIn).squareRoot() : 0
    }
}
