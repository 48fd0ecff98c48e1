import Foundation
import XCTest
import WXCore
import WXKernels

/// Plain Double reference of `GroupNormSiLU.forward`: silu(GN(x) (1 + scale) + shift), scale/shift [N, C] or empty.
func referenceGroupNormSiLU(_ x: [Double], n: Int, c: Int, s: Int, groups: Int, gamma: [Double], beta: [Double],
                            scale: [Double], shift: [Double]) -> [Double] {
    let gn = referenceGroupNorm(x, n: n, c: c, s: s, groups: groups, gamma: gamma, beta: beta)
    return gn.indices.map { i in
        let nc = i / s
        let z = scale.isEmpty ? gn[i] : gn[i] * (1 + scale[nc]) + shift[nc]
        return z / (1 + exp(-z))
    }
}

final class GroupNormSiLUTests: XCTestCase {
    func testForwardMatchesReference() throws {
        var rng = SeededRandom(40)
        for (shape, groups) in [([2, 6, 5, 3], 3), ([1, 1, 1, 1], 1), ([2, 4, 9, 11], 2), ([3, 8, 4, 17], 4), ([1, 2, 1, 7], 1)] {
            let (n, c, s) = (shape[0], shape[1], shape[2] * shape[3])
            let x = rng.tensor(shape, -2, 5), gamma = rng.tensor([c]), beta = rng.tensor([c])
            let scale = rng.tensor([n, c]), shift = rng.tensor([n, c])
            let (y, stats) = try GroupNormSiLU.forward(x, groups: groups, gamma: gamma, beta: beta, scale: scale, shift: shift)
            let ref = referenceGroupNormSiLU(x.doubles, n: n, c: c, s: s, groups: groups, gamma: gamma.doubles,
                                             beta: beta.doubles, scale: scale.doubles, shift: shift.doubles)
            assertClose(y, ref, shape: shape, tolerance: forwardTolerance, "groupNormSiLU \(shape) G=\(groups)")
            let (_, plainStats) = try GroupNorm.forward(x, groups: groups, gamma: gamma, beta: beta)
            assertClose(stats.mean, plainStats.mean.doubles, tolerance: 1e-5, "mean as GroupNorm's")
            assertClose(stats.rstd, plainStats.rstd.doubles, tolerance: 1e-5, "rstd as GroupNorm's")
            let (y0, _) = try GroupNormSiLU.forward(x, groups: groups, gamma: gamma, beta: beta)
            let ref0 = referenceGroupNormSiLU(x.doubles, n: n, c: c, s: s, groups: groups, gamma: gamma.doubles,
                                              beta: beta.doubles, scale: [], shift: [])
            assertClose(y0, ref0, tolerance: forwardTolerance, "groupNormSiLU without modulation \(shape)")
        }
    }

    /// The vectorised exp is right beyond its clamping range: pre-activations of +-60..+-300.
    func testLargePreActivations() throws {
        let x = Tensor(shape: [1, 2, 1, 8], values: [-1, 1, -1, 1, -1, 1, -1, 1, -3, -1, 0, 1, 3, 2, -2, 0])
        let gamma = Tensor(shape: [2], values: [300, 60]), beta = Tensor(shape: [2], values: [0, 5])
        let (y, _) = try GroupNormSiLU.forward(x, groups: 2, gamma: gamma, beta: beta)
        let ref = referenceGroupNormSiLU(x.doubles, n: 1, c: 2, s: 8, groups: 2, gamma: gamma.doubles, beta: beta.doubles,
                                         scale: [], shift: [])
        assertClose(y, ref, tolerance: 1e-6, "silu of large pre-activations")
        XCTAssertTrue(y.array.allSatisfy(\.isFinite))
    }

