import XCTest
import WXCore
import WXKernels

/// a (op) b in Double with b broadcast per channel ([C]), per (sample, channel) ([N, C]) or full.
func referenceBroadcast(_ a: [Double], _ b: [Double], n: Int, c: Int, s: Int, mode: String, _ f: (Double, Double) -> Double) -> [Double] {
    a.indices.map { i in
        let plane = i / s
        let bi = mode == "full" ? i : (mode == "channel" ? plane % c : plane)
        return f(a[i], b[bi])
    }
}

final class ElementwiseTests: XCTestCase {
    let cases: [([Int], [Int], String)] = [
        ([2, 3, 4, 5], [2, 3, 4, 5], "full"), ([2, 3, 4, 5], [3], "channel"), ([2, 3, 4, 5], [1, 3, 1, 1], "channel"),
        ([2, 3, 4, 5], [2, 3], "sample"), ([2, 3, 4, 5], [2, 3, 1, 1], "sample"), ([1, 1, 1, 1], [1], "channel"),
        ([3, 1, 2, 7], [3, 1], "sample"), ([4, 5], [5], "channel"),
    ]

    func testForwardAndBackwardMatchReferenceAndFiniteDifferences() throws {
        var rng = SeededRandom(40)
        for (shape, bShape, mode) in cases {
            let (n, c, s) = (shape[0], shape[1], shape.dropFirst(2).reduce(1, *))
            let a = rng.tensor(shape), b = rng.tensor(bShape), go = rng.tensor(shape)
            assertClose(try Elementwise.add(a, b), referenceBroadcast(a.doubles, b.doubles, n: n, c: c, s: s, mode: mode, +),
                        shape: shape, tolerance: forwardTolerance, "add \(shape) \(bShape)")
            assertClose(try Elementwise.mul(a, b), referenceBroadcast(a.doubles, b.doubles, n: n, c: c, s: s, mode: mode, *),
                        shape: shape, tolerance: forwardTolerance, "mul \(shape) \(bShape)")
            let (ga, gb) = try Elementwise.mulBackward(a, b, gradOutput: go)
            let fa = numericGradient(a.doubles) { dot(referenceBroadcast($0, b.doubles, n: n, c: c, s: s, mode: mode, *), go.doubles) }
            let fb = numericGradient(b.doubles) { dot(referenceBroadcast(a.doubles, $0, n: n, c: c, s: s, mode: mode, *), go.doubles) }
            assertClose(ga, fa, shape: shape, tolerance: gradientTolerance, "mul da \(shape) \(bShape)")
            assertClose(gb, fb, shape: bShape, tolerance: gradientTolerance, "mul db \(shape) \(bShape)")
            let (sa, sb) = try Elementwise.addBackward(gradOutput: go, bShape: bShape)
            let fsb = numericGradient(b.doubles) { dot(referenceBroadcast(a.doubles, $0, n: n, c: c, s: s, mode: mode, +), go.doubles) }
            assertClose(sa, go.doubles, tolerance: gradientTolerance, "add da")
            assertClose(sb, fsb, shape: bShape, tolerance: gradientTolerance, "add db \(shape) \(bShape)")
        }
        let x = rng.tensor([3, 7])
        assertClose(Elementwise.scale(x, by: -2.5), x.doubles.map { -2.5 * $0 }, tolerance: forwardTolerance, "scale")
        assertClose(Elementwise.scaleBackward(gradOutput: x, by: -2.5), x.doubles.map { -2.5 * $0 }, tolerance: gradientTolerance, "scale'")
    }

    /// The vector loops give the bits of the plain Float loop, including the tails and chunk edges.
    func testVectorLoopsMatchScalarFloatBits() throws {
        var rng = SeededRandom(41)
        for (shape, bShape, mode) in [([2, 3, 37, 41], [2, 3, 37, 41], "full"), ([1, 2, 211, 97], [1, 2, 211, 97], "full"),
                                      ([2, 3, 37, 41], [3], "channel"), ([2, 3, 5, 7], [2, 3], "sample")] {
            let (c, s) = (shape[1], shape.dropFirst(2).reduce(1, *))
            let a = rng.tensor(shape), b = rng.tensor(bShape)
            let av = a.array, bv = b.array
            func bAt(_ i: Int) -> Float { mode == "full" ? bv[i] : (mode == "channel" ? bv[(i / s) % c] : bv[i / s]) }
            XCTAssertEqual(try Elementwise.add(a, b).array.map(\.bitPattern), av.indices.map { (av[$0] + bAt($0)).bitPattern },
                           "add \(shape) \(bShape)")
            XCTAssertEqual(try Elementwise.mul(a, b).array.map(\.bitPattern), av.indices.map { (av[$0] * bAt($0)).bitPattern },
                           "mul \(shape) \(bShape)")
        }
    }

    func testMatchesPyTorch() throws {
        let a = try OpsGolden.load("mul_channel", "a"), b = try OpsGolden.load("mul_channel", "b")
        try OpsGolden.check(try Elementwise.mul(a, b), "mul_channel", "y", tolerance: forwardTolerance)
        let (ga, gb) = try Elementwise.mulBackward(a, b, gradOutput: try OpsGolden.load("mul_channel", "go"))
        try OpsGolden.check(ga, "mul_channel", "ga", tolerance: gradientTolerance)
        try OpsGolden.check(gb, "mul_channel", "gb", tolerance: gradientTolerance)
        let a2 = try OpsGolden.load("add_sample_channel", "a"), b2 = try OpsGolden.load("add_sample_channel", "b")
        try OpsGolden.check(try Elementwise.add(a2, b2), "add_sample_channel", "y", tolerance: forwardTolerance)
        let (ga2, gb2) = try Elementwise.addBackward(gradOutput: try OpsGolden.load("add_sample_channel", "go"), bShape: b2.shape)
        try OpsGolden.check(ga2, "add_sample_channel", "ga", tolerance: gradientTolerance)
        try OpsGolden.check(gb2, "add_sample_channel", "gb", tolerance: gradientTolerance)
    }

    func testSameBitsAtOneAndTwoThreads() throws {
        var rng = SeededRandom(41)
        let a = rng.tensor([4, 16, 33, 35]), b = rng.tensor([16]), go = rng.tensor([4, 16, 33, 35]), full = rng.tensor([4, 16, 33, 35])
        func run() throws -> [Tensor] {
            let (ga, gb) = try Elementwise.mulBackward(a, b, gradOutput: go)
            return [try Elementwise.add(a, b), try Elementwise.mul(a, full), ga, gb, try Elementwise.addBackward(gradOutput: go, bShape: [4, 16]).gradB]
        }
        let one = try Parallel.withThreads(1, run), two = try Parallel.withThreads(2, run)
        for (x, y) in zip(one, two) { assertSameBits(x, y, "elementwise") }
    }

    func testBadBroadcastThrows() {
        XCTAssertThrowsError(try Elementwise.add(Tensor(zeros: [2, 3, 4]), Tensor(zeros: [4]))) { e in
            XCTAssertTrue("\(e)".contains("cannot broadcast"), "\(e)")
        }
        XCTAssertThrowsError(try Elementwise.mul(Tensor(zeros: [2, 3, 4]), Tensor(zeros: [3, 3])))
        XCTAssertThrowsError(try Elementwise.mulBackward(Tensor(zeros: [2, 3]), Tensor(zeros: [3]), gradOutput: Tensor(zeros: [3, 2])))
    }
}
