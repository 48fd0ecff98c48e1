import XCTest
import WXCore
import WXKernels

/// Nearest x2 upsampling of [P, H, W] planes in Double.
func referenceUpsample(_ x: [Double], planes: Int, h: Int, w: Int) -> [Double] {
    var y = [Double](repeating: 0, count: planes * 4 * h * w)
    for p in 0..<planes { for i in 0..<(2 * h) { for j in 0..<(2 * w) {
        y[(p * 2 * h + i) * 2 * w + j] = x[(p * h + i / 2) * w + j / 2]
    } } }
    return y
}

/// 2x2 average pooling (floor) of [P, H, W] planes in Double.
func referenceAveragePool(_ x: [Double], planes: Int, h: Int, w: Int) -> [Double] {
    let ho = h / 2, wo = w / 2
    var y = [Double](repeating: 0, count: planes * ho * wo)
    for p in 0..<planes { for i in 0..<ho { for j in 0..<wo {
        var acc = 0.0
        for di in 0..<2 { for dj in 0..<2 { acc += x[(p * h + 2 * i + di) * w + 2 * j + dj] } }
        y[(p * ho + i) * wo + j] = acc / 4
    } } }
    return y
}

/// Nearest x2 upsampling (`Upsample`) and 2x2 average pooling (`Pooling`), forward and backward.
final class ResamplingTests: XCTestCase {
    let shapes = [[2, 3, 3, 5], [1, 1, 1, 1], [1, 2, 4, 4], [2, 1, 5, 7], [1, 1, 2, 1]]

    func testUpsampleMatchesReferenceAndFiniteDifferences() throws {
        var rng = SeededRandom(60)
        for shape in shapes {
            let (p, h, w) = (shape[0] * shape[1], shape[2], shape[3])
            let x = rng.tensor(shape), out = [shape[0], shape[1], 2 * h, 2 * w], go = rng.tensor(out)
            assertClose(try Upsample.nearest2x(x), referenceUpsample(x.doubles, planes: p, h: h, w: w), shape: out,
                        tolerance: forwardTolerance, "upsample \(shape)")
            let fd = numericGradient(x.doubles) { dot(referenceUpsample($0, planes: p, h: h, w: w), go.doubles) }
            assertClose(try Upsample.nearest2xBackward(gradOutput: go), fd, shape: shape, tolerance: gradientTolerance, "upsample' \(shape)")
        }
    }

    func testAveragePoolMatchesReferenceAndFiniteDifferences() throws {
        var rng = SeededRandom(61)
        for shape in shapes {
            let (p, h, w) = (shape[0] * shape[1], shape[2], shape[3])
            let x = rng.tensor(shape), out = [shape[0], shape[1], h / 2, w / 2], go = rng.tensor(out)
            assertClose(try Pooling.averagePool2x2(x), referenceAveragePool(x.doubles, planes: p, h: h, w: w), shape: out,
                        tolerance: forwardTolerance, "avgpool \(shape)")
            let fd = numericGradient(x.doubles) { dot(referenceAveragePool($0, planes: p, h: h, w: w), go.doubles) }
            assertClose(try Pooling.averagePool2x2Backward(gradOutput: go, inputShape: shape), fd, shape: shape,
                        tolerance: gradientTolerance, "avgpool' \(shape)")
        }
    }

    func testMatchesPyTorch() throws {
        let x = try OpsGolden.load("upsample", "x")
        try OpsGolden.check(try Upsample.nearest2x(x), "upsample", "y", tolerance: forwardTolerance)
        try OpsGolden.check(try Upsample.nearest2xBackward(gradOutput: try OpsGolden.load("upsample", "go")), "upsample", "gx",
                            tolerance: gradientTolerance)
        let xp = try OpsGolden.load("avg_pool", "x")
        try OpsGolden.check(try Pooling.averagePool2x2(xp), "avg_pool", "y", tolerance: forwardTolerance)
        try OpsGolden.check(try Pooling.averagePool2x2Backward(gradOutput: try OpsGolden.load("avg_pool", "go"), inputShape: xp.shape),
                            "avg_pool", "gx", tolerance: gradientTolerance)
    }

    func testSameBitsAtOneAndTwoThreads() throws {
        var rng = SeededRandom(62)
        let x = rng.tensor([2, 8, 33, 41]), g = rng.tensor([2, 8, 66, 82]), gp = rng.tensor([2, 8, 16, 20])
        func run() throws -> [Tensor] {
            [try Upsample.nearest2x(x), try Upsample.nearest2xBackward(gradOutput: g), try Pooling.averagePool2x2(x),
             try Pooling.averagePool2x2Backward(gradOutput: gp, inputShape: x.shape)]
        }
        let one = try Parallel.withThreads(1, run), two = try Parallel.withThreads(2, run)
        for (a, b) in zip(one, two) { assertSameBits(a, b, "resampling") }
    }

    func testBadShapesThrow() {
        XCTAssertThrowsError(try Upsample.nearest2x(Tensor(zeros: [3, 4, 4])))
        XCTAssertThrowsError(try Upsample.nearest2xBackward(gradOutput: Tensor(zeros: [1, 1, 3, 4])))
        XCTAssertThrowsError(try Pooling.averagePool2x2Backward(gradOutput: Tensor(zeros: [1, 1, 2, 2]), inputShape: [1, 1, 6, 4]))
    }
}
