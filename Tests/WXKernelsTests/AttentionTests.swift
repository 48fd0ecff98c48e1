import Foundation
import XCTest
import WXCore
import WXKernels

/// Plain multi-head attention block in Double: x [N, C, L], params [qw, qb, kw, kb, vw, vb, ow, ob].
func referenceAttention(_ x: [Double], n: Int, c: Int, l: Int, heads: Int, _ p: [[Double]]) -> [Double] {
    let d = c / heads
    var y = x
    for s in 0..<n {
        func project(_ w: [Double], _ b: [Double]) -> [[Double]] {  // [token][channel]
            var out = [[Double]](repeating: [Double](repeating: 0, count: c), count: l)
            for t in 0..<l {
                for o in 0..<c {
                    var acc = b[o]
                    for i in 0..<c { acc += w[o * c + i] * x[(s * c + i) * l + t] }
                    out[t][o] = acc
                }
            }
            return out
        }
        let q = project(p[0], p[1]), k = project(p[2], p[3]), v = project(p[4], p[5])
        var o = [[Double]](repeating: [Double](repeating: 0, count: c), count: l)
        for h in 0..<heads {
            let chans = (h * d)..<((h + 1) * d)
            for i in 0..<l {
                var logits = [Double](repeating: 0, count: l)
                for j in 0..<l {
                    var acc = 0.0
                    for ch in chans { acc += q[i][ch] * k[j][ch] }
                    logits[j] = acc / Double(d).squareRoot()
                }
                let m = logits.max()!
                let e = logits.map { exp($0 - m) }
                let z = e.reduce(0, +)
                for ch in chans {
                    var acc = 0.0
                    for j in 0..<l { acc += e[j] / z * v[j][ch] }
                    o[i][ch] = acc
                }
            }
        }
        for ch in 0..<c {
            for t in 0..<l {
                var acc = p[7][ch]
                for i in 0..<c { acc += p[6][ch * c + i] * o[t][i] }
                y[(s * c + ch) * l + t] += acc
            }
        }
    }
    return y
}

final class AttentionTests: XCTestCase {
    static let names = ["qw", "qb", "kw", "kb", "vw", "vb", "ow", "ob"]

    func parameters(_ t: [Tensor], heads: Int) -> AttentionParameters {
        AttentionParameters(queryWeight: t[0], queryBias: t[1], keyWeight: t[2], keyBias: t[3],
                            valueWeight: t[4], valueBias: t[5], outputWeight: t[6], outputBias: t[7], heads: heads)
    }

    func list(_ p: AttentionParameters) -> [Tensor] {
        [p.queryWeight, p.queryBias, p.keyWeight, p.keyBias, p.valueWeight, p.valueBias, p.outputWeight, p.outputBias]
    }

    func randomParameters(_ rng: inout SeededRandom, c: Int) -> [Tensor] {
        let s = 1.5 / Double(c).squareRoot()
        return (0..<8).map { i in i % 2 == 0 ? rng.tensor([c, c], -s, s) : rng.tensor([c], -0.2, 0.2) }
    }

    /// The key bias shifts every logit of a softmax row equally, so its gradient is zero up to rounding:
    /// it is measured against the scale of the key weight gradient instead of its own.
    func keyBiasScale(_ index: Int, _ grads: AttentionParameters) -> Double {
        index == 3 ? max(Double(grads.keyWeight.array.map(abs).max() ?? 0), 1e-6) : 1e-6
    }

    /// `infer` gives the bits of `forward` (plus the residual added afterward), with heads spread over threads or not.
    func testInferGivesTheBitsOfForward() throws {
        var rng = SeededRandom(33)
        for (shape, heads) in [([1, 8, 3, 5], 1), ([2, 16, 9, 7], 4), ([1, 32, 12, 24], 4)] {
            let x = rng.tensor(shape), r = rng.tensor(shape), p = parameters(randomParameters(&rng, c: shape[1]), heads: heads)
            let a = try SpatialAttention.forward(x, parameters: p, residual: false).output
            for threads in [1, 2] {
                let (alone, added) = try Parallel.withThreads(threads) {
                    (try SpatialAttention.infer(x, parameters: p), try SpatialAttention.infer(x, parameters: p, adding: r))
                }
                XCTAssertEqual(alone.array.map(\.bitPattern), a.array.map(\.bitPattern), "\(shape) heads \(heads), \(threads) threads")
                XCTAssertEqual(added.array.map(\.bitPattern), try Elementwise.add(r, a).array.map(\.bitPattern),
                               "\(shape) heads \(heads) with residual, \(threads) threads")
            }
        }
    }

    func testForwardMatchesReference() throws {
        var rng = SeededRandom(30)
        for (shape, heads) in [([2, 4, 3, 2], 2), ([1, 1, 1, 1], 1), ([1, 3, 1, 5], 1), ([2, 6, 2, 2], 3), ([2, 16, 9, 7], 4)] {
            let (n, c, l) = (shape[0], shape[1], shape[2] * shape[3])
            let x = rng.tensor(shape), ps = randomParameters(&rng, c: c)
            let (y, cache) = try SpatialAttention.forward(x, parameters: parameters(ps, heads: heads))
            let ref = referenceAttention(x.doubles, n: n, c: c, l: l, heads: heads, ps.map(\.doubles))
            assertClose(y, ref, shape: shape, tolerance: forwardTolerance, "attention \(shape) heads \(heads)")
            // Every softmax row sums to 1.
            let p = cache.probabilities.array
            for r in 0..<(n * heads * l) {
                XCTAssertEqual(p[(r * l)..<((r + 1) * l)].reduce(0, +), 1, accuracy: 1e-5)
            }
        }
    }

