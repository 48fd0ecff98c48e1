import XCTest
import WXCore
import WXKernels

/// The conv kernels give the same bits at 1 and 2 threads.
final class ConvDeterminismTests: XCTestCase {
    func testSameBitsAtOneAndTwoThreads() throws {
        var rng = SeededRandom(11)
        let x = rng.tensor([3, 20, 13, 37]), w = rng.tensor([22, 20, 3, 3]), b = rng.tensor([22])
        for (stride, pad) in [(1, ConvPadding(height: .reflect(1), width: .circular(1))), (2, ConvPadding(.replicate(1)))] {
            let g = try ConvGeometry(inputShape: x.shape, weightShape: w.shape, stride: stride, padding: pad)
            let go = rng.tensor(g.outputShape)
            func run() throws -> [[UInt32]] {
                [try Conv2D.forward(x, weight: w, bias: b, stride: stride, padding: pad, activation: .silu),
                 try Conv2D.backwardData(gradOutput: go, weight: w, inputShape: x.shape, stride: stride, padding: pad),
                 try Conv2D.backwardWeight(gradOutput: go, input: x, weightShape: w.shape, stride: stride, padding: pad),
                 try Conv2D.backwardBias(gradOutput: go)].map { $0.array.map(\.bitPattern) }
            }
            let one = try Parallel.withThreads(1) { try run() }
            let two = try Parallel.withThreads(2) { try run() }
            let three = try Parallel.withThreads(3) { try run() }
            for (k, name) in ["forward", "backwardData", "backwardWeight", "backwardBias"].enumerated() {
                XCTAssertEqual(one[k], two[k], "\(name) stride \(stride): 1 vs 2 threads")
                XCTAssertEqual(one[k], three[k], "\(name) stride \(stride): 1 vs 3 threads")
            }
        }
    }

    /// The weight gradient with 32-channel input blocks (64 -> 128 channels) at 1, 2 and 3 threads.
    func testWideWeightGradientSameBits() throws {
        var rng = SeededRandom(12)
        let x = rng.tensor([2, 64, 7, 19]), go = rng.tensor([2, 128, 7, 19])
        let pad = ConvPadding(height: .reflect(1), width: .circular(1))
        func run() throws -> [UInt32] {
            try Conv2D.backwardWeight(gradOutput: go, input: x, weightShape: [128, 64, 3, 3], padding: pad).array.map(\.bitPattern)
        }
        let one = try Parallel.withThreads(1) { try run() }
        XCTAssertEqual(one, try Parallel.withThreads(2) { try run() })
        XCTAssertEqual(one, try Parallel.withThreads(3) { try run() })
    }
}
