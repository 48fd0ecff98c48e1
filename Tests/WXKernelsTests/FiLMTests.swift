import XCTest
import WXCore
import WXKernels

/// x (1 + scale[n, c]) + shift[n, c] in Double.
func referenceFiLM(_ x: [Double], _ scale: [Double], _ shift: [Double], s: Int) -> [Double] {
    x.indices.map { i in x[i] * (1 + scale[i / s]) + shift[i / s] }
}

final class FiLMTests: XCTestCase {
    func testForwardAndBackwardMatchReferenceAndFiniteDifferences() throws {
        var rng = SeededRandom(50)
        for shape in [[2, 4, 3, 3], [1, 1, 1, 1], [3, 2, 1, 5], [2, 3, 7]] {
            let (n, c, s) = (shape[0], shape[1], shape.dropFirst(2).reduce(1, *))
            let x = rng.tensor(shape), sc = rng.tensor([n, c]), sh = rng.tensor([n, c]), go = rng.tensor(shape)
            assertClose(try FiLM.forward(x, scale: sc, shift: sh), referenceFiLM(x.doubles, sc.doubles, sh.doubles, s: s),
                        shape: shape, tolerance: forwardTolerance, "FiLM \(shape)")
            let (gx, gs, gh) = try FiLM.backward(x, scale: sc, shift: sh, gradOutput: go)
            let f = { (xv: [Double], sv: [Double], hv: [Double]) in dot(referenceFiLM(xv, sv, hv, s: s), go.doubles) }
            assertClose(gx, numericGradient(x.doubles) { f($0, sc.doubles, sh.doubles) }, shape: shape, tolerance: gradientTolerance, "FiLM dx")
            assertClose(gs, numericGradient(sc.doubles) { f(x.doubles, $0, sh.doubles) }, shape: [n, c], tolerance: gradientTolerance, "FiLM dscale")
            assertClose(gh, numericGradient(sh.doubles) { f(x.doubles, sc.doubles, $0) }, shape: [n, c], tolerance: gradientTolerance, "FiLM dshift")
        }
    }

    func testMatchesPyTorch() throws {
        let x = try OpsGolden.load("film", "x"), sc = try OpsGolden.load("film", "scale"), sh = try OpsGolden.load("film", "shift")
        try OpsGolden.check(try FiLM.forward(x, scale: sc, shift: sh), "film", "y", tolerance: forwardTolerance)
        let (gx, gs, gh) = try FiLM.backward(x, scale: sc, shift: sh, gradOutput: try OpsGolden.load("film", "go"))
        try OpsGolden.check(gx, "film", "gx", tolerance: gradientTolerance)
        try OpsGolden.check(gs, "film", "gscale", tolerance: gradientTolerance)
        try OpsGolden.check(gh, "film", "gshift", tolerance: gradientTolerance)
    }

    func testSameBitsAtOneAndTwoThreads() throws {
        var rng = SeededRandom(51)
        let x = rng.tensor([3, 16, 21, 23]), sc = rng.tensor([3, 16]), sh = rng.tensor([3, 16]), go = rng.tensor([3, 16, 21, 23])
        func run() throws -> [Tensor] {
            let (a, b, c) = try FiLM.backward(x, scale: sc, shift: sh, gradOutput: go)
            return [try FiLM.forward(x, scale: sc, shift: sh), a, b, c]
        }
        let one = try Parallel.withThreads(1, run), two = try Parallel.withThreads(2, run)
        for (a, b) in zip(one, two) { assertSameBits(a, b, "FiLM") }
    }

    func testBadShapesThrow() {
        XCTAssertThrowsError(try FiLM.forward(Tensor(zeros: [2, 3, 4, 4]), scale: Tensor(zeros: [3]), shift: Tensor(zeros: [2, 3])))
        XCTAssertThrowsError(try FiLM.forward(Tensor(zeros: [2, 3, 4, 4]), scale: Tensor(zeros: [2, 3]), shift: Tensor(zeros: [2, 4])))
    }
}
