import XCTest
import WXCore
import WXKernels

/// Plain triple loop in Double: alpha op(A) op(B) for row-major value arrays.
func referenceMatMul(_ av: [Double], _ bv: [Double], m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool,
                     alpha: Double = 1) -> [Double] {
    var c = [Double](repeating: 0, count: m * n)
    for i in 0..<m {
        for j in 0..<n {
            var s = 0.0
            for p in 0..<k {
                let x = transposeA ? av[p * m + i] : av[i * k + p]
                let y = transposeB ? bv[j * k + p] : bv[p * n + j]
                s += x * y
            }
            c[i * n + j] = alpha * s
        }
    }
    return c
}

/// The reference on tensors, plus beta C0.
func referenceMatMul(_ a: Tensor, _ b: Tensor, transposeA: Bool, transposeB: Bool, alpha: Double = 1,
                     beta: Double = 0, c0: [Double]? = nil) -> [Double] {
    let (m, k) = transposeA ? (a.shape[1], a.shape[0]) : (a.shape[0], a.shape[1])
    let n = transposeB ? b.shape[0] : b.shape[1]
    var c = referenceMatMul(a.doubles, b.doubles, m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB, alpha: alpha)
    if let c0 { for i in c.indices { c[i] += beta * c0[i] } }
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
        // Tall products are split by rows, wide ones by columns; transposed operands take other offsets.
        for (m, n, k, ta, tb) in [(700, 40, 300, false, false), (1000, 10, 150, true, true), (97, 500, 300, true, false), (300, 200, 260, false, true)] {
            let a = rng.tensor(ta ? [k, m] : [m, k]), b = rng.tensor(tb ? [n, k] : [k, n])
            let one = try Parallel.withThreads(1) { try MatMul.matmul(a, b, transposeA: ta, transposeB: tb) }
            for t in [2, 3] {
                let many = try Parallel.withThreads(t) { try MatMul.matmul(a, b, transposeA: ta, transposeB: tb) }
                assertSameBits(one, many, "gemm \(m)x\(n)x\(k) 1 vs \(t) threads")
            }
        }
        let x = rng.tensor([6, 40, 70]), y = rng.tensor([6, 70, 50])
        let b1 = try Parallel.withThreads(1) { try MatMul.batchedMatMul(x, y) }
        let b2 = try Parallel.withThreads(2) { try MatMul.batchedMatMul(x, y) }
        assertSameBits(b1, b2, "bmm 1 vs 2 threads")
    }
    func testBackwardMatchesFiniteDifferences() throws {
        var rng = SeededRandom(5)
        let (m, n, k) = (4, 5, 3)
        for ta in [false, true] {
            for tb in [false, true] {
                let a = rng.tensor(ta ? [k, m] : [m, k]), b = rng.tensor(tb ? [n, k] : [k, n]), g = rng.tensor([m, n])
                let (ga, gb) = try MatMul.matmulBackward(a, b, gradC: g, transposeA: ta, transposeB: tb, alpha: 1.5)
                let fa = numericGradient(a.doubles) { dot(referenceMatMul($0, b.doubles, m: m, n: n, k: k, transposeA: ta, transposeB: tb, alpha: 1.5), g.doubles) }
                let fb = numericGradient(b.doubles) { dot(referenceMatMul(a.doubles, $0, m: m, n: n, k: k, transposeA: ta, transposeB: tb, alpha: 1.5), g.doubles) }
                assertClose(ga, fa, shape: a.shape, tolerance: gradientTolerance, "dA tA=\(ta) tB=\(tb)")
                assertClose(gb, fb, shape: b.shape, tolerance: gradientTolerance, "dB tA=\(ta) tB=\(tb)")
            }
        }
    }

    func testBatchedBackwardMatchesFiniteDifferences() throws {
        var rng = SeededRandom(6)
        let (batch, m, n, k) = (3, 2, 4, 3)
        for (ta, tb) in [(false, false), (true, true)] {
            let a = rng.tensor(ta ? [batch, k, m] : [batch, m, k]), b = rng.tensor(tb ? [batch, n, k] : [batch, k, n])
            let g = rng.tensor([batch, m, n])
            func ref(_ av: [Double], _ bv: [Double]) -> [Double] {
                (0..<batch).flatMap { i in
                    referenceMatMul(Array(av[(i * m * k)..<((i + 1) * m * k)]), Array(bv[(i * k * n)..<((i + 1) * k * n)]),
                                    m: m, n: n, k: k, transposeA: ta, transposeB: tb)
                }
            }
            let (ga, gb) = try MatMul.batchedMatMulBackward(a, b, gradC: g, transposeA: ta, transposeB: tb)
            assertClose(ga, numericGradient(a.doubles) { dot(ref($0, b.doubles), g.doubles) }, shape: a.shape, tolerance: gradientTolerance, "bmm dA")
            assertClose(gb, numericGradient(b.doubles) { dot(ref(a.doubles, $0), g.doubles) }, shape: b.shape, tolerance: gradientTolerance, "bmm dB")
        }
        // A shared 2-D operand gets the gradient summed over the batch.
        let w = rng.tensor([m, k]), x = rng.tensor([batch, k, n]), g = rng.tensor([batch, m, n])
        let (gw, _) = try MatMul.batchedMatMulBackward(w, x, gradC: g)
        let fw = numericGradient(w.doubles) { wv in
            dot((0..<batch).flatMap { i in referenceMatMul(wv, Array(x.doubles[(i * k * n)..<((i + 1) * k * n)]), m: m, n: n, k: k, transposeA: false, transposeB: false) }, g.doubles)
        }
        assertClose(gw, fw, shape: w.shape, tolerance: gradientTolerance, "shared-weight dW")
    }

    func testMatchesPyTorch() throws {
        for ta in [false, true] {
            for tb in [false, true] {
                let name = "matmul_" + (ta ? "t" : "n") + (tb ? "t" : "n")
                let a = try OpsGolden.load(name, "a"), b = try OpsGolden.load(name, "b"), go = try OpsGolden.load(name, "go")
                try OpsGolden.check(try MatMul.matmul(a, b, transposeA: ta, transposeB: tb), name, "y", tolerance: forwardTolerance)
                let (ga, gb) = try MatMul.matmulBackward(a, b, gradC: go, transposeA: ta, transposeB: tb)
                try OpsGolden.check(ga, name, "ga", tolerance: gradientTolerance)
                try OpsGolden.check(gb, name, "gb", tolerance: gradientTolerance)
            }
        }
        let a = try OpsGolden.load("bmm", "a"), b = try OpsGolden.load("bmm", "b"), go = try OpsGolden.load("bmm", "go")
        try OpsGolden.check(try MatMul.batchedMatMul(a, b), "bmm", "y", tolerance: forwardTolerance)
        let (ga, gb) = try MatMul.batchedMatMulBackward(a, b, gradC: go)
        try OpsGolden.check(ga, "bmm", "ga", tolerance: gradientTolerance)
        try OpsGolden.check(gb, "bmm", "gb", tolerance: gradientTolerance)
    }
}
