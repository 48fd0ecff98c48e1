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

    /// Elements per parallel piece of one tensor's update.
    static let chunk = 16_384

    #if WXENS_AVX512
    /// The vector `update` steps by.
    typealias Vector = SIMD16<Float>
    #else
    /// The vector `update` steps by.
    typealias Vector = SIMD8<Float>
    #endif

    /// The update of elements lo..<hi, a vector at a time then one by one, with the same float32 operations per element.
    @inline(__always)
    static func update(_ p: UnsafeMutablePointer<Float>, _ m: UnsafeMutablePointer<Float>, _ v: UnsafeMutablePointer<Float>,
                       _ g: UnsafePointer<Float>, _ lo: Int, _ hi: Int, decay: Float, w1: Float, b2: Float, w2: Float,
                       stepSize: Float, bc2Sqrt: Float, eps: Float) {
        @inline(__always) func load(_ q: UnsafePointer<Float>) -> Vector { UnsafeRawPointer(q).loadUnaligned(as: Vector.self) }
        @inline(__always) func store(_ x: Vector, _ q: UnsafeMutablePointer<Float>) {
            UnsafeMutableRawPointer(q).storeBytes(of: x, as: Vector.self)
        }
        // Lane by lane: SIMD `squareRoot()` is generic here, with every vector spilled around a libm call per lane.
        @inline(__always) func squareRoot(_ x: Vector) -> Vector {
            var r = x
            for l in 0..<Vector.scalarCount { r[l] = x[l].squareRoot() }
            return r
        }
        var k = lo
        while k + Vector.scalarCount <= hi {
            let gk = load(g + k), mk0 = load(m + k)
            let pk = load(p + k) * decay
            let mk = mk0 + w1 * (gk - mk0)
            let vk = load(v + k) * b2 + w2 * gk * gk
            store(mk, m + k)
            store(vk, v + k)
            store(pk + stepSize * mk / (squareRoot(vk) / bc2Sqrt + eps), p + k)
            k += Vector.scalarCount
        }
        while k < hi {
            let gk = g[k]
            let pk = p[k] * decay
            let mk = m[k] + w1 * (gk - m[k])
            let vk = v[k] * b2 + w2 * gk * gk
            m[k] = mk
            v[k] = vk
            p[k] = pk + stepSize * mk / (vk.squareRoot() / bc2Sqrt + eps)
            k += 1
        }
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
                            let (pb, mb, vb, gb) = (pp.baseAddress, mp.baseAddress, vp.baseAddress, gp.baseAddress)
                            guard let pb, let mb, let vb, let gb else { return }
                            let count = pp.count
                            // Every element is updated on its own, so the chunks and the thread count cannot change a bit.
                            let chunks = (count + Self.chunk - 1) / Self.chunk
                            func run(_ c: Int) {
                                Self.update(pb, mb, vb, gb, c * Self.chunk, min(count, (c + 1) * Self.chunk), decay: decay, w1: w1,
                                            b2: b2, w2: w2, stepSize: stepSize, bc2Sqrt: bc2Sqrt, eps: epsF)
                            }
                            if chunks <= 1 { run(0) } else { Parallel.forEach(chunks) { run($0) } }
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