    func testBackwardMatchesFiniteDifferences() throws {
        var rng = SeededRandom(41)
        for (shape, groups, film) in [([2, 4, 3, 2], 2, true), ([1, 3, 2, 5], 3, true), ([2, 2, 1, 9], 1, false), ([1, 4, 3, 3], 2, false)] {
            let (n, c, s) = (shape[0], shape[1], shape[2] * shape[3])
            let x = rng.tensor(shape, -1, 3), gamma = rng.tensor([c]), beta = rng.tensor([c]), go = rng.tensor(shape)
            let scale = film ? rng.tensor([n, c]) : nil, shift = film ? rng.tensor([n, c]) : nil
            let (_, stats) = try GroupNormSiLU.forward(x, groups: groups, gamma: gamma, beta: beta, scale: scale, shift: shift)
            let g = try GroupNormSiLU.backward(x, groups: groups, gamma: gamma, beta: beta, scale: scale, shift: shift,
                                               statistics: stats, gradOutput: go)
            let sd = scale?.doubles ?? [], td = shift?.doubles ?? []
            func f(_ xv: [Double], _ gv: [Double], _ bv: [Double], _ sv: [Double], _ tv: [Double]) -> Double {
                dot(referenceGroupNormSiLU(xv, n: n, c: c, s: s, groups: groups, gamma: gv, beta: bv, scale: sv, shift: tv), go.doubles)
            }
            let (xd, gd, bd) = (x.doubles, gamma.doubles, beta.doubles)
            assertClose(g.input, numericGradient(xd) { f($0, gd, bd, sd, td) }, shape: shape, tolerance: gradientTolerance, "dx \(shape)")
            assertClose(g.gamma, numericGradient(gd) { f(xd, $0, bd, sd, td) }, tolerance: gradientTolerance, "dgamma \(shape)")
            assertClose(g.beta, numericGradient(bd) { f(xd, gd, $0, sd, td) }, tolerance: gradientTolerance, "dbeta \(shape)")
            if film {
                assertClose(g.scale!, numericGradient(sd) { f(xd, gd, bd, $0, td) }, tolerance: gradientTolerance, "dscale \(shape)")
                assertClose(g.shift!, numericGradient(td) { f(xd, gd, bd, sd, $0) }, tolerance: gradientTolerance, "dshift \(shape)")
            } else {
                XCTAssertNil(g.scale)
            }
        }
    }

    func testSameBitsAtOneTwoAndThreeThreads() throws {
        var rng = SeededRandom(42)
        let x = rng.tensor([4, 32, 12, 24], -2, 2), gamma = rng.tensor([32]), beta = rng.tensor([32])
        let scale = rng.tensor([4, 32]), shift = rng.tensor([4, 32]), go = rng.tensor([4, 32, 12, 24])
        func run() throws -> [Tensor] {
            let (y, st) = try GroupNormSiLU.forward(x, groups: 8, gamma: gamma, beta: beta, scale: scale, shift: shift)
            let g = try GroupNormSiLU.backward(x, groups: 8, gamma: gamma, beta: beta, scale: scale, shift: shift,
                                               statistics: st, gradOutput: go)
            return [y, g.input, g.gamma, g.beta, g.scale!, g.shift!]
        }
        let one = try Parallel.withThreads(1) { try run() }
        for t in [2, 3] {
            let other = try Parallel.withThreads(t) { try run() }
            for (a, b) in zip(one, other) { assertSameBits(a, b, "groupNormSiLU at \(t) threads") }
        }
    }

    func testBadShapesThrow() {
        let x = Tensor(zeros: [2, 4, 3, 3]), c4 = Tensor(zeros: [4])
        XCTAssertThrowsError(try GroupNormSiLU.forward(x, groups: 3, gamma: c4, beta: c4))
        XCTAssertThrowsError(try GroupNormSiLU.forward(x, groups: 2, gamma: Tensor(zeros: [3]), beta: c4))
        XCTAssertThrowsError(try GroupNormSiLU.forward(x, groups: 2, gamma: c4, beta: c4, scale: Tensor(zeros: [2, 4]), shift: nil))
        XCTAssertThrowsError(try GroupNormSiLU.forward(x, groups: 2, gamma: c4, beta: c4, scale: Tensor(zeros: [2, 3]),
                                                       shift: Tensor(zeros: [2, 3])))
    }
}

final class ChannelConcatTests: XCTestCase {
    func testConcatAndSplitInvert() throws {
        var rng = SeededRandom(43)
        let a = rng.tensor([2, 3, 4, 5]), b = rng.tensor([2, 1, 4, 5]), c = rng.tensor([2, 2, 4, 5])
        let y = try ChannelConcat.forward([a, b, c])
        XCTAssertEqual(y.shape, [2, 6, 4, 5])
        for n in 0..<2 {
            for ch in 0..<6 {
                for i in 0..<4 {
                    for j in 0..<5 {
                        let expected = ch < 3 ? a[n, ch, i, j] : ch < 4 ? b[n, ch - 3, i, j] : c[n, ch - 4, i, j]
                        XCTAssertEqual(y[n, ch, i, j], expected)
                    }
                }
            }
        }
        let parts = try ChannelConcat.backward(gradOutput: y, channels: [3, 1, 2])
        assertSameBits(parts[0], a, "part 0")
        assertSameBits(parts[1], b, "part 1")
        assertSameBits(parts[2], c, "part 2")
    }

    func testMismatchedPartsThrow() {
        XCTAssertThrowsError(try ChannelConcat.forward([Tensor(zeros: [2, 3, 4, 5]), Tensor(zeros: [2, 3, 4, 6])]))
        XCTAssertThrowsError(try ChannelConcat.forward([]))
        XCTAssertThrowsError(try ChannelConcat.backward(gradOutput: Tensor(zeros: [2, 3, 4, 5]), channels: [1, 1]))
    }
}
