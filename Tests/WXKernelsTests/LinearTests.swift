import XCTest
import WXCore
import WXKernels

/// y[n, o, s] = b[o] + sum_i W[o, i] x[n, i, s] in Double (a linear layer is the case s = 1).
func referencePointwise(_ x: [Double], _ w: [Double], _ b: [Double], n: Int, cin: Int, cout: Int, s: Int) -> [Double] {
    var y = [Double](repeating: 0, count: n * cout * s)
    for sample in 0..<n { for o in 0..<cout { for p in 0..<s {
        var acc = b[o]
        for i in 0..<cin { acc += w[o * cin + i] * x[(sample * cin + i) * s + p] }
        y[(sample * cout + o) * s + p] = acc
    } } }
    return y
}

final class LinearTests: XCTestCase {
    func testLinearMatchesReferenceAndFiniteDifferences() throws {
        var rng = SeededRandom(80)
        for (n, cin, cout) in [(1, 1, 1), (5, 7, 3), (2, 1, 9), (33, 20, 17)] {
            let x = rng.tensor([n, cin]), w = rng.tensor([cout, cin]), b = rng.tensor([cout]), go = rng.tensor([n, cout])
            // Rows of x as samples with one position: the pointwise reference with s = 1.
            let ref = { (xv: [Double], wv: [Double], bv: [Double]) in referencePointwise(xv, wv, bv, n: n, cin: cin, cout: cout, s: 1) }
            assertClose(try Linear.forward(x, weight: w, bias: b), ref(x.doubles, w.doubles, b.doubles), shape: [n, cout],
                        tolerance: forwardTolerance, "linear \(n)x\(cin)->\(cout)")
            assertClose(try Linear.forward(x, weight: w), ref(x.doubles, w.doubles, .init(repeating: 0, count: cout)),
                        tolerance: forwardTolerance, "linear without bias")
            guard n * cin < 100 else { continue }
            let (gx, gw, gb) = try Linear.backward(x, weight: w, gradOutput: go)
            assertClose(gx, numericGradient(x.doubles) { dot(ref($0, w.doubles, b.doubles), go.doubles) }, shape: x.shape, tolerance: gradientTolerance, "linear dx")
            assertClose(gw, numericGradient(w.doubles) { dot(ref(x.doubles, $0, b.doubles), go.doubles) }, shape: w.shape, tolerance: gradientTolerance, "linear dW")
            assertClose(try XCTUnwrap(gb), numericGradient(b.doubles) { dot(ref(x.doubles, w.doubles, $0), go.doubles) }, shape: [cout], tolerance: gradientTolerance, "linear db")
        }
    }

    func testPointwiseConvMatchesReferenceAndFiniteDifferences() throws {
        var rng = SeededRandom(81)
        for shape in [[1, 1, 1, 1], [2, 3, 4, 5], [1, 4, 1, 7], [3, 2, 3, 3]] {
            let (n, cin, s) = (shape[0], shape[1], shape[2] * shape[3]), cout = 3
            let x = rng.tensor(shape), w = rng.tensor([cout, cin, 1, 1]), b = rng.tensor([cout])
            let out = [n, cout, shape[2], shape[3]], go = rng.tensor(out)
            let ref = { (xv: [Double], wv: [Double], bv: [Double]) in referencePointwise(xv, wv, bv, n: n, cin: cin, cout: cout, s: s) }
            assertClose(try Linear.pointwiseConv(x, weight: w, bias: b), ref(x.doubles, w.doubles, b.doubles), shape: out,
                        tolerance: forwardTolerance, "1x1 conv \(shape)")
            let (gx, gw, gb) = try Linear.pointwiseConvBackward(x, weight: w, gradOutput: go)
            assertClose(gx, numericGradient(x.doubles) { dot(ref($0, w.doubles, b.doubles), go.doubles) }, shape: shape, tolerance: gradientTolerance, "1x1 dx")
            assertClose(gw, numericGradient(w.doubles) { dot(ref(x.doubles, $0, b.doubles), go.doubles) }, shape: w.shape, tolerance: gradientTolerance, "1x1 dW")
            assertClose(try XCTUnwrap(gb), numericGradient(b.doubles) { dot(ref(x.doubles, w.doubles, $0), go.doubles) }, shape: [cout], tolerance: gradientTolerance, "1x1 db")
        }
    }

    func testMatchesPyTorch() throws {
        for (name, conv) in [("linear", false), ("conv1x1", true)] {
            let x = try OpsGolden.load(name, "x"), w = try OpsGolden.load(name, "w"), b = try OpsGolden.load(name, "b")
            let go = try OpsGolden.load(name, "go")
            let y = conv ? try Linear.pointwiseConv(x, weight: w, bias: b) : try Linear.forward(x, weight: w, bias: b)
            try OpsGolden.check(y, name, "y", tolerance: forwardTolerance)
            let (gx, gw, gb) = conv ? try Linear.pointwiseConvBackward(x, weight: w, gradOutput: go)
                                    : try Linear.backward(x, weight: w, gradOutput: go)
            try OpsGolden.check(gx, name, "gx", tolerance: gradientTolerance)
            try OpsGolden.check(gw, name, "gw", tolerance: gradientTolerance)
            try OpsGolden.check(try XCTUnwrap(gb), name, "gb", tolerance: gradientTolerance)
        }
    }

    func testSameBitsAtOneAndTwoThreads() throws {
        var rng = SeededRandom(82)
        let x = rng.tensor([4, 24, 17, 19]), w = rng.tensor([40, 24]), b = rng.tensor([40]), go = rng.tensor([4, 40, 17, 19])
        let xl = rng.tensor([300, 64]), wl = rng.tensor([96, 64]), gl = rng.tensor([300, 96])
        func run() throws -> [Tensor] {
            let (a, c, d) = try Linear.pointwiseConvBackward(x, weight: w, gradOutput: go)
            let (e, f, g) = try Linear.backward(xl, weight: wl, gradOutput: gl)
            return [try Linear.pointwiseConv(x, weight: w, bias: b), a, c, d!, try Linear.forward(xl, weight: wl), e, f, g!]
        }
        let one = try Parallel.withThreads(1, run), two = try Parallel.withThreads(2, run)
        for (p, q) in zip(one, two) { assertSameBits(p, q, "linear") }
    }

    func testBadShapesThrow() {
        XCTAssertThrowsError(try Linear.forward(Tensor(zeros: [2, 3]), weight: Tensor(zeros: [4, 5])))
        XCTAssertThrowsError(try Linear.forward(Tensor(zeros: [2, 3]), weight: Tensor(zeros: [4, 3]), bias: Tensor(zeros: [3])))
        XCTAssertThrowsError(try Linear.pointwiseConv(Tensor(zeros: [1, 3, 2, 2]), weight: Tensor(zeros: [4, 3, 3, 3]))) { e in
            XCTAssertTrue("\(e)".contains("pointwiseConv"), "\(e)")
        }
    }
}
