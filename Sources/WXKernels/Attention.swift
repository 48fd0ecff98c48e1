import Foundation
import WXCore

/// Weights of a spatial self-attention block: 1x1 projections stored [C_out, C_in] with biases [C].
public struct AttentionParameters: Sendable {
    /// Query projection [C, C] and bias [C].
    public var queryWeight: Tensor, queryBias: Tensor
    /// Key projection [C, C] and bias [C].
    public var keyWeight: Tensor, keyBias: Tensor
    /// Value projection [C, C] and bias [C].
    public var valueWeight: Tensor, valueBias: Tensor
    /// Output projection [C, C] and bias [C].
    public var outputWeight: Tensor, outputBias: Tensor
    /// Number of heads (divides C; each head has C / heads channels).
    public var heads: Int

    /// Collects the projections and the head count.
    public init(queryWeight: Tensor, queryBias: Tensor, keyWeight: Tensor, keyBias: Tensor,
                valueWeight: Tensor, valueBias: Tensor, outputWeight: Tensor, outputBias: Tensor, heads: Int) {
        self.queryWeight = queryWeight; self.queryBias = queryBias
        self.keyWeight = keyWeight; self.keyBias = keyBias
        self.valueWeight = valueWeight; self.valueBias = valueBias
        self.outputWeight = outputWeight; self.outputBias = outputBias
        self.heads = heads
    }
}

/// Intermediates of the attention forward pass kept for the backward pass.
public struct AttentionCache: Sendable {
    /// Projected queries, keys and values, channel-major [N, C, L] (L = H W tokens).
    public var query: Tensor, key: Tensor, value: Tensor
    /// Attention weights softmax(Q K^T / sqrt(d)) per head, [N, heads, L, L] (row = query token).
    public var probabilities: Tensor
    /// Heads' outputs before the output projection, [N, C, L].
    public var context: Tensor
}

/// Multi-head softmax self-attention over the positions of a feature map, with a residual (the U-Net bottleneck).
///
/// For x [N, C, H, W] seen as tokens X [N, C, L]: Q = Wq X + bq, K = Wk X + bk, V = Wv X + bv;
/// per head (d = C / heads channels) O = softmax(Q^T K / sqrt(d)) V^T; y = x + Wo O + bo
/// (Vaswani et al. 2017). Normalisation before the block is left to the caller (e.g. `GroupNorm`).
public enum SpatialAttention {
    /// Validates shapes; returns (N, C, L, d).
    static func check(_ op: String, _ x: Tensor, _ p: AttentionParameters) throws -> (Int, Int, Int, Int) {
        guard x.rank >= 3 else { throw KernelError.shapeMismatch(op: op, detail: "expected [N, C, H, W], got \(x.shape)") }
        let n = x.shape[0], c = x.shape[1], l = x.shape.dropFirst(2).reduce(1, *)
        guard p.heads > 0, c % p.heads == 0 else {
            throw KernelError.invalidParameter(op: op, detail: "\(p.heads) heads do not divide \(c) channels")
        }
        let named: [(String, Tensor, [Int])] = [
            ("queryWeight", p.queryWeight, [c, c]), ("queryBias", p.queryBias, [c]),
            ("keyWeight", p.keyWeight, [c, c]), ("keyBias", p.keyBias, [c]),
            ("valueWeight", p.valueWeight, [c, c]), ("valueBias", p.valueBias, [c]),
            ("outputWeight", p.outputWeight, [c, c]), ("outputBias", p.outputBias, [c]),
        ]
        for (name, t, shape) in named where t.shape != shape {
            throw KernelError.shapeMismatch(op: op, detail: "\(name) is \(t.shape), expected \(shape)")
        }
        return (n, c, l, c / p.heads)
    }

    /// W X + b for X [N, C, L].
    static func project(_ w: Tensor, _ b: Tensor, _ x: Tensor) throws -> Tensor {
        try Elementwise.add(try MatMul.batchedMatMul(w, x), b)
    }

