import WXCore

extension MatMul {
    /// Gradients of C = alpha * op(A) * op(B) with respect to A and B (each in the layout of A and B).
    public static func matmulBackward(_ a: Tensor, _ b: Tensor, gradC: Tensor, transposeA: Bool = false,
                                      transposeB: Bool = false, alpha: Float = 1) throws -> (gradA: Tensor, gradB: Tensor) {
        guard a.rank == 2, b.rank == 2, gradC.rank == 2 else {
            throw KernelError.shapeMismatch(op: "matmulBackward", detail: "expected 2-D tensors, got \(a.shape), \(b.shape), \(gradC.shape)")
        }
        let (m, k) = opDims(a.shape, transposeA), (k2, n) = opDims(b.shape, transposeB)
        guard k == k2, gradC.shape == [m, n] else {
            throw KernelError.shapeMismatch(op: "matmulBackward", detail: "op(A) is \(m)x\(k), op(B) is \(k2)x\(n), gradC is \(gradC.shape)")
        }
        // dop(A) = alpha dC op(B)^T, dop(B) = alpha op(A)^T dC; transposed operands take the transposed product.
        let gradA = transposeA
            ? try matmul(b, gradC, transposeA: transposeB, transposeB: true, alpha: alpha)
            : try matmul(gradC, b, transposeA: false, transposeB: !transposeB, alpha: alpha)
        let gradB = transposeB
            ? try matmul(gradC, a, transposeA: true, transposeB: transposeA, alpha: alpha)
            : try matmul(a, gradC, transposeA: !transposeA, transposeB: false, alpha: alpha)
        return (gradA, gradB)
    }

    /// Gradients of the batched product C[i] = alpha * op(A[i]) * op(B[i]); a shared 2-D operand gets the batch-summed gradient.
    public static func batchedMatMulBackward(_ a: Tensor, _ b: Tensor, gradC: Tensor, transposeA: Bool = false,
                                             transposeB: Bool = false, alpha: Float = 1) throws -> (gradA: Tensor, gradB: Tensor) {
        guard a.rank >= 2, b.rank >= 2, a.rank == 3 || b.rank == 3 else {
            throw KernelError.shapeMismatch(op: "batchedMatMulBackward", detail: "expected [batch, r, c] tensors, got \(a.shape) and \(b.shape)")
        }
        let batch = a.rank == 3 ? a.shape[0] : b.shape[0]
        let m = transposeA ? a.shape[a.rank - 1] : a.shape[a.rank - 2]
        let n = transposeB ? b.shape[b.rank - 2] : b.shape[b.rank - 1]
        guard gradC.shape == [batch, m, n] else {
            throw KernelError.shapeMismatch(op: "batchedMatMulBackward", detail: "gradC is \(gradC.shape), output is \([batch, m, n])")
        }
        let gradA: Tensor, gradB: Tensor
        if a.rank == 3 {
            gradA = transposeA
                ? try batchedMatMul(b, gradC, transposeA: transposeB, transposeB: true, alpha: alpha)
                : try batchedMatMul(gradC, b, transposeA: false, transposeB: !transposeB, alpha: alpha)
        } else {
            gradA = try sumOverBatch(transposeA
                ? try batchedMatMul(b, gradC, transposeA: transposeB, transposeB: true, alpha: alpha)
                : try batchedMatMul(gradC, b, transposeA: false, transposeB: !transposeB, alpha: alpha))
        }
        if b.rank == 3 {
            gradB = transposeB
                ? try batchedMatMul(gradC, a, transposeA: true, transposeB: transposeA, alpha: alpha)
                : try batchedMatMul(a, gradC, transposeA: !transposeA, transposeB: false, alpha: alpha)
        } else {
            gradB = try sumOverBatch(transposeB
                ? try batchedMatMul(gradC, a, transposeA: true, transposeB: transposeA, alpha: alpha)
                : try batchedMatMul(a, gradC, transposeA: !transposeA, transposeB: false, alpha: alpha))
        }
        return (gradA, gradB)
    }

    /// Sum over the leading axis of a [batch, r, c] tensor, in batch order.
    static func sumOverBatch(_ t: Tensor) throws -> Tensor {
        let batch = t.shape[0], inner = t.shape[1] * t.shape[2]
        var out = Tensor(zeros: [t.shape[1], t.shape[2]])
        out.withUnsafeMutableBufferPointer { o in
            let src = t.storage.pointer
            for i in 0..<batch { for j in 0..<inner { o[j] += src[i * inner + j] } }
        }
        return out
    }
}
