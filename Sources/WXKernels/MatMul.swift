import WXCore

/// Matrix products on tensors: linear layers, 1x1 convolutions and batched products for attention.
public enum MatMul {
    /// Rows and columns of op(X) for a 2-D shape [r, c].
    static func opDims(_ shape: [Int], _ transposed: Bool) -> (Int, Int) {
        transposed ? (shape[1], shape[0]) : (shape[0], shape[1])
    }

    /// C = alpha * op(A) * op(B) for 2-D tensors (op = transpose when asked).
    public static func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false,
                              alpha: Float = 1) throws -> Tensor {
        guard a.rank == 2, b.rank == 2 else {
            throw KernelError.shapeMismatch(op: "matmul", detail: "expected 2-D tensors, got \(a.shape) and \(b.shape)")
        }
        let (m, k) = opDims(a.shape, transposeA), (k2, n) = opDims(b.shape, transposeB)
        guard k == k2 else {
            throw KernelError.shapeMismatch(op: "matmul", detail: "inner extents differ: op(A) is \(m)x\(k), op(B) is \(k2)x\(n)")
        }
        // With beta 0 the product writes every element of C, so it needs no zero fill.
        var c = Tensor(unsafeUninitializedShape: [m, n]) { _ in }
        try matmul(a, b, into: &c, transposeA: transposeA, transposeB: transposeB, alpha: alpha, beta: 0)
        return c
    }

    /// C = alpha * op(A) * op(B) + beta * C in place, for 2-D tensors.
    public static func matmul(_ a: Tensor, _ b: Tensor, into c: inout Tensor, transposeA: Bool = false,
                              transposeB: Bool = false, alpha: Float = 1, beta: Float = 0) throws {
        guard a.rank == 2, b.rank == 2, c.rank == 2 else {
            throw KernelError.shapeMismatch(op: "matmul", detail: "expected 2-D tensors, got \(a.shape), \(b.shape), C \(c.shape)")
        }
        let (m, k) = opDims(a.shape, transposeA), (k2, n) = opDims(b.shape, transposeB)
        guard k == k2, c.shape == [m, n] else {
            throw KernelError.shapeMismatch(op: "matmul", detail: "op(A) is \(m)x\(k), op(B) is \(k2)x\(n), C is \(c.shape)")
        }
        c.withUnsafeMutableBufferPointer { cp in
            Gemm.sgemm(transA: transposeA, transB: transposeB, m: m, n: n, k: k, alpha: alpha,
                       a: a.storage.pointer, lda: a.shape[1], b: b.storage.pointer, ldb: b.shape[1],
                       beta: beta, c: cp.baseAddress!, ldc: n)
        }
    }

    /// C[i] = alpha * op(A[i]) * op(B[i]) for 3-D tensors [batch, rows, cols]; a 2-D A or B is shared by every batch item.
    public static func batchedMatMul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false,
                                     alpha: Float = 1) throws -> Tensor {
        guard (a.rank == 3 || a.rank == 2), (b.rank == 3 || b.rank == 2), a.rank == 3 || b.rank == 3 else {
            throw KernelError.shapeMismatch(op: "batchedMatMul", detail: "expected [batch, r, c] tensors, got \(a.shape) and \(b.shape)")
        }
        let batch = a.rank == 3 ? a.shape[0] : b.shape[0]
        if a.rank == 3 && b.rank == 3 && a.shape[0] != b.shape[0] {
            throw KernelError.shapeMismatch(op: "batchedMatMul", detail: "batch extents differ: \(a.shape[0]) and \(b.shape[0])")
        }
        let as2 = Array(a.shape.suffix(2)), bs2 = Array(b.shape.suffix(2))
        let (m, k) = opDims(as2, transposeA), (k2, n) = opDims(bs2, transposeB)
        guard k == k2 else {
            throw KernelError.shapeMismatch(op: "batchedMatMul", detail: "inner extents differ: op(A) is \(m)x\(k), op(B) is \(k2)x\(n)")
        }
        var c = Tensor(unsafeUninitializedShape: [batch, m, n]) { _ in }  // every element written (beta 0)
        let aStride = a.rank == 3 ? as2[0] * as2[1] : 0, bStride = b.rank == 3 ? bs2[0] * bs2[1] : 0
        c.withUnsafeMutableBufferPointer { cp in
            let cBase = cp.baseAddress!
            let perItem = m * n * k
            let body = { (i: Int, parallel: Bool) in
                Gemm.sgemm(transA: transposeA, transB: transposeB, m: m, n: n, k: k, alpha: alpha,
                           a: a.storage.pointer + i * aStride, lda: as2[1], b: b.storage.pointer + i * bStride, ldb: bs2[1],
                           beta: 0, c: cBase + i * m * n, ldc: n, parallel: parallel)
            }
            // Small items are spread over threads one item each; large ones use the threads inside the product.
            if perItem < Gemm.serialThreshold * 4 {
                Parallel.forEach(batch) { body($0, false) }
            } else {
                for i in 0..<batch { body(i, true) }
            }
        }
        return c
    }
}
