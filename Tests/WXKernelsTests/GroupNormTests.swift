import XCTest
import WXCore
import WXKernels

/// Plain GroupNorm in Double for x [N, C, S] with `groups` groups.
func referenceGroupNorm(_ x: [Double], n: Int, c: Int, s: Int, groups: Int, gamma: [Double], beta: [Double],
                        eps: Double = 1e-5) -> [Double] {
    let cg = c / groups
    var y = [Double](repeating: 0, count: x.count)
    for sample in 0..<n {
        for g in 0..<groups {
            let idx = (0..<(cg * s)).map { (sample * c + g * cg) * s + $0 }
            let mean = idx.reduce(0.0) { $0 + x[$1] } / Double(idx.count)
            let variance = idx.reduce(0.0) { $0 + (x[$1] - mean) * (x[$1] - mean) } / Double(idx.count)
            for i in idx {
                let ch = (i / s) % c
                y[i] = (x[i] - mean) / (variance + eps).squareRoot() * gamma[ch] + beta[ch]
            }
        }
    }
    return y
}

final class GroupNormTests: XCTestCase {
    let shapes: [([Int], Int)] = [([2, 6, 5, 3], 3), ([1, 1, 1, 1], 1), ([3, 4, 1, 1], 2), ([2, 1, 7, 3], 1), ([1, 8, 3, 5], 8), ([2, 5, 9, 11], 5)]

    func testForwardMatchesReference() throws {
        var rng = SeededRandom(10)
        for (shape, groups) in shapes {
            let (n, c, s) = (shape[0], shape[1], shape[2] * shape[3])
            let x = rng.tensor(shape, 2, 5), gamma = rng.tensor([c]), beta = rng.tensor([c])
            let (y, stats) = try GroupNorm.forward(x, groups: groups, gamma: gamma, beta: beta)
            let ref = referenceGroupNorm(x.doubles, n: n, c: c, s: s, groups: groups, gamma: gamma.doubles, beta: beta.doubles)
            // A single-element group normalises to 0: compare on the output scale, which beta keeps away from 0.
            assertClose(y, ref, shape: shape, tolerance: forwardTolerance, "groupNorm \(shape) G=\(groups)")
            XCTAssertEqual(stats.mean.shape, [n, groups])
            let (plain, _) = try GroupNorm.forward(x, groups: groups)
            let refPlain = referenceGroupNorm(x.doubles, n: n, c: c, s: s, groups: groups,
                                              gamma: .init(repeating: 1, count: c), beta: .init(repeating: 0, count: c))
            if c / groups * s > 1 {
                assertClose(plain, refPlain, tolerance: forwardTolerance, "groupNorm without affine \(shape)")
            }
        }
    }

    func testBackwardMatchesFiniteDifferences() throws {
        var rng = SeededRandom(11)
        for (shape, groups) in [([2, 4, 3, 2], 2), ([3, 4, 1, 1], 2), ([2, 1, 2, 3], 1), ([1, 3, 2, 2], 3)] {
            let (n, c, s) = (shape[0], shape[1], shape[2] * shape[3])
            let x = rng.tensor(shape, -1, 3), gamma = rng.tensor([c]), beta = rng.tensor([c]), go = rng.tensor(shape)
            let (_, stats) = try GroupNorm.forward(x, groups: groups, gamma: gamma, beta: beta)
            let (gx, gg, gb) = try GroupNorm.backward(x, groups: groups, gamma: gamma, statistics: stats, gradOutput: go)
            let f = { (xv: [Double], gv: [Double], bv: [Double]) in
                dot(referenceGroupNorm(xv, n: n, c: c, s: s, groups: groups, gamma: gv, beta: bv), go.doubles)
            }
            let fx = numericGradient(x.doubles) { f($0, gamma.doubles, beta.doubles) }
            let fg = numericGradient(gamma.doubles) { f(x.doubles, $0, beta.doubles) }
            let fb = numericGradient(beta.doubles) { f(x.doubles, gamma.doubles, $0) }
            if c / groups * s > 1 { assertClose(gx, fx, shape: shape, tolerance: gradientTolerance, "dx \(shape)") }
            else { XCTAssertTrue(gx.array.allSatisfy { abs($0) < 1e-5 }, "dx of single-element groups is 0") }
            assertClose(try XCTUnwrap(gg), fg, shape: [c], tolerance: gradientTolerance, "dgamma \(shape)")
            assertClose(try XCTUnwrap(gb), fb, shape: [c], tolerance: gradientTolerance, "dbeta \(shape)")
        }
    }

    func testMatchesPyTorch() throws {
        for (name, groups) in [("group_norm", 3), ("group_norm_pixel", 2), ("group_norm_single", 1)] {
            let x = try OpsGolden.load(name, "x"), gamma = try OpsGolden.load(name, "gamma"), beta = try OpsGolden.load(name, "beta")
            let (y, stats) = try GroupNorm.forward(x, groups: groups, gamma: gamma, beta: beta, eps: 1e-5)
            try OpsGolden.check(y, name, "y", tolerance: forwardTolerance)
            let (gx, gg, gb) = try GroupNorm.backward(x, groups: groups, gamma: gamma, statistics: stats,
                                                      gradOutput: try OpsGolden.load(name, "go"))
            try OpsGolden.check(gx, name, "gx", tolerance: gradientTolerance)
            try OpsGolden.check(try XCTUnwrap(gg), name, "ggamma", tolerance: gradientTolerance)
            try OpsGolden.check(try XCTUnwrap(gb), name, "gbeta", tolerance: gradientTolerance)
        }
    }

    func testSameBitsAtOneAndTwoThreads() throws {
        var rng = SeededRandom(12)
        let x = rng.tensor([3, 32, 17, 19]), gamma = rng.tensor([32]), beta = rng.tensor([32]), go = rng.tensor([3, 32, 17, 19])
        func run() throws -> [Tensor] {
            let (y, st) = try GroupNorm.forward(x, groups: 8, gamma: gamma, beta: beta)
            let (gx, gg, gb) = try GroupNorm.backward(x, groups: 8, gamma: gamma, statistics: st, gradOutput: go)
            return [y, gx, gg!, gb!]
        }
        let one = try Parallel.withThreads(1, run), two = try Parallel.withThreads(2, run)
        for (a, b) in zip(one, two) { assertSameBits(a, b, "groupNorm threads") }
    }

    func testBadInputThrows() {
        XCTAssertThrowsError(try GroupNorm.forward(Tensor(zeros: [2, 6, 3, 3]), groups: 4)) { e in
            XCTAssertTrue("\(e)".contains("do not divide"), "\(e)")
        }
        XCTAssertThrowsError(try GroupNorm.forward(Tensor(zeros: [2, 6, 3, 3]), groups: 3, gamma: Tensor(zeros: [5])))
        XCTAssertThrowsError(try GroupNorm.forward(Tensor(zeros: [6]), groups: 3))
    }
}