    func testBackwardMatchesFiniteDifferences() throws {
        var rng = SeededRandom(31)
        for (shape, heads) in [([2, 4, 3, 2], 2), ([1, 1, 1, 1], 1), ([1, 3, 1, 5], 1), ([1, 6, 2, 1], 3)] {
            let (n, c, l) = (shape[0], shape[1], shape[2] * shape[3])
            let x = rng.tensor(shape), ps = randomParameters(&rng, c: c), go = rng.tensor(shape)
            let p = parameters(ps, heads: heads)
            let (_, cache) = try SpatialAttention.forward(x, parameters: p)
            let (gx, gp) = try SpatialAttention.backward(x, parameters: p, cache: cache, gradOutput: go)
            let pd = ps.map(\.doubles)
            let fx = numericGradient(x.doubles) { dot(referenceAttention($0, n: n, c: c, l: l, heads: heads, pd), go.doubles) }
            assertClose(gx, fx, shape: shape, tolerance: gradientTolerance, "attention dx \(shape)")
            for (i, g) in list(gp).enumerated() {
                let fp = numericGradient(pd[i]) { v in
                    var q = pd
                    q[i] = v
                    return dot(referenceAttention(x.doubles, n: n, c: c, l: l, heads: heads, q), go.doubles)
                }
                assertClose(g, fp, shape: ps[i].shape, tolerance: gradientTolerance, scaleFloor: keyBiasScale(i, gp),
                            "attention d\(Self.names[i]) \(shape)")
            }
        }
    }

    /// Without the residual, forward is the block's output minus x and backward drops the identity term.
    func testWithoutResidual() throws {
        var rng = SeededRandom(33)
        let shape = [2, 4, 3, 2], heads = 2
        let x = rng.tensor(shape), ps = randomParameters(&rng, c: 4), go = rng.tensor(shape)
        let p = parameters(ps, heads: heads)
        let (y, cache) = try SpatialAttention.forward(x, parameters: p)
        let (a, cacheA) = try SpatialAttention.forward(x, parameters: p, residual: false)
        assertClose(a, zip(y.doubles, x.doubles).map { $0 - $1 }, tolerance: 1e-6, "attention without residual")
        let (gx, _) = try SpatialAttention.backward(x, parameters: p, cache: cache, gradOutput: go)
        let (gxa, _) = try SpatialAttention.backward(x, parameters: p, cache: cacheA, gradOutput: go, residual: false)
        assertClose(gxa, zip(gx.doubles, go.doubles).map { $0 - $1 }, tolerance: 1e-5, "attention dx without residual")
    }

    func testMatchesPyTorch() throws {
        let x = try OpsGolden.load("attention", "x")
        let ps = try Self.names.map { try OpsGolden.load("attention", $0) }
        let p = parameters(ps, heads: 2)
        let (y, cache) = try SpatialAttention.forward(x, parameters: p)
        try OpsGolden.check(y, "attention", "y", tolerance: forwardTolerance)
        let (gx, gp) = try SpatialAttention.backward(x, parameters: p, cache: cache, gradOutput: try OpsGolden.load("attention", "go"))
        try OpsGolden.check(gx, "attention", "gx", tolerance: gradientTolerance)
        for (i, (name, g)) in zip(Self.names, list(gp)).enumerated() {
            try OpsGolden.check(g, "attention", "g" + name, tolerance: gradientTolerance, scaleFloor: keyBiasScale(i, gp))
        }
    }

    func testLargeLogitsStayFinite() throws {
        var rng = SeededRandom(32)
        let x = rng.tensor([1, 4, 3, 3], -50, 50), ps = randomParameters(&rng, c: 4).map { t in
            t.rank == 2 ? Tensor(shape: t.shape, values: t.array.map { $0 * 20 }) : t
        }
        let (y, _) = try SpatialAttention.forward(x, parameters: parameters(ps, heads: 1))
        XCTAssertTrue(y.array.allSatisfy(\.isFinite))
    }

    func testSameBitsAtOneAndTwoThreads() throws {
        var rng = SeededRandom(33)
        for (shape, heads) in [([1, 32, 20, 20], 1), ([2, 32, 8, 8], 4)] {
            let x = rng.tensor(shape), p = parameters(randomParameters(&rng, c: shape[1]), heads: heads), go = rng.tensor(shape)
            func run() throws -> [Tensor] {
                let (y, cache) = try SpatialAttention.forward(x, parameters: p)
                let (gx, gp) = try SpatialAttention.backward(x, parameters: p, cache: cache, gradOutput: go)
                return [y, gx] + list(gp)
            }
            let one = try Parallel.withThreads(1, run), two = try Parallel.withThreads(2, run)
            for (a, b) in zip(one, two) { assertSameBits(a, b, "attention \(shape)") }
        }
    }

    func testBadInputThrows() {
        var rng = SeededRandom(34)
        let ps = randomParameters(&rng, c: 6)
        XCTAssertThrowsError(try SpatialAttention.forward(Tensor(zeros: [1, 6, 2, 2]), parameters: parameters(ps, heads: 4))) { e in
            XCTAssertTrue("\(e)".contains("heads"), "\(e)")
        }
        XCTAssertThrowsError(try SpatialAttention.forward(Tensor(zeros: [1, 5, 2, 2]), parameters: parameters(ps, heads: 1)))
    }
}