    /// Runs `body(item, parallelInside)` for every (sample, head): items spread over threads when there are enough.
    static func forEachHead(_ items: Int, _ body: (Int, Bool) -> Void) {
        if items >= Parallel.threads { Parallel.forEach(items) { body($0, false) } } else { for i in 0..<items { body(i, true) } }
    }

    /// Row-wise numerically stable softmax of an L x L matrix in place (max subtracted, sums in Double in a fixed order).
    /// The max, exp (`VectorMath.exp`), the sum and the final scaling run eight lanes at a time.
    static func softmaxRows(_ s: UnsafeMutablePointer<Float>, rows: Int, cols: Int) {
        for i in 0..<rows {
            let row = s + i * cols
            var mv = SIMD8<Float>(repeating: -.infinity)
            var j = 0
            while j + 8 <= cols {
                let v = VectorMath.load(row + j)
                mv = mv.replacing(with: v, where: v .> mv)
                j += 8
            }
            var m = mv.max()
            while j < cols { m = max(m, row[j]); j += 1 }
            // e^(x - m) with VectorMath.exp for every element (tail lanes too); the sum in 8 Double lanes, the lanes
            // then added in order 0...7, then the tail in order: a fixed order at any thread count.
            let mv8 = SIMD8<Float>(repeating: m)
            var lanes = SIMD8<Double>(repeating: 0)
            j = 0
            while j + 8 <= cols {
                let e = VectorMath.exp(VectorMath.load(row + j) - mv8)
                VectorMath.store(e, row + j)
                lanes += VectorMath.widen(e)
                j += 8
            }
            var acc = 0.0
            for lane in 0..<8 { acc += lanes[lane] }
            while j < cols {
                let e = VectorMath.exp(SIMD8<Float>(repeating: row[j] - m))[0]
                row[j] = e; acc += Double(e); j += 1
            }
            let inv = Float(1 / acc)
            let iv = SIMD8<Float>(repeating: inv)
            j = 0
            while j + 8 <= cols { VectorMath.store(VectorMath.load(row + j) * iv, row + j); j += 8 }
            while j < cols { row[j] *= inv; j += 1 }
        }
    }

    /// y = x + attention(x) (`residual: false`: attention(x) alone), with the intermediates for `backward`.
    public static func forward(_ x: Tensor, parameters p: AttentionParameters,
                               residual: Bool = true) throws -> (output: Tensor, cache: AttentionCache) {
        let (n, c, l, d) = try check("attention", x, p)
        let x3 = x.reshaped([n, c, l])
        let q = try project(p.queryWeight, p.queryBias, x3)
        let k = try project(p.keyWeight, p.keyBias, x3)
        let v = try project(p.valueWeight, p.valueBias, x3)
        let heads = p.heads
        var probs = Tensor(zeros: [n, heads, l, l]), context = Tensor(zeros: [n, c, l])
        let qp = q.storage.pointer, kp = k.storage.pointer, vp = v.storage.pointer
        let pp = probs.ownedPointer, cp = context.ownedPointer
        let scale = 1 / Float(d).squareRoot()
        forEachHead(n * heads) { item, inside in
            let sample = item / heads, h = item % heads
            let off = sample * c * l + h * d * l
            let s = pp + item * l * l
            Gemm.sgemm(transA: true, transB: false, m: l, n: l, k: d, alpha: scale, a: qp + off, lda: l,
                       b: kp + off, ldb: l, beta: 0, c: s, ldc: l, parallel: inside)
            softmaxRows(s, rows: l, cols: l)
            Gemm.sgemm(transA: false, transB: true, m: d, n: l, k: l, alpha: 1, a: vp + off, lda: l,
                       b: s, ldb: l, beta: 0, c: cp + off, ldc: l, parallel: inside)
        }
        let out = try project(p.outputWeight, p.outputBias, context)
        let y = (residual ? try Elementwise.add(x3, out) : out).reshaped(x.shape)
        return (y, AttentionCache(query: q, key: k, value: v, probabilities: probs, context: context))
    }

