import Foundation
import WXCore

/// AdamW (Loshchilov & Hutter, ICLR 2019) with PyTorch's update, step for step (`torch.optim.AdamW`, single-tensor
/// path, amsgrad off), in float32 as PyTorch does it:
///
///     p <- p (1 - lr wd);  m <- m + (1 - b1)(g - m);  v <- b2 v + (1 - b2) g g
///     p <- p - (lr / (1 - b1^t)) m / (sqrt(v) / sqrt(1 - b2^t) + eps)
public struct AdamW: Codable, Equatable, Sendable {
    /// Moment decay rates.
    public var beta1: Double, beta2: Double
    /// Added to the denominator.
    public var eps: Double
    /// Decoupled weight decay.
    public var weightDecay: Double

    /// The optimiser state: step count and the two moments of every parameter.
    public struct State<P: ParameterSet>: Sendable {
        /// Steps taken.
        public var step: Int
        /// First and second moments (same structure as the parameters).
        public var m: P, v: P
    }

    /// PyTorch's defaults: betas (0.9, 0.999), eps 1e-8, weight decay 0.01.
    public init(beta1: Double = 0.9, beta2: Double = 0.999, eps: Double = 1e-8, weightDecay: Double = 0.01) {
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.weightDecay = weightDecay
    }

    /// Zero moments for `p`, step 0.
    public func makeState<P: ParameterSet>(for p: P) -> State<P> {
        State(step: 0, m: p.zeros(), v: p.zeros())
    }

    /// One update of `p` with gradients `g` at learning rate `lr`.
    public func step<P: ParameterSet>(_ p: inout P, gradients g: P, state: inout State<P>, learningRate lr: Double) {
        state.step += 1
        let t = Double(state.step)
        let decay = Float(1 - lr * weightDecay)
        let w1 = Float(1 - beta1), b2 = Float(beta2), w2 = Float(1 - beta2)
        let stepSize = Float(-(lr / (1 - pow(beta1, t))))
        let bc2Sqrt = Float((1 - pow(beta2, t)).squareRoot())
        let epsF = Float(eps)
        let grads = g.tensors
        var ms = state.m.tensors, vs = state.v.tensors
        var i = 0
        p.visit("") { _, param in
            let gt = grads[i]
            precondition(gt.count == param.count, "AdamW: gradient \(i) has \(gt.count) elements, parameter \(param.count)")
            param.withUnsafeMutableBufferPointer { pp in
                ms[i].withUnsafeMutableBufferPointer { mp in
                    vs[i].withUnsafeMutableBufferPointer { vp in
                        gt.withUnsafeBufferPointer { gp in
                            for k in 0..<pp.count {
                                let gk = gp[k]
                                let pk = pp[k] * decay
                                let mk = mp[k] + w1 * (gk - mp[k])
                                let vk = vp[k] * b2 + w2 * gk * gk
                                mp[k] = mk
                                vp[k] = vk
                                pp[k] = pk + stepSize * mk / (vk.squareRoot() / bc2Sqrt + epsF)
                            }
                        }
                    }
                }
            }
            i += 1
        }
        var j = 0
        state.m.visit("") { _, t in t = ms[j]; j += 1 }
        j = 0
        state.v.visit("") { _, t in t = vs[j]; j += 1 }
    }
}
