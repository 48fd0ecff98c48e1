import XCTest
import WXCore
import WXKernels

/// Plain triple loop in Double: C = alpha op(A) op(B) + beta C0.
func referenceMatMul(_ a: Tensor, _ b: Tensor, transposeA: Bool, transposeB: Bool, alpha: Double = 1,
                     beta: Double = 0, c0: [Double]? = nil) -> [Double] {
    let (m, k) = transposeA ? (a.shape[1], a.shape[0]) : (a.shape[0], a.shape[1])
    let n = transposeB ? b.shape[0] : b.shape[1]
    let av = a.doubles, bv = b.doubles
    var c = [Double](repeating: 0, count: m * n)
    for i in 0..<m {
        for j in 0..<n {
            var s = 0.0
            for p in 0..<k {
                let x = transposeA ? av[p * m + i] : av[i * k + p]
                let y = transposeB ? bv[j * k + p] : bv[p * n + j]
                s += x * y
            }
            c[i * n + j] = alpha * s + (c0.map { beta * $0[i * n + j] } ?? 0)
        }
    }
    return c
}

final class MatMulTests: XCTestCase {
    func testMatchesReferenceOnAssortedShapes() throws {
        var rng = SeededRandom(1)
        let shapes = [(1, 1, 1), (1, 7, 3), (5, 1, 9), (6, 16, 4), (7, 17, 5), (13, 33, 300), (150, 40, 257), (37, 3100, 11), (300, 20, 70)]
        for (m, n, k) in shapes {
            for ta in [false, true] {
                for tb in [false, true] {
                    let a = rng.tensor(ta ? [k, m] : [m, k]), b = rng.tensor(tb ? [n, k] : [k, n])
                    let c = try MatMul.matmul(a, b, transposeA: ta, transposeB: tb, alpha: 0.75)
                    let ref = referenceMatMul(a, b, transposeA: ta, transposeB: tb, alpha: 0.75)
                    assertClose(c, ref, shape: [m, n], tolerance: 1e-5, "matmul \(m)x\(n)x\(k) tA=\(ta) tB=\(tb)")
                }
            }
        }
    }

    func testAlphaBetaAccumulate() throws {
        var rng = SeededRandom(2)
        let a = rng.tensor([19, 300]), b = rng.tensor([300, 23])
        var c = rng.tensor([19, 23])
        let ref = referenceMatMul(a, b, transposeA: false, transposeB: false, alpha: -0.5, beta: 2, c0: c.doubles)
        try MatMul.matmul(a, b, into: &c, alpha: -0.5, beta: 2)
        assertClose(c, ref, tolerance: 1e-5, "alpha/beta")
        var nanC = Tensor(shape: [19, 23], repeating: .nan)
        try MatMul.matmul(a, b, into: &nanC, beta: 0)
        XCTAssertFalse(nanC.array.contains { $0.isNaN }, "beta = 0 must not read C")
    }

    func testEmptyInnerDimensionGivesBetaC() throws {
        let a = Tensor(zeros: [3, 0]), b = Tensor(zeros: [0, 4])
        var c = Tensor(shape: [3, 4], repeating: 2)
        try MatMul.matmul(a, b, into: &c, beta: 0.5)
        XCTAssertEqual(c.array, [Float](repeating: 1, count: 12))
    }

    func testShapeMismatchThrows() {
        XCTAssertThrowsError(try MatMul.matmul(Tensor(zeros: [2, 3]), Tensor(zeros: [4, 2]))) { error in
            XCTAssertTrue("\(error)".contains("matmul"), "\(error)")
        }
        XCTAssertThrowsError(try MatMul.batchedMatMul(Tensor(zeros: [2, 3, 4]), Tensor(zeros: [3, 4, 5])))
    }

    func testBatchedMatchesPerItem() throws {
        var rng = SeededRandom(3)
        for (batch, m, n, k) in [(1, 1, 1, 1), (3, 5, 7, 9), (4, 64, 64, 16), (2, 200, 30, 300)] {
            for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
                let a = rng.tensor(ta ? [batch, k, m] : [batch, m, k]), b = rng.tensor(tb ? [batch, n, k] : [batch, k, n])
                let c = try MatMul.batchedMatMul(a, b, transposeA: ta, transposeB: tb)
                var ref: [Double] = []
                for i in 0..<batch {
                    let ai = Tensor(shape: Array(a.shape.dropFirst()), values: Array(a.array[(i * m * k)..<((i + 1) * m * k)]))
                    let bi = Tensor(shape: Array(b.shape.dropFirst()), values: Array(b.array[(i * k * n)..<((i + 1) * k * n)]))
                    ref += referenceMatMul(ai, bi, transposeA: ta, transposeB: tb)
                }
                assertClose(c, ref, shape: [batch, m, n], tolerance: 1e-5, "bmm \(batch)x\(m)x\(n)x\(k)")
            }
        }
        let shared = rng.tensor([4, 6]), b = rng.tensor([3, 6, 5])
        let c = try MatMul.batchedMatMul(shared, b)
        let c1 = try MatMul.matmul(shared, Tensor(shape: [6, 5], values: Array(b.array[30..<60])))
        XCTAssertEqual(Array(c.array[20..<40]), c1.array)
    }

    func testSameBitsAtOneAndTwoThreads() throws {
        var rng = SeededRandom(4)
        let a = rng.tensor([151, 300]), b = rng.tensor([300, 3090])
        let one = try Parallel.withThreads(1) { try MatMul.matmul(a, b) }
        let two = try Parallel.withThreads(2) { try MatMul.matmul(a, b) }
        let three = try Parallel.withThreads(3) { try MatMul.matmul(a, b) }
        assertSameBits(one, two, "gemm 1 vs 2 threads")
        assertSameBits(one, three, "gemm 1 vs 3 threads")
        let x = rng.tensor([6, 40, 70]), y = rng.tensor([6, 70, 50])
        let b1 = try Parallel.withThreads(1) { try MatMul.batchedMatMul(x, y) }
        let b2 = try Parallel.withThreads(2) { try MatMul.batchedMatMul(x, y) }
        assertSameBits(b1, b2, "bmm 1 vs 2 threads")
    }
}