    /// residual + attention(x) (attention(x) alone without a residual) for inference: the same bits as `forward`'s
    /// output followed by `Elementwise.add(residual, ·)`, without its intermediates: the L x L scores live in one
    /// buffer per worker, biases and the residual are added in place.
    public static func infer(_ x: Tensor, parameters p: AttentionParameters, adding residual: Tensor? = nil) throws -> Tensor {
        let (n, c, l, d) = try check("attention", x, p)
        if let residual, residual.shape != x.shape {
            throw KernelError.shapeMismatch(op: "attention", detail: "residual is \(residual.shape), expected \(x.shape)")
        }
        let x3 = x.reshaped([n, c, l])
        let q = try projectInPlace(p.queryWeight, p.queryBias, x3)
        let k = try projectInPlace(p.keyWeight, p.keyBias, x3)
        let v = try projectInPlace(p.valueWeight, p.valueBias, x3)
        let heads = p.heads, items = n * heads
        let qp = q.storage.pointer, kp = k.storage.pointer, vp = v.storage.pointer
        let scale = 1 / Float(d).squareRoot()
        // Every (sample, head) writes its d rows of the context, so it needs no zero fill.
        let context = Tensor(unsafeUninitializedShape: [n, c, l]) { buf in
            let cp = buf.baseAddress!
            func head(_ item: Int, _ s: UnsafeMutablePointer<Float>, _ inside: Bool) {
                let off = (item / heads) * c * l + (item % heads) * d * l
                Gemm.sgemm(transA: true, transB: false, m: l, n: l, k: d, alpha: scale, a: qp + off, lda: l,
                           b: kp + off, ldb: l, beta: 0, c: s, ldc: l, parallel: inside)
                softmaxRows(s, rows: l, cols: l)
                Gemm.sgemm(transA: false, transB: true, m: d, n: l, k: l, alpha: 1, a: vp + off, lda: l,
                           b: s, ldb: l, beta: 0, c: cp + off, ldc: l, parallel: inside)
            }
            if items >= Parallel.threads {
                Parallel.forEach(items, perWorker: { ScoreBuffer(l * l) }) { buf, item in head(item, buf.pointer, false) }
            } else {
                let buf = ScoreBuffer(l * l)
                for item in 0..<items { head(item, buf.pointer, true) }
            }
        }
        var y = try MatMul.batchedMatMul(p.outputWeight, context)
        let b = p.outputBias.storage.pointer, yp = y.ownedPointer, rp = residual?.storage.pointer
        Parallel.forEach(n * c) { plane in
            let bias = b[plane % c]
            if let rp {
                for i in (plane * l)..<((plane + 1) * l) { yp[i] = rp[i] + (yp[i] + bias) }
            } else {
                for i in (plane * l)..<((plane + 1) * l) { yp[i] = yp[i] + bias }
            }
        }
        return y.reshaped(x.shape)
    }

    /// W X + b for X [N, C, L], the bias added in place (the same bits as `project`).
    static func projectInPlace(_ w: Tensor, _ b: Tensor, _ x: Tensor) throws -> Tensor {
        var y = try MatMul.batchedMatMul(w, x)
        let n = y.shape[0], c = y.shape[1], l = y.shape[2]
        let bp = b.storage.pointer, yp = y.ownedPointer
        Parallel.forEach(n * c) { plane in
            let bias = bp[plane % c]
            for i in (plane * l)..<((plane + 1) * l) { yp[i] = yp[i] + bias }
        }
        return y
    }
}

/// One worker's L x L attention scores.
final class ScoreBuffer {
    let pointer: UnsafeMutablePointer<Float>

    init(_ count: Int) { pointer = .allocate(capacity: count) }

    deinit { pointer.deallocate() }
}
