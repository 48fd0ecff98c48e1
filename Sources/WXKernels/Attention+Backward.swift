import WXCore

extension SpatialAttention {
    /// Gradients of `forward` (with the same `residual`) for the input and every parameter (in the parameters' layout).
    public static func backward(_ x: Tensor, parameters p: AttentionParameters, cache: AttentionCache,
                                gradOutput: Tensor, residual: Bool = true) throws -> (gradInput: Tensor, gradParameters: AttentionParameters) {
        let (n, c, l, d) = try check("attentionBackward", x, p)
        guard gradOutput.shape == x.shape else {
            throw KernelError.shapeMismatch(op: "attentionBackward", detail: "gradOutput \(gradOutput.shape) differs from x \(x.shape)")
        }
        let heads = p.heads
        for (name, t, shape) in [("query", cache.query, [n, c, l]), ("key", cache.key, [n, c, l]), ("value", cache.value, [n, c, l]),
                                 ("context", cache.context, [n, c, l]), ("probabilities", cache.probabilities, [n, heads, l, l])]
            where t.shape != shape {
            throw KernelError.shapeMismatch(op: "attentionBackward", detail: "cache \(name) is \(t.shape), expected \(shape)")
        }
        let x3 = x.reshaped([n, c, l]), g3 = gradOutput.reshaped([n, c, l])

        // Output projection.
        let (gWo, gbo, gContext) = try projectionBackward(p.outputWeight, input: cache.context, gradOutput: g3)

        // Per head: context = V P^T, P = softmax(scale Q^T K).
        var gq = Tensor(zeros: [n, c, l]), gk = Tensor(zeros: [n, c, l]), gv = Tensor(zeros: [n, c, l])
        let qp = cache.query.storage.pointer, kp = cache.key.storage.pointer, vp = cache.value.storage.pointer
        let pp = cache.probabilities.storage.pointer, gcp = gContext.storage.pointer
        let gqp = gq.ownedPointer, gkp = gk.ownedPointer, gvp = gv.ownedPointer
        let scale = 1 / Float(d).squareRoot()
        forEachHead(n * heads) { item, inside in
            let sample = item / heads, h = item % heads
            let off = sample * c * l + h * d * l
            let prob = pp + item * l * l
            let raw = UnsafeMutableRawPointer.allocate(byteCount: max(1, l * l) * 4, alignment: 64)
            defer { raw.deallocate() }
            let ds = raw.bindMemory(to: Float.self, capacity: max(1, l * l))
            // dP[i, j] = sum_c dO[c, i] V[c, j]; dV = dO P.
            Gemm.sgemm(transA: true, transB: false, m: l, n: l, k: d, alpha: 1, a: gcp + off, lda: l,
                       b: vp + off, ldb: l, beta: 0, c: ds, ldc: l, parallel: inside)
            Gemm.sgemm(transA: false, transB: false, m: d, n: l, k: l, alpha: 1, a: gcp + off, lda: l,
                       b: prob, ldb: l, beta: 0, c: gvp + off, ldc: l, parallel: inside)
            // Softmax backward: dS = P (dP - sum_j P dP).
            for i in 0..<l {
                let pr = prob + i * l, dr = ds + i * l
                // The dot in 8 Double lanes, added in order 0...7, then the tail in order.
                var lanes = SIMD8<Double>(repeating: 0)
                var j = 0
                while j + 8 <= l {
                    lanes += VectorMath.widen(VectorMath.load(pr + j)) * VectorMath.widen(VectorMath.load(dr + j))
                    j += 8
                }
                var dot = 0.0
                for lane in 0..<8 { dot += lanes[lane] }
                while j < l { dot += Double(pr[j]) * Double(dr[j]); j += 1 }
                let dotF = Float(dot), dv = SIMD8<Float>(repeating: dotF)
                j = 0
                while j + 8 <= l {
                    VectorMath.store(VectorMath.load(pr + j) * (VectorMath.load(dr + j) - dv), dr + j)
                    j += 8
                }
                while j < l { dr[j] = pr[j] * (dr[j] - dotF); j += 1 }
            }
            // dQ = scale K dS^T, dK = scale Q dS.
            Gemm.sgemm(transA: false, transB: true, m: d, n: l, k: l, alpha: scale, a: kp + off, lda: l,
                       b: ds, ldb: l, beta: 0, c: gqp + off, ldc: l, parallel: inside)
            Gemm.sgemm(transA: false, transB: false, m: d, n: l, k: l, alpha: scale, a: qp + off, lda: l,
                       b: ds, ldb: l, beta: 0, c: gkp + off, ldc: l, parallel: inside)
        }

        let (gWq, gbq, gxq) = try projectionBackward(p.queryWeight, input: x3, gradOutput: gq)
        let (gWk, gbk, gxk) = try projectionBackward(p.keyWeight, input: x3, gradOutput: gk)
        let (gWv, gbv, gxv) = try projectionBackward(p.valueWeight, input: x3, gradOutput: gv)
        let gq3 = residual ? try Elementwise.add(g3, gxq) : gxq
        let gx = try Elementwise.add(try Elementwise.add(gq3, gxk), gxv).reshaped(x.shape)
        let grads = AttentionParameters(queryWeight: gWq, queryBias: gbq, keyWeight: gWk, keyBias: gbk,
                                        valueWeight: gWv, valueBias: gbv, outputWeight: gWo, outputBias: gbo, heads: heads)
        return (gx, grads)
    }

    /// Gradients of Y = W X + b for X [N, C, L]: (dW = sum_n dY X^T, db = sum dY over n and L, dX = W^T dY).
    static func projectionBackward(_ w: Tensor, input x: Tensor, gradOutput g: Tensor) throws -> (Tensor, Tensor, Tensor) {
        let gw = try MatMul.sumOverBatch(try MatMul.batchedMatMul(g, x, transposeB: true))
        let gb = try Elementwise.addBackward(gradOutput: g, bShape: [w.shape[0]]).gradB
        let gx = try MatMul.batchedMatMul(w, g, transposeA: true)
        return (gw, gb, gx)
    }
}
