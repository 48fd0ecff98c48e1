import XCTest
import WXCore
import WXKernels

/// Reductions (sum, mean, latitude-weighted mean) and the MSE losses with their gradients.
final class LossTests: XCTestCase {
    func testSumAndMeanMatchDoubleSums() throws {
        var rng = SeededRandom(70)
        for shape in [[1], [7], [3, 5, 2], [100_003]] {
            let x = rng.tensor(shape, -1, 3)
            let exact = x.doubles.reduce(0, +)
            XCTAssertEqual(Reductions.sum(x), exact, accuracy: 1e-9 * max(1, abs(exact)))
            XCTAssertEqual(try Reductions.mean(x), exact / Double(x.count), accuracy: 1e-12 * max(1, abs(exact)))
        }
        XCTAssertThrowsError(try Reductions.mean(Tensor(zeros: [0])))
    }

    func testSumIsAccurateWhereFloatWouldNotBe() {
        // 1e8 followed by many ones: a Float accumulator loses every one of them.
        var values = [Float](repeating: 1, count: 50_001)
        values[0] = 1e8
        XCTAssertEqual(Reductions.sum(Tensor(shape: [values.count], values: values)), 1e8 + 50_000)
    }

    func testLatitudeWeightedMeanMatchesReference() throws {
        var rng = SeededRandom(71)
        let shape = [2, 3, 5, 4]
        let x = rng.tensor(shape)
        let w = (0..<5).map { cos((Double($0) - 2) * 0.6) }
        var num = 0.0
        for (i, v) in x.doubles.enumerated() { num += w[(i / 4) % 5] * v }
        let ref = num / (w.reduce(0, +) / 5) / Double(x.count)
        XCTAssertEqual(try Reductions.latitudeWeightedMean(x, weights: w), ref, accuracy: 1e-12)
        // Equal weights give the plain mean.
        XCTAssertEqual(try Reductions.latitudeWeightedMean(x, weights: [2, 2, 2, 2, 2]), try Reductions.mean(x), accuracy: 1e-12)
        XCTAssertThrowsError(try Reductions.latitudeWeightedMean(x, weights: [1, 1])) { e in XCTAssertTrue("\(e)".contains("latitude")) }
        XCTAssertThrowsError(try Reductions.latitudeWeightedMean(x, weights: [0, 0, 0, 0, 0]))
        XCTAssertThrowsError(try Reductions.latitudeWeightedMean(x, weights: [1, .nan, 1, 1, 1]))
    }

    func testReductionGradientsMatchFiniteDifferences() throws {
        var rng = SeededRandom(74)
        let shape = [2, 3, 4, 2]
        let x = rng.tensor(shape)
        let w = [0.3, 1, 1.7, 0.5]
        let sumF = numericGradient(x.doubles) { 1.5 * $0.reduce(0, +) }
        assertClose(Reductions.sumBackward(shape: shape, gradOutput: 1.5), sumF, shape: shape, tolerance: gradientTolerance, "sum'")
        let meanF = numericGradient(x.doubles) { 1.5 * $0.reduce(0, +) / Double($0.count) }
        assertClose(try Reductions.meanBackward(shape: shape, gradOutput: 1.5), meanF, shape: shape, tolerance: gradientTolerance, "mean'")
        let wmean = { (v: [Double]) -> Double in
            var acc = 0.0
            for i in v.indices { acc += w[(i / 2) % 4] * v[i] }
            return acc / (w.reduce(0, +) / 4) / Double(v.count)
        }
        XCTAssertEqual(try Reductions.latitudeWeightedMean(x, weights: w), wmean(x.doubles), accuracy: 1e-12)
        assertClose(try Reductions.latitudeWeightedMeanBackward(shape: shape, weights: w, gradOutput: -2),
                    numericGradient(x.doubles) { -2 * wmean($0) }, shape: shape, tolerance: gradientTolerance, "weighted mean'")
        XCTAssertThrowsError(try Reductions.meanBackward(shape: [0, 3]))
    }

    func testMSEAndGradientMatchReferenceAndFiniteDifferences() throws {
        var rng = SeededRandom(72)
        for shape in [[1], [2, 3, 4, 5], [1, 1, 3, 2]] {
            let p = rng.tensor(shape), t = rng.tensor(shape)
            let n = Double(p.count)
            let mse = { (pv: [Double]) in zip(pv, t.doubles).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / n }
            XCTAssertEqual(try MSELoss.forward(prediction: p, target: t), mse(p.doubles), accuracy: 1e-12)
            assertClose(try MSELoss.backward(prediction: p, target: t, gradOutput: 0.5),
                        numericGradient(p.doubles) { 0.5 * mse($0) }, shape: shape, tolerance: gradientTolerance, "mse' \(shape)")
            guard shape.count >= 2 else { continue }
            let h = shape[shape.count - 2]
            let w = (0..<h).map { 0.5 + Double($0) }
            let wcols = shape[shape.count - 1]
            let wmse = { (pv: [Double]) -> Double in
                var acc = 0.0
                for i in pv.indices { acc += w[(i / wcols) % h] * (pv[i] - t.doubles[i]) * (pv[i] - t.doubles[i]) }
                return acc / (w.reduce(0, +) / Double(h)) / n
            }
            XCTAssertEqual(try MSELoss.latitudeWeighted(prediction: p, target: t, weights: w), wmse(p.doubles), accuracy: 1e-12)
            assertClose(try MSELoss.latitudeWeightedBackward(prediction: p, target: t, weights: w, gradOutput: 2),
                        numericGradient(p.doubles) { 2 * wmse($0) }, shape: shape, tolerance: gradientTolerance, "weighted mse' \(shape)")
        }
    }

    func testMatchesPyTorch() throws {
        let p = try OpsGolden.load("mse", "pred"), t = try OpsGolden.load("mse", "target")
        let torchLoss = try OpsGolden.load("mse", "y").array[0]
        XCTAssertEqual(try MSELoss.forward(prediction: p, target: t), Double(torchLoss), accuracy: 1e-4 * Double(abs(torchLoss)))
        try OpsGolden.check(try MSELoss.backward(prediction: p, target: t), "mse", "gpred", tolerance: gradientTolerance)
    }

    func testSameBitsAtOneAndTwoThreads() throws {
        var rng = SeededRandom(73)
        let p = rng.tensor([3, 4, 91, 180]), t = rng.tensor([3, 4, 91, 180])
        let w = (0..<91).map { cos(Double($0 - 45) * .pi / 180) }
        func run() throws -> ([Double], [Tensor]) {
            ([Reductions.sum(p), try Reductions.latitudeWeightedMean(p, weights: w), try MSELoss.forward(prediction: p, target: t),
              try MSELoss.latitudeWeighted(prediction: p, target: t, weights: w)],
             [try MSELoss.backward(prediction: p, target: t), try MSELoss.latitudeWeightedBackward(prediction: p, target: t, weights: w)])
        }
        let one = try Parallel.withThreads(1, run), two = try Parallel.withThreads(2, run)
        XCTAssertEqual(one.0.map(\.bitPattern), two.0.map(\.bitPattern))
        for (a, b) in zip(one.1, two.1) { assertSameBits(a, b, "mse gradient") }
    }

    func testMismatchedShapesThrow() {
        XCTAssertThrowsError(try MSELoss.forward(prediction: Tensor(zeros: [2, 3]), target: Tensor(zeros: [3, 2])))
        XCTAssertThrowsError(try MSELoss.backward(prediction: Tensor(zeros: [0]), target: Tensor(zeros: [0])))
    }
}
